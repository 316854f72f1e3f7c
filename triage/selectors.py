from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from journal.selectors import is_plain_patient, patients_visible_to
from triage.models import Alert, PatientAssessment

if TYPE_CHECKING:
    from accounts.models import User


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    if is_plain_patient(user):
        return Alert.objects.filter(patient_id=user.pk)
    return Alert.objects.filter(patient__in=patients_visible_to(user))


def patient_ids_due_for_reassessment(*, now: datetime, limit: int | None = None) -> QuerySet:
    """Patients whose assessment time alone may have changed by ``now``, most overdue first.

    Each re-assessment stores the first instant at which time alone could change it
    (PatientAssessment.next_change_at: a local day turning that ends an episode's quiet
    period or drops a session from the advice window, a running session passing 15 minutes),
    so this is a range scan of a partial index, however many patients and entries there are.
    Writes store a new instant in their own transaction, so nobody is missed or re-read.
    """
    due = (
        PatientAssessment.objects.filter(next_change_at__lte=now)
        .order_by("next_change_at")
        .values_list("patient_id", flat=True)
    )
    return due if limit is None else due[:limit]
