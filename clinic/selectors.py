"""Reads for the clinicians' workspace. Every one starts from the *_visible_to selectors in
journal and triage, here and nowhere else in the workspace, so a clinician sees only the
patients linked to them (superusers see all) on every page, filter, search and export."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404

from clinic.models import ClinicalNote, ClinicianProfile, InviteCode
from clinic.trend import TREND_DAYS, daily_worst, trend
from clinic.words import site_words
from journal.models import PainLog, Patient, Treatment
from journal.selectors import (
    pain_logs_visible_to,
    patients_visible_to,
    treatments_visible_to,
    trends_for,
)
from journal.timezones import zone
from notify.models import Message
from triage.domain import Level
from triage.models import ACTIVE_STATUSES, Alert, AlertStatus
from triage.selectors import alerts_visible_to

if TYPE_CHECKING:
    from accounts.models import User

QUIET_DAYS = 3

# Alert urgency as a number the database can sort by: the triage Level's own order.
LEVEL_RANK = Case(
    *(When(level=level.code, then=Value(int(level))) for level in Level),
    default=Value(0),
    output_field=IntegerField(),
)

# Open alerts before acknowledged ones (someone is already on those), then resolved.
WAITING_FIRST = Case(
    When(status=AlertStatus.OPEN, then=Value(2)),
    When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


# --- the one place the workspace scopes what a user may see ----------------------------


def workspace_patients(user: User) -> QuerySet[Patient]:
    return patients_visible_to(user)


def workspace_pain_logs(user: User) -> QuerySet[PainLog]:
    return pain_logs_visible_to(user)


def workspace_treatments(user: User) -> QuerySet[Treatment]:
    return treatments_visible_to(user)


def workspace_alerts(user: User) -> QuerySet[Alert]:
    return alerts_visible_to(user)


def workspace_notes(user: User) -> QuerySet[ClinicalNote]:
    return ClinicalNote.objects.filter(patient__in=patients_visible_to(user))


def workspace_invite_codes(user: User) -> QuerySet[InviteCode]:
    codes = InviteCode.objects.all()
    return codes if user.is_superuser else codes.filter(clinician=user)


def patient_or_404(user: User, patient_id: Any) -> Patient:
    """Another clinician's patient is a 404, exactly like one that does not exist."""
    try:
        patients = with_names(workspace_patients(user), user=user)
        return patients.select_related("user").get(pk=int(patient_id))
    except (Patient.DoesNotExist, TypeError, ValueError):
        raise Http404("No such patient.") from None


def clinician_zone_name(user: User) -> str:
    name = (
        ClinicianProfile.objects.filter(user_id=user.pk).values_list("timezone", flat=True).first()
    )
    # No row yet: the zone a new row would get, so opening "time zone" changes nothing.
    return name or ClinicianProfile._meta.get_field("timezone").default


# --- My patients ---------------------------------------------------------------------------


def patient_list(*, user: User, now: datetime) -> QuerySet[Patient]:
    """Every patient this user may see, annotated with what the list shows and sorts by.

    One query however many patients and entries (correlated subqueries on indexed columns),
    plus one for the active alerts of the page shown (prefetch)."""
    open_alerts = (
        Alert.objects.filter(patient=OuterRef("pk"), status=AlertStatus.OPEN)
        .annotate(rank=LEVEL_RANK)
        .order_by("-rank", "opened_at")
    )
    latest = PainLog.objects.filter(patient=OuterRef("pk")).order_by("-recorded_at", "-id")
    return (
        with_names(workspace_patients(user), user=user)
        .select_related("user")
        .annotate(
            urgency=Subquery(open_alerts.values("rank")[:1]),
            urgent_since=Subquery(open_alerts.values("opened_at")[:1]),
            last_at=Subquery(latest.values("recorded_at")[:1]),
            last_severity=Subquery(latest.values("severity")[:1]),
            last_site=Subquery(latest.values("site")[:1]),
            last_side=Subquery(latest.values("side")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "alerts",
                queryset=Alert.objects.filter(status__in=ACTIVE_STATUSES)
                .annotate(rank=LEVEL_RANK)
                .order_by("-rank", "opened_at"),
                to_attr="active_alerts",
            )
        )
    )


