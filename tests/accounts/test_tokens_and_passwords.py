"""Security review item 6: token limits and lifetime, password change and reset, sign out
everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.accounts.mail import deliver_outbox, token_from

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
ME = "/api/v1/me/"
PASSWORD = "correct horse battery"  # the factories' password
NEW = "a brand new passphrase"


def _login(anon, patient, password: str = PASSWORD) -> APIClient:
    response = anon.post(LOGIN, {"email": patient.user.email, "password": password})
    assert response.status_code == 200, response.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client


def test_at_most_twenty_tokens_and_a_new_login_retires_the_oldest(anon, patient):
    devices = [_login(anon, patient) for _ in range(25)]
    assert AuthToken.objects.filter(user=patient.user).count() == 20
    assert [d.get(ME).status_code for d in devices[:5]] == [401] * 5
    assert {d.get(ME).status_code for d in devices[5:]} == {200}


def test_a_token_in_constant_use_still_dies_at_the_maximum_age(anon, patient, settings):
    phone = _login(anon, patient)
    signed_in = timezone.now()
    # Used every day: auto-refresh keeps pushing the expiry out, but not past 90 days.
    for day in range(1, 90):
        with time_machine.travel(signed_in + timedelta(days=day)):
            assert phone.get(ME).status_code == 200, day
    with time_machine.travel(signed_in + timedelta(days=90, minutes=1)):
        assert phone.get(ME).status_code == 401


def test_changing_the_password_signs_out_the_other_devices(anon, patient):
    phone, tablet = _login(anon, patient), _login(anon, patient)
    changed = phone.post(
        "/api/v1/auth/password/change/", {"current_password": PASSWORD, "new_password": NEW}
    )
    assert changed.status_code == 204
    assert phone.get(ME).status_code == 200
    assert tablet.get(ME).status_code == 401
    assert anon.post(LOGIN, {"email": patient.user.email, "password": PASSWORD}).status_code == 400
    _login(anon, patient, NEW)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"current_password": "wrong", "new_password": NEW}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "password123"}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
    ],
)
def test_password_change_errors_are_400_on_the_field(api, payload, field):
    response = api.post("/api/v1/auth/password/change/", payload)
    assert response.status_code == 400
    assert field in response.json()


def test_sign_out_everywhere(anon, patient):
    phone, tablet = _login(anon, patient), _login(anon, patient)
    assert phone.post("/api/v1/auth/logout-all/").status_code == 204
    assert phone.get(ME).status_code == 401
    assert tablet.get(ME).status_code == 401
    assert not AuthToken.objects.filter(user=patient.user).exists()


def test_password_reset_by_email(anon, patient, smtp_server):
    phone = _login(anon, patient)
    asked = anon.post("/api/v1/auth/password/reset/", {"email": patient.user.email.upper()})
    assert asked.status_code == 202
    deliver_outbox()
    mail = smtp_server.wait_for(1)[0]
    assert mail.rcpt_tos == [patient.user.email]
    assert mail.message["Subject"] == "Reset your password"
    token = token_from(mail)

    confirm = "/api/v1/auth/password/reset/confirm/"
    weak = anon.post(confirm, {"token": token, "new_password": "short"})
    assert weak.status_code == 400 and "new_password" in weak.json()
    assert anon.post(confirm, {"token": token, "new_password": NEW}).status_code == 204
    assert phone.get(ME).status_code == 401  # every device signed out
    _login(anon, patient, NEW)
    again = anon.post(confirm, {"token": token, "new_password": "yet another passphrase"})
    assert again.status_code == 400 and "token" in again.json()  # the link works once


def test_password_reset_says_the_same_for_unknown_addresses(anon, smtp_server, clinician):
    for email in ["nobody@example.org", clinician.email]:
        response = anon.post("/api/v1/auth/password/reset/", {"email": email})
        assert response.status_code == 202
        assert response.json()["detail"].startswith("If that address has an account")
    deliver_outbox()
    assert smtp_server.messages == []
