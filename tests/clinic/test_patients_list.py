"""My patients: most urgent first, in words, times in the clinician's zone with its name."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.clinic.conftest import make_patient
from triage.models import Alert

pytestmark = pytest.mark.django_db


def _alert(patient, level: str, opened_days_ago: float, status: str = "open", rule="severe_pain"):
    now = timezone.now()
    return Alert.objects.create(
        patient=patient,
        rule=rule,
        episode_key=f"-/-/{level}{opened_days_ago}",
        level=level,
        status=status,
        message="m",
        reason="r",
        source_file="f",
        source_passage="p",
        opened_at=now - timedelta(days=opened_days_ago),
        updated_at=now,
    )


def _order(client, query: str = "") -> list[str]:
    text = client.get(f"/admin/journal/patient/{query}").content.decode()
    if 'id="result_list"' not in text:
        return []
    table = text.split('id="result_list"')[1].split("</table>")[0]
    return re.findall(r"([a-z0-9.]+@example\.com)", table)


def test_most_urgent_first_then_longest_open(doctor, doctor_client):
    quiet = make_patient(clinician=doctor, alert=False, days=0, email="a.quiet@example.com")
    consult_old = make_patient(
        clinician=doctor, alert=False, days=0, email="b.consult.old@example.com"
    )
    consult_new = make_patient(
        clinician=doctor, alert=False, days=0, email="c.consult.new@example.com"
    )
    emergency = make_patient(clinician=doctor, alert=False, days=0, email="d.emergency@example.com")
    seen = make_patient(clinician=doctor, alert=False, days=0, email="e.seen@example.com")
    _alert(consult_new, "consult", 1)
    _alert(consult_old, "consult", 3)
    _alert(emergency, "emergency", 0.1)
    _alert(seen, "emergency", 5, status="acknowledged")  # someone is on it: not at the top
    assert _order(doctor_client) == [
        emergency.user.email,
        consult_old.user.email,
        consult_new.user.email,
        quiet.user.email,
        seen.user.email,
    ]
    assert _order(doctor_client, "?alert_level=emergency") == [emergency.user.email]
    assert _order(doctor_client, "?alert_level=consult") == [
        consult_old.user.email,
        consult_new.user.email,
    ]


def test_columns_are_words_with_the_clinicians_zone_named(doctor, doctor_client, mine):
    text = doctor_client.get("/admin/journal/patient/").content.decode()
    table = text.split('id="result_list"')[1].split("</table>")[0]
    assert "See a doctor within 24 hours: Signs of infection" in table
    assert "6/10, Back of the left ankle and heel (Achilles)" in table
    assert "(Europe/London)" in table
    for code in ("consult_24h</", "achilles<", "infection_signs"):
        assert code not in table


def test_quiet_and_site_filters(doctor, doctor_client):
    now = timezone.now()
    active = make_patient(clinician=doctor, alert=False, days=2, email="active@example.com")
    quiet = make_patient(clinician=doctor, alert=False, days=0, email="quiet@example.com")
    from tests.factories import PainLogFactory

    PainLogFactory(patient=quiet, recorded_at=now - timedelta(days=4), site="calf")
    assert _order(doctor_client, "?quiet=3") == [quiet.user.email]
    assert _order(doctor_client, "?site=calf") == [quiet.user.email]
    assert active.user.email in _order(doctor_client, "?site=ankle_outer")
    text = doctor_client.get("/admin/journal/patient/").content.decode()
    assert re.search(r"quiet@example.com.*?<td class=\"field-days_since_entry\">4</td>", text, re.S)


def test_search_by_email_or_the_name_this_clinician_gave(doctor, other_doctor, doctor_client):
    from django.utils import timezone

    from clinic.services import invite_code_create, invite_code_redeem

    patient = make_patient(alert=False, days=1, email="p.one@example.com")
    for clinician, name in ((doctor, "Alex Morgan"), (other_doctor, "Sam Other")):
        code = invite_code_create(clinician=clinician, now=timezone.now(), note=name)
        invite_code_redeem(patient=patient, code=code.code, now=timezone.now())
    make_patient(clinician=doctor, alert=False, days=1, email="p.two@example.com")

    assert _order(doctor_client, "?q=morgan") == [patient.user.email]
    assert _order(doctor_client, "?q=p.two") == ["p.two@example.com"]
    assert _order(doctor_client, "?q=Sam+Other") == []  # another clinician's name for them
    text = doctor_client.get("/admin/journal/patient/").content.decode()
    assert "Alex Morgan (p.one@example.com)" in text and "Sam Other" not in text
    page = doctor_client.get(f"/admin/journal/patient/{patient.pk}/change/").content.decode()
    assert "Alex Morgan (p.one@example.com)" in page


def test_the_clinician_sees_which_zero_is_the_patients_gone(doctor_client, mine):
    from tests.factories import PainLogFactory

    PainLogFactory(patient=mine, site="arch", side="left", severity=0, gone=True)
    PainLogFactory(patient=mine, site="calf", side="left", severity=0)
    page = doctor_client.get(f"/admin/journal/patient/{mine.pk}/change/").content.decode()
    assert page.count("says it has gone") == 1