def with_names(patients: QuerySet[Patient], *, user: User) -> QuerySet[Patient]:
    """``name``: what this clinician called the patient on the invite code they redeemed."""
    codes = InviteCode.objects.filter(used_by=OuterRef("pk"), clinician_id=user.pk).exclude(note="")
    return patients.annotate(name=Subquery(codes.order_by("-used_at").values("note")[:1]))


def search_patients(patients: QuerySet[Patient], term: str, *, user: User) -> QuerySet[Patient]:
    """By email, or by the name this clinician gave the patient (never another's)."""
    term = term.strip()
    if not term:
        return patients
    named = InviteCode.objects.filter(
        used_by=OuterRef("pk"), clinician_id=user.pk, note__icontains=term
    )
    return patients.filter(Q(user__email__icontains=term) | Exists(named))


URGENCY_ORDER = (
    F("urgency").desc(nulls_last=True),
    F("urgent_since").asc(nulls_last=True),
    "user__email",
)


def filter_open_alert_level(patients: QuerySet[Patient], level: str) -> QuerySet[Patient]:
    return patients.filter(
        Exists(Alert.objects.filter(patient=OuterRef("pk"), status=AlertStatus.OPEN, level=level))
    )


def filter_site(patients: QuerySet[Patient], site: str, *, now: datetime) -> QuerySet[Patient]:
    """Patients with an entry at this site in the last 30 days."""
    return patients.filter(
        Exists(
            PainLog.objects.filter(
                patient=OuterRef("pk"), site=site, recorded_at__gte=now - timedelta(days=30)
            )
        )
    )


def filter_quiet(patients: QuerySet[Patient], *, now: datetime) -> QuerySet[Patient]:
    """No entry for QUIET_DAYS or more (or never)."""
    cutoff = now - timedelta(days=QUIET_DAYS)
    return patients.filter(Q(last_at__lt=cutoff) | Q(last_at__isnull=True))


def attach_trends(patients: list[Patient], *, now: datetime) -> None:
    """Set ``trend`` on each patient of a page: one query for the whole page."""
    by_patient: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    # A day of slack either side: local days are cut in each patient's own zone below.
    since = now - timedelta(days=TREND_DAYS + 1)
    rows = PainLog.objects.filter(
        patient_id__in=[p.pk for p in patients], recorded_at__gte=since, recorded_at__lte=now
    ).values_list("patient_id", "recorded_at", "severity")
    for patient_id, recorded_at, severity in rows:
        by_patient[patient_id].append((recorded_at, severity))
    for patient in patients:
        tz = zone(patient.timezone)
        worst = daily_worst(by_patient[patient.pk], tz=tz, today=now.astimezone(tz).date())
        patient.trend = trend(worst)  # type: ignore[attr-defined]


# --- A patient's page ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chart:
    labels: list[str]
    severity: list[dict[str, Any]]
    ice_minutes: list[int | None]
    heat_minutes: list[int | None]
    alerts_opened: list[int | None]

    def as_json(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "severity": self.severity,
            "ice_minutes": self.ice_minutes,
            "heat_minutes": self.heat_minutes,
            "alerts_opened": self.alerts_opened,
        }


