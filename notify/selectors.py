from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from journal.selectors import patients_visible_to
from notify.models import Device

if TYPE_CHECKING:
    from accounts.models import User


def devices_visible_to(user: User) -> QuerySet[Device]:
    if user.is_active and not user.is_staff and not user.is_superuser:
        return Device.objects.filter(patient_id=user.pk)
    return Device.objects.filter(patient__in=patients_visible_to(user))
