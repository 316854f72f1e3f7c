"""Schemathesis hooks for the contract run (tests/contract/test_fuzz.py).

Every request is made as a real patient with a Bearer token from /auth/register/:

- most operations share one patient whose journal is seeded through the API, so lists,
  trends, triage and alerts answer with real content for the response checks;
- operations that end a session or the account (logout, sign out everywhere, password
  change, DELETE /me/) get a fresh patient for every test case, so they never sign the
  shared patient out in the middle of the run. New endpoints of that sort are matched by
  ACCOUNT_ENDING below, not listed one by one.
"""

from __future__ import annotations

import itertools
import os
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import schemathesis

BASE_URL = os.environ["CONTRACT_BASE_URL"]
PASSWORD = "contract-Test-password-7"

ACCOUNT_ENDING = [
    (re.compile(r"^DELETE$"), re.compile(r"/me/$")),
    (re.compile(r".*"), re.compile(r"(logout|sign-?out|password)")),
]
_fresh = itertools.count()


def _ends_the_account(method: str, path: str) -> bool:
    return any(m.match(method.upper()) and p.search(path) for m, p in ACCOUNT_ENDING)


def _send(http: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
    """One set-up request; a 429 (the fuzzer's own traffic counts too) is waited out."""
    for _ in range(5):
        response = http.request(method, f"{BASE_URL}{url}", timeout=30, **kwargs)
        if response.status_code != 429:
            response.raise_for_status()
            return response
        time.sleep(min(int(response.headers.get("Retry-After", "1")), 10))
    response.raise_for_status()
    return response


def register_patient() -> str:
    body = {
        "email": f"fuzz-{uuid.uuid4().hex[:12]}@example.org",
        "password": PASSWORD,
        "timezone": "Europe/London",
    }
    return _send(requests.Session(), "POST", "/api/v1/auth/register/", json=body).json()["token"]


def seed_journal(token: str) -> None:
    """A week of entries and sessions, a registered phone, and an open alert."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    now = datetime.now(UTC)
    for day in range(7):
        at = (now - timedelta(days=day, hours=1)).isoformat()
        log = {"recorded_at": at, "site": "achilles", "side": "left", "severity": 3 + day % 4}
        _send(http, "POST", "/api/v1/logs/", json=log)
        ice = {"kind": "ice", "site": "achilles", "side": "left", "started_at": at, "minutes": 15}
        _send(http, "POST", "/api/v1/treatments/", json=ice)
    urgent = {
        "recorded_at": now.isoformat(),
        "site": "ankle_outer",
        "side": "right",
        "severity": 9,
        "fever": True,
        "temperature_c": 38.9,
        "redness_or_warmth": True,
        "swelling": "severe",
        "can_bear_weight": False,
    }
    _send(http, "POST", "/api/v1/logs/", json=urgent)
    phone = {"kind": "fcm", "registration_id": "contract-run-phone", "name": "Phone"}
    _send(http, "POST", "/api/v1/devices/", json=phone)


def _cache_key(case: Any, context: Any) -> str:
    if _ends_the_account(case.method, case.path):
        return f"fresh-{next(_fresh)}"
    return "shared"


@schemathesis.auth(cache_by_key=_cache_key, refresh_interval=3600)
class PatientToken:
    def get(self, case: Any, context: Any) -> str:
        token = register_patient()
        if not _ends_the_account(case.method, case.path):
            seed_journal(token)
        return token

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
