from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from journal.selectors import is_plain_patient, patients_visible_to
from notify.models import Device

if TYPE_CHECKING:
    from accounts.models import User


def devices_visible_to(user: User) -> QuerySet[Device]:
    if is_plain_patient(user):
        return Device.objects.filter(patient_id=user.pk)
    return Device.objects.filter(patient__in=patients_visible_to(user))
