"""Holes a black-box probe of the workspace found: where a refused ``next=`` lands, CSV cells
that a spreadsheet still reads as formulas, and invite-code guesses spread over many accounts."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from clinic.exports import _safe
from clinic.services import invite_code_create
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

TEAM = "/api/v1/care-team/"


PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def _sign_in(path: str, email: str) -> list[str]:
    response = Client().post(path, {"username": email, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    return [url for url, _ in response.redirect_chain]


def test_a_clinician_whose_next_is_refused_lands_in_the_workspace(doctor):
    chain = _sign_in("/admin/login/?next=https://evil.example/steal", doctor.email)
    assert chain[0] == "/signed-in/"
    assert chain[-1].startswith("/admin/")  # My patients
    assert not any("evil" in url or "/accounts/profile/" in url for url in chain)


def test_an_operator_whose_next_is_refused_lands_in_the_operators_admin():
    operator = UserFactory(is_staff=True)
    chain = _sign_in("/ops/login/?next=//evil.example/", operator.email)
    assert chain == ["/signed-in/", "/ops/"]


def test_a_patient_account_is_sent_home():
    patient = PatientFactory()
    client = Client()
    client.force_login(patient.user)
    assert client.get("/signed-in/")["Location"] == "/"


@pytest.mark.parametrize(
    "note",
    [" =1+1", "  +SUM(A1)", "\n=HYPERLINK(x)", "\r\n@cmd", " \t-2+3", "=plain", "\tTAB"],
)
def test_a_note_that_a_spreadsheet_would_read_as_a_formula_is_quoted(note):
    assert _safe(note) == "'" + note


@pytest.mark.parametrize("note", ["", "Sore after a walk", "  fine", "1-2 hours", "e=mc2"])
def test_an_ordinary_note_is_left_as_it_is(note):
    assert _safe(note) == note


@pytest.fixture
def strict_invite_rates(settings):
    settings.INVITE_CODE_ADDRESS_RATE = "5/hour"
    settings.INVITE_CODE_GLOBAL_RATE = "8/hour"
    settings.ADMINS = [("Ops", "ops@example.com")]
    cache.delete_many(
        [
            "throttle_invite_code_address_127.0.0.1",
            "throttle_invite_code_global_all",
            "operators-alert:invite-code-burst",
        ]
    )
    yield
    cache.delete_many(
        [
            "throttle_invite_code_address_127.0.0.1",
            "throttle_invite_code_global_all",
            "operators-alert:invite-code-burst",
        ]
    )


def _guess(client, address: str = "127.0.0.1") -> int:
    return client.post(TEAM, {"code": "ZZZZ-ZZZZ"}, REMOTE_ADDR=address).status_code


def test_fresh_accounts_from_one_address_share_one_count(strict_invite_rates):
    codes = [_guess(client_for(PatientFactory().user)) for _ in range(7)]
    assert codes[:5] == [400] * 5  # a wrong code, each from a brand-new account
    assert codes[5:] == [429, 429]


def test_many_addresses_are_bounded_for_the_whole_service_and_operators_are_told(
    strict_invite_rates, doctor, caplog
):
    addresses = [f"203.0.113.{n}" for n in range(12)]
    with caplog.at_level(logging.ERROR, logger="footjournal.operators"):
        codes = [_guess(client_for(PatientFactory().user), address) for address in addresses]
    assert codes[:8] == [400] * 8
    assert set(codes[8:]) == {429}
    # Every refusal is logged; one mail per window however many refusals.
    assert sum("Invite-code guessing burst" in r.getMessage() for r in caplog.records) == 4
    burst_mails = [m for m in mail.outbox if "Invite-code guessing burst" in m.subject]
    assert len(burst_mails) == 1 and burst_mails[0].to == ["ops@example.com"]
    # The patient with a real code waits too: the bound is global by design.
    real = invite_code_create(clinician=doctor, now=timezone.now())
    assert client_for(PatientFactory().user).post(TEAM, {"code": real.code}).status_code == 429
    for address in addresses:
        cache.delete(f"throttle_invite_code_address_{address}")


def test_reading_the_care_team_is_not_counted(strict_invite_rates, api):
    assert all(api.get(TEAM).status_code == 200 for _ in range(10))
    assert _guess(api) == 400
