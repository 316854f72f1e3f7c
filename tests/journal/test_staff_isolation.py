"""Security review item 3: the patient API serves plain patients only, and a staff account
cannot be given a patient profile."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from journal.models import Patient
from tests.conftest import client_for
from tests.factories import PainLogFactory, PatientFactory, UserFactory

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def admin_browser() -> Client:
    boss = UserFactory(is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(boss)
    return browser


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_superuser": True, "is_staff": True}])
def test_staff_with_a_patient_profile_cannot_use_the_patient_api(stranger, flags):
    # As left by data made before the rule (the ORM does not call clean()).
    insider = PatientFactory(user=UserFactory(**flags))
    PainLogFactory(patient=stranger, notes="private")
    api = client_for(insider.user)
    for url in ["/api/v1/me/", "/api/v1/logs/", "/api/v1/treatments/", "/api/v1/alerts/"]:
        assert api.get(url).status_code == 403, url
    login = api.post(
        "/api/v1/auth/login/", {"email": insider.user.email, "password": "correct horse battery"}
    )
    assert login.status_code == 400


def test_admin_cannot_give_a_staff_account_a_patient_profile(admin_browser):
    staff = UserFactory(is_staff=True)
    response = admin_browser.post(
        "/ops/journal/patient/add/",
        {
            "user": staff.pk,
            "timezone": "UTC",
            "reminder_time": "20:00",
            "reminders_enabled": "on",
            "reminder_channels": '["push"]',
            "alert_channels": '["push", "email"]',
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "cannot be staff" in response.content.decode()
    assert not Patient.objects.filter(user=staff).exists()


def test_admin_cannot_make_a_patient_staff(admin_browser, patient):
    user = patient.user
    response = admin_browser.post(
        f"/ops/accounts/user/{user.pk}/change/",
        {
            "email": user.email,
            "is_active": "on",
            "is_staff": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert "cannot be staff" in response.content.decode()
    assert not User.objects.get(pk=user.pk).is_staff