def patient_chart(*, patient: Patient, days: int, now: datetime) -> Chart:
    """Daily worst and mean severity per site and side, ice/heat minutes and alert openings,
    on one time line of the patient's local days (the oldest first). Three queries."""
    tz = zone(patient.timezone)
    today = now.astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    day_list = [first + timedelta(days=n) for n in range(days)]
    index = {day: n for n, day in enumerate(day_list)}
    series: dict[tuple[str, str], dict[str, list[Any]]] = {}
    ice: list[int | None] = [None] * days
    heat: list[int | None] = [None] * days
    for row in trends_for(patient=patient, days=days, now=now):
        n = index.get(row.date)
        if n is None:
            continue
        if row.max_severity is not None:
            line = series.setdefault(
                (row.site, row.side), {"worst": [None] * days, "mean": [None] * days}
            )
            line["worst"][n] = row.max_severity
            line["mean"][n] = row.mean_severity
        if row.ice_minutes:
            ice[n] = (ice[n] or 0) + row.ice_minutes
        if row.heat_minutes:
            heat[n] = (heat[n] or 0) + row.heat_minutes
    openings: list[int | None] = [None] * days
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    for opened_at in Alert.objects.filter(patient=patient, opened_at__gte=start).values_list(
        "opened_at", flat=True
    ):
        n = index.get(opened_at.astimezone(tz).date())
        if n is not None:
            openings[n] = (openings[n] or 0) + 1
    return Chart(
        labels=[day.isoformat() for day in day_list],
        severity=[
            {"label": site_words(site, side), "worst": line["worst"], "mean": line["mean"]}
            for (site, side), line in sorted(series.items())
        ],
        ice_minutes=ice,
        heat_minutes=heat,
        alerts_opened=openings,
    )


def patient_alerts(*, user: User, patient: Patient) -> QuerySet[Alert]:
    return (
        workspace_alerts(user)
        .filter(patient=patient)
        .select_related("acknowledged_by", "resolved_by")
        .annotate(rank=LEVEL_RANK)
        .order_by("-rank", "-opened_at")
    )


def patient_entries(*, user: User, patient: Patient) -> QuerySet[PainLog]:
    return workspace_pain_logs(user).filter(patient=patient).order_by("-recorded_at", "-id")


def patient_treatments(*, user: User, patient: Patient) -> QuerySet[Treatment]:
    return workspace_treatments(user).filter(patient=patient).order_by("-started_at", "-id")


def patient_messages(*, patient: Patient, limit: int = 20) -> list[Message]:
    """What was sent about this patient: kind, channel, status and time; never the body."""
    return list(
        Message.objects.filter(patient=patient)
        .only("kind", "channel", "status", "subject", "to_email", "created_at", "sent_at")
        .order_by("-created_at")[:limit]
    )


def patient_notes(*, user: User, patient: Patient) -> QuerySet[ClinicalNote]:
    return (
        workspace_notes(user)
        .filter(patient=patient)
        .select_related("author", "alert")
        .order_by("-created_at")
    )


# --- Periods for print and exports -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date
    start: datetime  # aware, start of ``first`` in the patient's zone
    end: datetime  # aware, end of ``last`` (exclusive)


def period_for(patient: Patient, first: date, last: date) -> Period:
    tz = zone(patient.timezone)
    return Period(
        first=first,
        last=last,
        start=datetime.combine(first, datetime.min.time(), tzinfo=tz),
        end=datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz),
    )


def period_entries(*, user: User, patient: Patient, period: Period) -> QuerySet[PainLog]:
    return (
        patient_entries(user=user, patient=patient)
        .filter(recorded_at__gte=period.start, recorded_at__lt=period.end)
        .order_by("recorded_at", "id")
    )


def period_treatments(*, user: User, patient: Patient, period: Period) -> QuerySet[Treatment]:
    return (
        patient_treatments(user=user, patient=patient)
        .filter(started_at__gte=period.start, started_at__lt=period.end)
        .order_by("started_at", "id")
    )


def period_alerts(*, user: User, patient: Patient, period: Period) -> QuerySet[Alert]:
    return (
        patient_alerts(user=user, patient=patient)
        .filter(opened_at__lt=period.end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=period.start))
        .order_by("opened_at")
    )
