from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from tests.conftest import client_for

# Entries are built relative to the clock and read by local day: start at noon.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
GOOD = {
    "email": "Ada@Example.com",
    "password": "a long enough passphrase",
    "timezone": "Europe/Paris",
}


def test_register_returns_a_working_token(anon):
    response = anon.post(REGISTER, GOOD)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "expiry"}
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    me = anon.get(ME).json()
    assert me["email"] == "ada@example.com"
    assert me["timezone"] == "Europe/Paris"


def test_token_is_stored_hashed(anon):
    token = anon.post(REGISTER, GOOD).json()["token"]
    stored = AuthToken.objects.get()
    assert token not in (stored.digest, stored.token_key)
    assert len(stored.digest) == 128


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**GOOD, "email": "not-an-email"}, "email"),
        ({**GOOD, "password": "short"}, "password"),
        ({**GOOD, "password": "password123"}, "password"),
        ({**GOOD, "timezone": "Mars/Olympus"}, "timezone"),
        ({**GOOD, "role": "admin"}, "role"),
        ({"email": GOOD["email"]}, "password"),
    ],
)
def test_register_rejects_bad_input_with_field_errors(anon, payload, field):
    response = anon.post(REGISTER, payload)
    assert response.status_code == 400
    assert field in response.json()


def test_register_twice_with_same_email_in_any_case(anon):
    assert anon.post(REGISTER, GOOD).status_code == 201
    response = anon.post(REGISTER, {**GOOD, "email": "ADA@example.com"})
    assert response.status_code == 400
    assert "email" in response.json()


def test_login_and_logout_revokes_only_that_device(anon):
    anon.post(REGISTER, GOOD)
    phone = anon.post(LOGIN, {"email": "ada@example.com", "password": GOOD["password"]})
    tablet = anon.post(LOGIN, {"email": "ADA@example.com", "password": GOOD["password"]})
    assert phone.status_code == tablet.status_code == 200
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {phone.json()['token']}")
    assert anon.post(LOGOUT).status_code == 204
    assert anon.get(ME).status_code == 401
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {tablet.json()['token']}")
    assert anon.get(ME).status_code == 200


def test_login_with_wrong_password_is_400_without_saying_which_part(anon):
    anon.post(REGISTER, GOOD)
    response = anon.post(LOGIN, {"email": GOOD["email"], "password": "wrong password!"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_clinician_cannot_log_in_to_the_patient_api(anon, clinician):
    response = anon.post(LOGIN, {"email": clinician.email, "password": "correct horse battery"})
    assert response.status_code == 400


def test_clinician_token_is_refused(clinician):
    assert client_for(clinician).get(ME).status_code == 403


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer nonsense", "Token abc", "Basic dXNlcjpwYXNz"]
)
def test_requests_without_a_valid_token_get_401(anon, patient, header):
    if header:
        anon.credentials(HTTP_AUTHORIZATION=header)
    for url in [ME, "/api/v1/logs/", "/api/v1/treatments/", "/api/v1/trends/", "/api/v1/sites/"]:
        assert anon.get(url).status_code == 401, url


def test_expired_token_gets_401(patient):
    client = client_for(patient.user)
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert client.get(ME).status_code == 401


def test_an_expired_token_is_refused_and_left_for_the_purge(patient):
    client = client_for(patient.user)
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/sites/").status_code == 401
    # Deleting it is the retention purge's job (or the next sign-in's), not every request's.
    assert AuthToken.objects.filter(user=patient.user).count() == 1


def test_an_authenticated_request_costs_one_query(patient, django_assert_num_queries):
    client = client_for(patient.user)
    # The token (by its indexed prefix), its user and the patient profile, joined.
    with django_assert_num_queries(1) as captured:
        assert client.get("/api/v1/sites/").status_code == 200
    (query,) = [q["sql"] for q in captured.captured_queries]
    assert '"knox_authtoken"."token_key" =' in query and '"journal_patient"' in query
    # /me/ reads nothing but the profile, which came with the token.
    with django_assert_num_queries(1):
        assert client.get(ME).status_code == 200


def test_the_sliding_expiry_is_written_at_most_once_a_day(patient):
    client = client_for(patient.user)
    issued = AuthToken.objects.get(user=patient.user).expiry
    start = timezone.now()
    with (
        time_machine.travel(start + timedelta(hours=23)),
        CaptureQueriesContext(connection) as within_a_day,
    ):
        assert client.get("/api/v1/sites/").status_code == 200
    assert len(within_a_day) == 1
    assert AuthToken.objects.get(user=patient.user).expiry == issued
    with time_machine.travel(start + timedelta(hours=25)):
        with CaptureQueriesContext(connection) as after_a_day:
            assert client.get("/api/v1/sites/").status_code == 200
        now = timezone.now()
    assert len(after_a_day) == 2  # the lookup and the UPDATE of the expiry
    refreshed = AuthToken.objects.get(user=patient.user).expiry
    assert issued + timedelta(hours=24) < refreshed <= now + timedelta(days=30)


@pytest.mark.parametrize(("token", "queries"), [("ab" * 32, 1), ("\u00e9" * 10, 0)])
def test_a_wrong_token_is_401_after_at_most_the_lookup(
    anon, patient, token, queries, django_assert_num_queries
):
    client_for(patient.user)
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    with django_assert_num_queries(queries):  # not UTF-8: refused before any query
        assert anon.get("/api/v1/sites/").status_code == 401
