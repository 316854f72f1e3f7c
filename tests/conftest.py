from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from accounts.models import CLINICIANS_GROUP
from accounts.services import auth_token_issue
from tests.clock import (  # noqa: F401  hooks of the --clock-at option, registered here
    pytest_addoption,
    pytest_configure,
    pytest_report_header,
    pytest_unconfigure,
)
from tests.factories import PatientFactory, UserFactory


def client_for(user) -> APIClient:
    """An API client as the phone sends it: a Bearer token from a real login."""
    token, _ = auth_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture(autouse=True)
def _broker_not_known_failing(monkeypatch):
    """Each test starts as a fresh process would: no broker failure remembered (a test that
    stops Redis must not make the next one's publishes wait for the sweep)."""
    from notify import services

    monkeypatch.setattr(services, "_broker_failed_at", None)


@pytest.fixture
def patient(db):
    return PatientFactory()


@pytest.fixture
def midday():
    """Noon today in the test patients' zone (PatientFactory), ticking from there.

    For tests that build entries relative to the clock ("an hour ago", PainLogFactory's
    default) and read them by local day: at 00:30 an hour ago is yesterday, and near
    midnight a few minutes on is tomorrow. Today's date, not a fixed one, so certificates and
    tokens made in the test stay valid against the real clock; nested travels still work.
    """
    zone = ZoneInfo("Europe/London")
    noon = datetime.combine(datetime.now(zone).date(), time(12), tzinfo=zone)
    with time_machine.travel(noon, tick=True):
        yield


@pytest.fixture
def stranger(db):
    """Another patient, whose data the first must never see."""
    return PatientFactory()


@pytest.fixture
def clinician(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=CLINICIANS_GROUP)[0])
    return user


@pytest.fixture
def api(patient) -> APIClient:
    return client_for(patient.user)


@pytest.fixture
def anon() -> APIClient:
    return APIClient()
