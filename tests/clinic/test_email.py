"""The clinician's alert email is in words, and its link opens the patient's page for them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from journal.services import patient_lock
from notify.models import Message
from notify.services import message_deliver
from tests.clinic.conftest import make_patient
from triage.services import patient_reassess

pytestmark = pytest.mark.django_db


def test_the_email_names_the_advice_in_words_and_links_the_patient_page(doctor, other_doctor):
    patient = make_patient(clinician=None, alert=False, days=0)
    patient.clinicians.add(doctor)
    from tests.factories import PainLogFactory

    PainLogFactory(
        patient=patient, fever=True, temperature_c=38.7, redness_or_warmth=True, severity=6
    )
    with transaction.atomic():
        patient_reassess(patient=patient_lock(patient.pk), now=timezone.now())
    message = Message.objects.get(kind="clinician_alert", to_email=doctor.email)
    message_deliver(message_id=str(message.pk))
    email = next(m for m in mail.outbox if m.to == [doctor.email])
    assert "See a doctor within 24 hours." in email.body
    assert "consult_24h" not in email.body and "consult_24h" not in email.subject
    url = re.search(r"https?://\S+", email.body).group(0)
    path = url.split("://", 1)[1].split("/", 1)[1]

    clinician = Client()
    clinician.force_login(doctor)
    page = clinician.get(f"/{path}")
    assert page.status_code == 200
    assert patient.user.email in page.content.decode()
    stranger = Client()
    stranger.force_login(other_doctor)
    assert stranger.get(f"/{path}").status_code == 404
