"""Security review item 2: throttles cannot be dodged with X-Forwarded-For, and one account
cannot be guessed at from many addresses."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
REGISTER = "/api/v1/auth/register/"
PASSWORD = "a long enough passphrase"


@pytest.fixture
def production_rate(monkeypatch):
    """The production rate for the auth scope (tests run with a huge one), fresh history."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "20/min"})
    cache.delete("throttle_auth_127.0.0.1")
    yield
    cache.delete("throttle_auth_127.0.0.1")


def _email() -> str:
    return f"ada-{uuid.uuid4().hex[:8]}@example.com"


def _register(anon, email: str) -> None:
    response = anon.post(REGISTER, {"email": email, "password": PASSWORD, "timezone": "UTC"})
    assert response.status_code == 201


def test_a_new_x_forwarded_for_each_time_does_not_reset_the_throttle(anon, production_rate):
    # A different account each time too, so only the per-client throttle can answer 429.
    codes = [
        anon.post(
            LOGIN,
            {"email": _email(), "password": f"guess {n}"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(25)
    ]
    assert codes[:20] == [400] * 20
    assert set(codes[20:]) == {429}


def test_registration_is_throttled_as_strictly_as_login(anon, production_rate):
    codes = [
        anon.post(
            REGISTER,
            {"email": _email(), "password": PASSWORD, "timezone": "UTC"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(22)
    ]
    assert codes.count(201) == 20
    assert codes[-1] == 429


def test_many_wrong_passwords_lock_the_account_even_for_the_right_one(anon, settings):
    # As from a botnet: every guess from a different address (the per-client throttle is
    # the test suite's generous one here).
    email = _email()
    _register(anon, email)
    codes = [
        anon.post(
            LOGIN,
            {"email": email, "password": f"guess {n}"},
            REMOTE_ADDR=f"192.0.2.{n}",
        ).status_code
        for n in range(60)
    ]
    assert codes[: settings.LOGIN_FAILURE_LIMIT] == [400] * settings.LOGIN_FAILURE_LIMIT
    assert set(codes[settings.LOGIN_FAILURE_LIMIT :]) == {429}
    right = anon.post(LOGIN, {"email": email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.200")
    assert right.status_code == 429
    assert "detail" in right.json() and int(right["Retry-After"]) > 0


def test_a_successful_login_clears_the_count_and_other_accounts_are_untouched(anon, settings):
    email, other = _email(), _email()
    _register(anon, email)
    _register(anon, other)
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        anon.post(LOGIN, {"email": email, "password": "wrong one"})
    assert anon.post(LOGIN, {"email": email, "password": PASSWORD}).status_code == 200
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert anon.post(LOGIN, {"email": email, "password": "wrong one"}).status_code == 400
    assert anon.post(LOGIN, {"email": other, "password": PASSWORD}).status_code == 200
