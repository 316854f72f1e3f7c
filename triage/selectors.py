from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from journal.models import Patient
from journal.selectors import is_plain_patient, patients_visible_to
from triage.episodes import SILENT_GAP_DAYS
from triage.models import ACTIVE_STATUSES, Alert
from triage.rules import TREATMENT_ADVICE_DAYS

if TYPE_CHECKING:
    from accounts.models import User


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    if is_plain_patient(user):
        return Alert.objects.filter(patient_id=user.pk)
    return Alert.objects.filter(patient__in=patients_visible_to(user))


def patient_ids_due_for_reassessment(*, now: datetime) -> QuerySet[Patient]:
    """Patients whose assessment can change with time alone, as one query.

    Only two things change with no new entry: an active alert whose episode may have ended
    (so it resolves), and a live episode whose day counts grow (pain that has not gone away).
    An episode with nothing logged for SILENT_GAP_DAYS has ended, so older entries
    cannot change anything; treatment advice looks back TREATMENT_ADVICE_DAYS.
    """
    horizon = now - timedelta(days=max(SILENT_GAP_DAYS, TREATMENT_ADVICE_DAYS) + 2)
    return (
        Patient.objects.filter(
            Q(alerts__status__in=ACTIVE_STATUSES)
            | Q(pain_logs__recorded_at__gte=horizon)
            | Q(treatments__started_at__gte=horizon)
        )
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
