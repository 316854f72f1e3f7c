"""Admin login lockout, idle session expiry, CSP, the clinicians group's permissions and the
append-only access log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.utils import timezone

from clinic.models import AccessLog
from tests.clinic.conftest import make_clinician

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery"


def _try(email: str, password: str, ip: str) -> int:
    response = Client(REMOTE_ADDR=ip).post(
        LOGIN, {"username": email, "password": password, "next": "/admin/"}
    )
    return response.status_code


def test_an_account_is_locked_after_five_failures_from_any_addresses(doctor):
    for n in range(4):
        assert _try(doctor.email, "wrong", f"10.0.0.{n}") == 200  # the form again
    assert _try(doctor.email.upper(), "wrong", "10.0.0.4") == 429  # the fifth failure locks
    # Now even the right password, from a new address, is refused.
    assert _try(doctor.email, PASSWORD, "10.0.0.99") == 429


def test_an_address_is_locked_after_five_failures_on_any_accounts(doctor):
    for n in range(4):
        assert _try(f"nobody{n}@example.com", "wrong", "10.9.9.9") == 200
    assert _try("nobody4@example.com", "wrong", "10.9.9.9") == 429
    assert _try(doctor.email, PASSWORD, "10.9.9.9") == 429
    # The account itself is fine from elsewhere.
    assert _try(doctor.email, PASSWORD, "10.1.1.1") == 302


def test_the_operators_login_is_protected_too():
    for _ in range(5):
        Client(REMOTE_ADDR="10.7.7.7").post("/ops/login/", {"username": "x@x.x", "password": "n"})
    response = Client(REMOTE_ADDR="10.7.7.7").post(
        "/ops/login/", {"username": "x@x.x", "password": "n"}
    )
    assert response.status_code == 429


def test_the_api_login_is_not_locked_by_the_admin_lockout(patient):
    for _ in range(6):
        _try(patient.user.email, "wrong", "10.5.5.5")
    api = Client(REMOTE_ADDR="10.5.5.5")
    response = api.post(
        "/api/v1/auth/login/",
        {"email": patient.user.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_a_staff_session_ends_after_a_working_day_idle_and_activity_extends_it(doctor):
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post(LOGIN, {"username": doctor.email, "password": PASSWORD, "next": "/admin/"})
        assert client.get("/admin/journal/patient/").status_code == 200
        clock.shift(timedelta(hours=7))
        assert client.get("/admin/journal/patient/").status_code == 200  # still working
        clock.shift(timedelta(hours=7, minutes=59))
        assert client.get("/admin/journal/patient/").status_code == 200  # 7h59 since last use
        clock.shift(timedelta(hours=8, minutes=1))
        response = client.get("/admin/journal/patient/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_pages_send_a_content_security_policy_and_the_api_is_left_alone(doctor_client):
    for url in ("/admin/journal/patient/", "/admin/login/", "/ops/login/"):
        policy = doctor_client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
    assert "Content-Security-Policy" not in Client().get("/api/schema/")


def test_the_clinicians_group_has_exactly_what_the_workspace_needs():
    group = Group.objects.get(name="clinicians")
    assert sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()) == [
        "clinic.add_clinicalnote",
        "clinic.add_invitecode",
        "clinic.view_clinicalnote",
        "clinic.view_invitecode",
        "journal.view_painlog",
        "journal.view_patient",
        "journal.view_treatment",
        "triage.change_alert",
        "triage.view_alert",
    ]


def test_a_new_clinician_needs_nothing_but_the_group():
    clinician = make_clinician()
    client = Client()
    client.force_login(clinician)
    for url in (
        "/admin/journal/patient/",
        "/admin/triage/alert/",
        "/admin/journal/painlog/",
        "/admin/clinic/invitecode/add/",
        "/admin/clinic/clinicalnote/add/",
    ):
        assert client.get(url).status_code == 200, url


def _row() -> AccessLog:
    return AccessLog.objects.create(
        at=timezone.now(), user_id=1, user_email="a@b.c", patient_id=2, action="patient_page"
    )


def test_the_access_log_cannot_be_changed_or_deleted_through_the_model():
    row = _row()
    row.detail = "edited"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=row.pk).update(detail="x")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger is PostgreSQL only")
def test_the_database_refuses_to_change_the_access_log():
    row = _row()
    for sql in (
        "UPDATE clinic_accesslog SET detail = 'x' WHERE id = %s",
        "DELETE FROM clinic_accesslog WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])


def test_superusers_read_the_log_in_the_operators_admin_and_cannot_change_it(doctor):
    from tests.factories import UserFactory

    row = _row()
    boss = Client()
    boss.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert boss.get("/ops/clinic/accesslog/").status_code == 200
    assert boss.get(f"/ops/clinic/accesslog/{row.pk}/delete/").status_code == 403
    boss.post(f"/ops/clinic/accesslog/{row.pk}/change/", {"detail": "x"})
    row.refresh_from_db()
    assert row.detail == ""
    operator = Client()
    operator.force_login(UserFactory(is_staff=True))
    assert operator.get("/ops/clinic/accesslog/").status_code == 403


def test_a_clinician_sets_their_own_time_zone_and_only_theirs(doctor, other_doctor, mine):
    from clinic.models import ClinicianProfile

    client = Client()
    client.force_login(doctor)
    own = ClinicianProfile.objects.get(user=doctor)
    url = f"/admin/clinic/clinicianprofile/{own.pk}/change/"
    assert client.post(url, {"timezone": "Not/AZone"}).status_code == 200  # form error
    assert client.post(url, {"timezone": "America/Chicago"}).status_code == 302
    own.refresh_from_db()
    assert own.timezone == "America/Chicago"
    assert "(America/Chicago)" in client.get("/admin/journal/patient/").content.decode()
    theirs = f"/admin/clinic/clinicianprofile/{other_doctor.pk}/change/"
    client.post(theirs, {"timezone": "Asia/Tokyo"})
    assert ClinicianProfile.objects.get(user=other_doctor).timezone == "America/New_York"
    assert client.get("/admin/clinic/clinicianprofile/")["Location"] == url
    newcomer = Client()
    newcomer.force_login(make_clinician_without_zone())
    response = newcomer.get("/admin/clinic/clinicianprofile/", follow=True)
    assert response.status_code == 200 and "Europe/London" in response.content.decode()


def make_clinician_without_zone():
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="clinicians"))
    return user


def test_the_lockout_address_ignores_a_forged_forwarded_for_unless_behind_a_proxy(settings):
    from django.test import RequestFactory

    from clinic.axes import client_ip

    request = RequestFactory().get(
        "/admin/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8"
    )
    settings.NUM_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"
    settings.NUM_PROXIES = 1
    assert client_ip(request) == "5.6.7.8"  # what our one proxy appended
