"""Reads. Every query for patient data starts from one of the *_visible_to selectors,
which scope it to who is asking: the patient themself, an assigned clinician, or a superuser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, Max, QuerySet, Sum
from django.db.models.functions import TruncDate

from journal.models import PainLog, Patient, Treatment, TreatmentKind
from journal.timezones import zone

if TYPE_CHECKING:
    from accounts.models import User


def patients_visible_to(user: User) -> QuerySet[Patient]:
    if not user.is_active:
        return Patient.objects.none()
    if user.is_superuser:
        return Patient.objects.all()
    if user.is_clinician:
        return Patient.objects.filter(clinicians=user)
    return Patient.objects.filter(pk=user.pk)


def pain_logs_visible_to(user: User) -> QuerySet[PainLog]:
    if is_plain_patient(user):
        return PainLog.objects.filter(patient_id=user.pk)
    return PainLog.objects.filter(patient__in=patients_visible_to(user))


def treatments_visible_to(user: User) -> QuerySet[Treatment]:
    if is_plain_patient(user):
        return Treatment.objects.filter(patient_id=user.pk)
    return Treatment.objects.filter(patient__in=patients_visible_to(user))


def is_plain_patient(user: User) -> bool:
    """A patient's own data is scoped by one comparison, without the patients subquery."""
    return user.is_active and not user.is_staff and not user.is_superuser


def pain_log_list(
    *,
    user: User,
    since: datetime | None = None,
    until: datetime | None = None,
    site: str | None = None,
    side: str | None = None,
) -> QuerySet[PainLog]:
    logs = pain_logs_visible_to(user)
    if since is not None:
        logs = logs.filter(recorded_at__gte=since)
    if until is not None:
        logs = logs.filter(recorded_at__lte=until)
    if site:
        logs = logs.filter(site=site)
    if side:
        logs = logs.filter(side=side)
    return logs.order_by("-recorded_at", "-id")


def treatment_list(
    *,
    user: User,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str | None = None,
) -> QuerySet[Treatment]:
    treatments = treatments_visible_to(user)
    if since is not None:
        treatments = treatments.filter(started_at__gte=since)
    if until is not None:
        treatments = treatments.filter(started_at__lte=until)
    if kind:
        treatments = treatments.filter(kind=kind)
    return treatments.order_by("-started_at", "-id")


@dataclass(frozen=True, slots=True)
class TrendRow:
    date: date
    site: str
    side: str
    max_severity: int | None
    mean_severity: float | None
    entries: int
    ice_minutes: int
    heat_minutes: int


def trends_for(*, patient: Patient, days: int, now: datetime) -> list[TrendRow]:
    """Per local day (the patient's zone) and site/side, oldest first; two grouped queries."""
    tz = zone(patient.timezone)
    first_day = now.astimezone(tz).date() - timedelta(days=days - 1)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=tz)

    pain = (
        PainLog.objects.filter(patient=patient, recorded_at__gte=start, recorded_at__lte=now)
        .annotate(day=TruncDate("recorded_at", tzinfo=tz))
        .values("day", "site", "side")
        .annotate(max_severity=Max("severity"), mean_severity=Avg("severity"), entries=Count("id"))
    )
    care = (
        Treatment.objects.filter(
            patient=patient, started_at__gte=start, started_at__lte=now, minutes__isnull=False
        )
        .annotate(day=TruncDate("started_at", tzinfo=tz))
        .values("day", "site", "side", "kind")
        .annotate(minutes=Sum("minutes"))
    )

    rows: dict[tuple[date, str, str], dict] = {}
    for row in pain:
        rows[(row["day"], row["site"], row["side"])] = {
            "max_severity": row["max_severity"],
            "mean_severity": round(float(row["mean_severity"]), 2),
            "entries": row["entries"],
            "ice_minutes": 0,
            "heat_minutes": 0,
        }
    for row in care:
        key = (row["day"], row["site"], row["side"])
        bucket = rows.setdefault(
            key,
            {
                "max_severity": None,
                "mean_severity": None,
                "entries": 0,
                "ice_minutes": 0,
                "heat_minutes": 0,
            },
        )
        field = "ice_minutes" if row["kind"] == TreatmentKind.ICE else "heat_minutes"
        bucket[field] += row["minutes"] or 0
    return [
        TrendRow(date=day, site=site, side=side, **values)
        for (day, site, side), values in sorted(rows.items())
    ]
