"""A client generated from docs/openapi.yaml with openapi-python-client walks a patient's
journey against a live server, reading errors as the typed objects the schema promises.

The generator runs locally (no network) into a temporary directory. The journey is a list of
steps sharing one ``Journey`` state; to cover a new endpoint, write a ``step_...`` function
and add it to STEPS where it belongs in the patient's day.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.utils import timezone

from clinic.services import invite_code_create

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMA = ROOT / "docs" / "openapi.yaml"
PACKAGE = "fj_client"

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def client_package(tmp_path_factory) -> ModuleType:
    out = tmp_path_factory.mktemp("generated")
    config = out / "config.yaml"
    # No post hooks: formatting the generated code is not what is under test.
    config.write_text(f"post_hooks: []\nproject_name_override: {PACKAGE}\n")
    subprocess.run(  # noqa: S603 - the pinned generator on our own schema
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(SCHEMA),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(out / PACKAGE),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@dataclass
class Journey:
    """What the steps share: the generated package, the server, and what was created."""

    pkg: ModuleType
    base_url: str
    client: Any = None
    token: str = ""
    ids: dict[str, Any] = field(default_factory=dict)

    def api(self, name: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.api.v1.{name}")

    @property
    def m(self) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.models")

    def call(self, name: str, expected: int, **kwargs: Any) -> Any:
        response = self.api(name).sync_detailed(client=self.client, **kwargs)
        assert response.status_code == expected, (name, response.status_code, response.content)
        return response.parsed


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def step_register(j: Journey) -> None:
    anonymous = j.pkg.Client(base_url=j.base_url)
    body = j.m.RegisterInputRequest(
        email=f"journey-{uuid.uuid4().hex[:8]}@example.org",
        password="a-long-Journey-password-1",
        timezone="Europe/Berlin",
    )
    response = j.api("v1_auth_register_create").sync_detailed(client=anonymous, body=body)
    assert response.status_code == 201, response.content
    j.token = response.parsed.token
    j.client = j.pkg.AuthenticatedClient(base_url=j.base_url, token=j.token, prefix="Bearer")


def step_profile(j: Journey) -> None:
    me = j.call("v1_me_retrieve", 200)
    assert me.timezone == "Europe/Berlin"
    assert me.date_of_birth is None  # always present, null until set
    changed = j.call(
        "v1_me_partial_update",
        200,
        body=j.m.PatchedMeRequest(reminder_time="07:30", has_diabetes=True),
    )
    assert (changed.reminder_time, changed.has_diabetes) == ("07:30", True)
    # What the server wrote can be sent back as it is (HH:MM both ways).
    round_trip = j.m.PatchedMeRequest(
        reminder_time=changed.reminder_time,
        timezone=changed.timezone,
        reminder_channels=changed.reminder_channels,
        alert_channels=changed.alert_channels,
    )
    assert j.call("v1_me_partial_update", 200, body=round_trip).to_dict() == changed.to_dict()


def step_sites(j: Journey) -> None:
    sites = j.call("v1_sites_list", 200)
    assert j.m.SiteEnum.ACHILLES in {site.code for site in sites}


def step_log_and_patch_one_field(j: Journey) -> None:
    written = j.call(
        "v1_logs_create",
        201,
        body=j.m.PainLogInputRequest(
            recorded_at=now() - timedelta(minutes=30),
            site=j.m.SiteEnum.ACHILLES,
            side=j.m.SideEnum.LEFT,
            severity=6,
            swelling=j.m.SwellingEnum.MILD,
            fever=True,
            temperature_c=37.9,
            notes="after the run",
        ),
    )
    j.ids["log"] = written.id
    assert written.triage.level in set(j.m.LevelEnum)
    patched = j.call(
        "v1_logs_partial_update",
        200,
        id=written.id,
        body=j.m.PatchedPainLogUpdateRequest(severity=4),
    )
    assert patched.severity == 4
    unchanged = ("swelling", "fever", "temperature_c", "notes", "recorded_at", "site", "side")
    assert {k: getattr(patched, k) for k in unchanged} == {
        k: getattr(written, k) for k in unchanged
    }


def step_sync_and_resync(j: Journey) -> None:
    items = [
        j.m.PainLogSyncItemRequest(
            id=uuid.uuid4(),
            recorded_at=now() - timedelta(hours=hours),
            site=j.m.SiteEnum.HEEL_BOTTOM,
            side=j.m.SideEnum.RIGHT,
            severity=3,
        )
        for hours in (5, 4)
    ]
    body = j.m.PainLogSyncInputRequest(logs=items)
    first = j.call("v1_logs_sync_create", 200, body=body)
    assert [r.status for r in first.results] == [j.m.SyncResultStatusEnum.CREATED] * 2
    again = j.call("v1_logs_sync_create", 200, body=body)
    assert [r.status for r in again.results] == [j.m.SyncResultStatusEnum.UNCHANGED] * 2
    listed = j.call("v1_logs_list", 200, site=j.m.SiteEnum.HEEL_BOTTOM)
    assert listed.count == 2


def step_treatment_start_and_finish(j: Journey) -> None:
    started = j.call(
        "v1_treatments_create",
        201,
        body=j.m.TreatmentInputRequest(
            kind=j.m.TreatmentKindEnum.ICE,
            site=j.m.SiteEnum.ACHILLES,
            side=j.m.SideEnum.LEFT,
            started_at=now() - timedelta(minutes=20),
            skin_reaction=True,
        ),
    )
    assert started.minutes is None
    finished = j.call(
        "v1_treatments_partial_update",
        200,
        id=started.id,
        body=j.m.PatchedTreatmentUpdateRequest(minutes=15),
    )
    assert (finished.minutes, finished.skin_reaction) == (15, True)


def step_trends_and_triage(j: Journey) -> None:
    trends = j.call("v1_trends_retrieve", 200, days=7)
    assert trends.timezone == "Europe/Berlin"
    assert {(row.site, row.side) for row in trends.results} >= {
        (j.m.SiteEnum.ACHILLES, j.m.SideEnum.LEFT)
    }
    triage = j.call("v1_triage_retrieve", 200)
    assert triage.level in set(j.m.LevelEnum) and triage.disclaimer


def step_alerts(j: Journey) -> None:
    j.call(
        "v1_logs_create",
        201,
        body=j.m.PainLogInputRequest(
            recorded_at=now(),
            site=j.m.SiteEnum.ANKLE_OUTER,
            side=j.m.SideEnum.RIGHT,
            severity=9,
            can_bear_weight=False,
        ),
    )
    alerts = j.call("v1_alerts_list", 200, status=j.m.AlertStatusEnum.OPEN)
    assert alerts.count >= 1
    alert = alerts.results[0]
    assert alert.level in set(j.m.LevelEnum)
    acknowledged = j.call("v1_alerts_acknowledge_create", 200, id=alert.id)
    assert acknowledged.status == j.m.AlertStatusEnum.ACKNOWLEDGED


def step_device(j: Journey) -> None:
    device = j.call(
        "v1_devices_create",
        201,
        body=j.m.TokenDeviceInputRequest(
            kind=j.m.TokenDeviceInputKindEnum.FCM, registration_id="journey-phone", name="Phone"
        ),
    )
    assert device.kind == j.m.DeviceKindEnum.FCM and device.active
    assert [d.id for d in j.call("v1_devices_list", 200).results] == [device.id]
    j.call("v1_devices_destroy", 204, id=device.id)


def step_typed_errors(j: Journey) -> None:
    refused = j.call(
        "v1_logs_partial_update",
        400,
        id=j.ids["log"],
        body=j.m.PatchedPainLogUpdateRequest(severity=11),
    )
    assert isinstance(refused, j.m.ValidationError)
    assert refused["severity"] == ["Ensure this value is less than or equal to 10."]
    missing = j.call("v1_logs_retrieve", 404, id=uuid.uuid4())
    assert isinstance(missing, j.m.Error) and missing.detail
    # Another patient's entry is as absent as one that never existed.
    other = Journey(pkg=j.pkg, base_url=j.base_url)
    step_register(other)
    theirs = other.call(
        "v1_logs_create",
        201,
        body=j.m.PainLogInputRequest(
            recorded_at=now(), site=j.m.SiteEnum.ARCH, side=j.m.SideEnum.LEFT, severity=2
        ),
    )
    hidden = j.call("v1_logs_retrieve", 404, id=theirs.id)
    assert hidden.to_dict() == missing.to_dict()


def step_care_team(j: Journey) -> None:
    """Join with the code a clinician made in their workspace, see them, remove them."""
    member = j.call(
        "v1_care_team_create", 201, body=j.m.CareTeamJoinInputRequest(code=j.ids["invite_code"])
    )
    assert [m.id for m in j.call("v1_care_team_list", 200)] == [member.id]
    j.call("v1_care_team_destroy", 204, id=member.id)
    gone = j.call("v1_care_team_destroy", 404, id=member.id)
    assert isinstance(gone, j.m.Error)


def step_export(j: Journey) -> None:
    export = j.call("v1_me_export_retrieve", 200)
    assert str(j.ids["log"]) in {str(log.id) for log in export.pain_logs}
    assert export.profile.timezone == "Europe/Berlin"


def step_logout(j: Journey) -> None:
    j.call("v1_auth_logout_create", 204)
    signed_out = j.call("v1_me_retrieve", 401)
    assert isinstance(signed_out, j.m.Error)


STEPS: list[Callable[[Journey], None]] = [
    step_register,
    step_profile,
    step_sites,
    step_log_and_patch_one_field,
    step_sync_and_resync,
    step_treatment_start_and_finish,
    step_trends_and_triage,
    step_alerts,
    step_device,
    step_typed_errors,
    step_care_team,
    step_export,
    step_logout,
]


def test_a_generated_client_completes_the_patient_journey(client_package, live_server, clinician):
    journey = Journey(pkg=client_package, base_url=live_server.url)
    # The clinician makes the code in their workspace (a browser page, not this API).
    code = invite_code_create(clinician=clinician, now=timezone.now())
    journey.ids["invite_code"] = code.code
    for step in STEPS:
        step(journey)
