"""A clinician sees only their own patients, on every page, filter, search, autocomplete and
export; another clinician's patient is a 404, like one that does not exist. Each view of a
patient's data leaves an access-log row."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group

from accounts.models import CLINICIANS_GROUP
from clinic.models import AccessLog, ClinicalNote
from tests.clinic.conftest import browser_client, make_patient
from tests.factories import UserFactory
from triage.models import Alert

pytestmark = pytest.mark.django_db

PATIENT_PAGES = [
    "/admin/journal/patient/{pk}/change/",
    "/admin/journal/patient/{pk}/change/?days=365",
    "/admin/journal/patient/{pk}/print/",
    "/admin/journal/patient/{pk}/export.csv",
    "/admin/journal/patient/{pk}/export.fhir.json",
    "/admin/journal/patient/{pk}/history/",
    "/admin/journal/patient/{pk}/delete/",
]
# Each list with every filter it offers and a search that names the other patient.
SEARCHES = ["", "q=theirs", "q=example.com"]
LISTS = {
    "/admin/journal/patient/": ["site=achilles", "alert_level=consult_24h", "quiet=3"],
    "/admin/triage/alert/": ["state=all", "state=resolved", "alert_level=consult_24h"],
    "/admin/journal/painlog/": ["site__exact=achilles", "side__exact=left"],
    "/admin/journal/treatment/": ["kind__exact=ice", "site__exact=ankle_outer"],
    "/admin/clinic/clinicalnote/": ["kind__exact=note"],
}


@pytest.mark.parametrize("url", PATIENT_PAGES)
def test_another_clinicians_patient_is_a_404(doctor_client, mine, theirs, url):
    assert doctor_client.get(url.format(pk=theirs.pk)).status_code == 404
    assert doctor_client.get(url.format(pk=999999)).status_code == 404
    if "delete" not in url and "history" not in url:
        assert doctor_client.get(url.format(pk=mine.pk)).status_code == 200


def test_alert_pages_and_actions_refuse_another_clinicians_patient(doctor_client, theirs):
    alert = Alert.objects.get(patient=theirs, rule="infection_signs")
    url = f"/admin/triage/alert/{alert.pk}/change/"
    assert doctor_client.get(url).status_code == 404
    response = doctor_client.post(url, {"action": "resolve", "note": "mine now"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == "open"


def test_notes_cannot_be_written_on_another_clinicians_patient(doctor_client, theirs):
    url = f"/admin/journal/patient/{theirs.pk}/note/"
    assert doctor_client.post(url, {"text": "hello"}).status_code == 404
    response = doctor_client.post(
        "/admin/clinic/clinicalnote/add/", {"patient": theirs.pk, "text": "hello"}
    )
    assert response.status_code == 200  # the form again, with an error on the patient field
    assert "Select a valid choice" in response.content.decode()
    assert not ClinicalNote.objects.exists()


@pytest.mark.parametrize("url", LISTS)
def test_lists_filters_and_search_show_only_linked_patients(doctor_client, mine, theirs, url):
    for query in [*SEARCHES, *LISTS[url]]:
        page = doctor_client.get(f"{url}?{query}")
        assert page.status_code == 200, (url, query)
        assert "theirs@example.com" not in page.content.decode(), (url, query)
    if "clinicalnote" not in url:
        assert "mine@example.com" in doctor_client.get(url).content.decode()


def test_autocomplete_offers_only_linked_patients(doctor_client, mine, theirs):
    response = doctor_client.get(
        "/admin/autocomplete/",
        {"app_label": "clinic", "model_name": "clinicalnote", "field_name": "patient", "term": ""},
    )
    assert response.status_code == 200
    assert [r["text"] for r in json.loads(response.content)["results"]] == ["mine@example.com"]


def test_superuser_sees_everyone_and_is_audited_too(mine, theirs):
    boss = UserFactory(is_staff=True, is_superuser=True)
    client = browser_client(boss)
    text = client.get("/admin/journal/patient/").content.decode()
    assert "mine@example.com" in text and "theirs@example.com" in text
    assert client.get(f"/admin/journal/patient/{theirs.pk}/change/").status_code == 200
    assert set(
        AccessLog.objects.filter(user_id=boss.pk, patient_id=theirs.pk).values_list(
            "action", flat=True
        )
    ) == {"patient_list", "patient_page"}


def test_the_workspace_and_the_operators_admin_keep_out_who_does_not_belong(doctor, mine):
    # A clinician has no business in the operators' admin (every patient, the outbox).
    clinician = browser_client(doctor)
    assert clinician.get("/ops/journal/patient/").status_code == 302
    assert clinician.get("/ops/notify/message/").status_code == 302
    # An operator (staff, not a clinician) is not let into the workspace.
    operator = browser_client(UserFactory(is_staff=True))
    assert operator.get("/admin/journal/patient/").status_code == 302
    # A patient who is somehow staff-less is refused both.
    patient = browser_client(mine.user)
    assert patient.get("/admin/journal/patient/").status_code == 302
    assert patient.get("/ops/").status_code == 302


def test_a_staff_user_outside_the_clinicians_group_is_not_a_clinician(mine):
    user = UserFactory(is_staff=True)
    mine.clinicians.add(user)  # linked by hand, but not in the group
    assert browser_client(user).get("/admin/journal/patient/").status_code == 302
    user.groups.add(Group.objects.get(name=CLINICIANS_GROUP))
    assert browser_client(user).get("/admin/journal/patient/").status_code == 200


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/admin/journal/patient/", "patient_list"),
        ("/admin/journal/patient/{pk}/change/", "patient_page"),
        ("/admin/journal/patient/{pk}/print/", "print"),
        ("/admin/journal/patient/{pk}/export.csv", "export_csv"),
        ("/admin/journal/patient/{pk}/export.fhir.json", "export_fhir"),
        ("/admin/journal/painlog/", "entry_list"),
        ("/admin/journal/treatment/", "treatment_list"),
        ("/admin/triage/alert/{alert}/change/", "alert"),
    ],
)
def test_each_view_of_patient_data_writes_one_access_log_row(
    doctor, doctor_client, mine, theirs, url, action
):
    alert = Alert.objects.get(patient=mine, rule="infection_signs")
    before = AccessLog.objects.count()
    response = doctor_client.get(
        url.format(pk=mine.pk, alert=alert.pk), HTTP_USER_AGENT="pytest", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    assert AccessLog.objects.count() == before + 1
    row = AccessLog.objects.latest("id")
    assert (row.user_id, row.user_email, row.patient_id, row.action) == (
        doctor.pk,
        doctor.email,
        mine.pk,
        action,
    )
    assert (row.ip_address, row.user_agent) == ("10.1.2.3", "pytest")


def test_a_list_logs_one_row_per_patient_shown(doctor, doctor_client):
    patients = [make_patient(clinician=doctor, alert=False, days=1) for _ in range(3)]
    doctor_client.get("/admin/journal/painlog/")
    logged = set(AccessLog.objects.filter(action="entry_list").values_list("patient_id", flat=True))
    assert logged == {p.pk for p in patients}
