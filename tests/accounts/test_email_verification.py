"""Security review item 6: no email to an address until its owner has confirmed it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notify.models import Message
from tests.accounts.mail import deliver_outbox, token_from
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
VERIFY = "/api/v1/auth/verify-email/"
RESEND = "/api/v1/auth/verify-email/resend/"
ME = "/api/v1/me/"
VICTIM = "victim@example.org"


def _register(anon, email: str = VICTIM) -> str:
    response = anon.post(
        REGISTER, {"email": email, "password": "a long enough passphrase", "timezone": "UTC"}
    )
    assert response.status_code == 201
    return response.json()["token"]


def _severe_entry() -> dict:
    at = timezone.now() - timedelta(minutes=2)
    return {"recorded_at": at.isoformat(), "site": "ankle_outer", "side": "right", "severity": 9}


def test_someone_elses_address_gets_no_health_mail(
    anon, smtp_server, django_capture_on_commit_callbacks
):
    # An attacker registers the victim's address and makes the journal "see a doctor" them.
    token = _register(anon)
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    anon.patch(ME, {"alert_channels": ["email"], "reminder_channels": ["email"]})
    assert anon.get(ME).json()["email_verified"] is False  # the API says so
    assert anon.post("/api/v1/logs/", _severe_entry()).json()["triage"]["level"] != "none"
    deliver_outbox()
    subjects = [m.message["Subject"] for m in smtp_server.messages]
    assert subjects == ["Confirm your email address"]  # and nothing else, ever
    assert not Message.objects.filter(kind__in=["alert", "reminder"], channel="email").exists()


def test_the_mailed_link_verifies_and_then_email_is_a_channel(anon, smtp_server):
    token = _register(anon)
    deliver_outbox()
    link_token = token_from(smtp_server.wait_for(1)[0])
    verified = anon.post(VERIFY, {"token": link_token})  # no sign-in needed
    assert verified.status_code == 200
    assert verified.json() == {"email": VICTIM, "email_verified": True}
    api = anon
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(ME).json()["email_verified"] is True
    api.patch(ME, {"alert_channels": ["email"]})
    api.post("/api/v1/logs/", _severe_entry())
    deliver_outbox()
    assert smtp_server.wait_for(2)[1].message["Subject"] == "Please book a doctor's appointment"


@pytest.mark.parametrize("bad", ["nonsense", "", "x" * 1001])
def test_a_bad_token_is_400_on_the_token_field(anon, bad):
    response = anon.post(VERIFY, {"token": bad})
    assert response.status_code == 400
    assert "token" in response.json()


def test_an_old_link_has_expired(anon, smtp_server):
    _register(anon)
    deliver_outbox()
    link_token = token_from(smtp_server.wait_for(1)[0])
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = anon.post(VERIFY, {"token": link_token})
    assert response.status_code == 400 and "token" in response.json()


def test_resend_sends_a_new_link_until_verified(anon, smtp_server, patient):
    patient.user.email_verified_at = None
    patient.user.save()
    api = client_for(patient.user)
    assert api.post(RESEND).status_code == 202
    flood = api.post(RESEND)  # the address may not be theirs: one mail per 5 minutes
    assert flood.status_code == 429 and "detail" in flood.json()
    deliver_outbox()
    link_token = token_from(smtp_server.wait_for(1)[0])
    assert anon.post(VERIFY, {"token": link_token}).status_code == 200
    assert api.post(RESEND).json() == {"detail": "Your address is already verified."}
    deliver_outbox()
    assert len(smtp_server.messages) == 1
