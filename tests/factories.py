from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from journal.models import PainLog, Patient, Treatment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    # Verified, as most accounts in use are; tests of the unverified state say so.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    user = factory.SubFactory(UserFactory)
    timezone = "Europe/London"


class PainLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PainLog

    patient = factory.SubFactory(PatientFactory)
    recorded_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    site = "ankle_outer"
    side = "right"
    severity = 3


class TreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Treatment

    patient = factory.SubFactory(PatientFactory)
    kind = "ice"
    site = "ankle_outer"
    side = "right"
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    minutes = 15
