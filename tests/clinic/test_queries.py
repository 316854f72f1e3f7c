"""The patients list and a patient page cost the same number of queries at 10 and 200
patients (and however many entries each has)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.clinic.conftest import make_patient

pytestmark = pytest.mark.django_db


def _grow_to(doctor, count: int) -> None:
    from journal.models import Patient

    have = Patient.objects.filter(clinicians=doctor).count()
    for n in range(have, count):
        make_patient(clinician=doctor, alert=n % 3 == 0, days=2 + n % 4)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


LIST_URLS = [
    "/admin/journal/patient/",
    "/admin/journal/patient/?alert_level=consult_24h",
    "/admin/journal/patient/?quiet=3&site=ankle_outer",
    "/admin/triage/alert/",
    "/admin/journal/painlog/",
]


def test_lists_and_patient_page_cost_the_same_at_10_and_200_patients(
    doctor, doctor_client, django_assert_max_num_queries
):
    _grow_to(doctor, 10)
    from journal.models import Patient

    first = Patient.objects.filter(clinicians=doctor).order_by("pk").first()
    page = f"/admin/journal/patient/{first.pk}/change/"
    small = {url: _count(doctor_client, url) for url in [*LIST_URLS, page]}

    _grow_to(doctor, 200)
    for url, count in small.items():
        # list_per_page is 50: 200 patients fill a page, 10 do not, and still the same count.
        with django_assert_max_num_queries(count):
            assert doctor_client.get(url).status_code == 200
        assert _count(doctor_client, url) == count, url
    # Session, user, clinician zone, group, permissions (2), count, rows, the page's active
    # alerts, the page's 7-day trend data, the page's PEG scores, the access-log insert,
    # session save.
    assert small["/admin/journal/patient/"] <= 15
    # As above, plus the chart (3), assessment facts, entries and sessions with their counts,
    # alerts, notifications, notes and the access-log insert.
    # Issue 20 adds the questionnaire responses (1) and the treatment insight (4: it reads
    # the triage facts again, and the open alerts' sites).
    assert small[page] <= 29
