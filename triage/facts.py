"""Build the immutable facts the rules read from the database, for one patient or a chunk of
them with the same number of queries (one for entries, one for sessions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import BigIntegerField, F, Func, Min, Q, QuerySet

from journal.models import PAIN_LOG_FINDINGS, PainLog, Patient, Treatment
from journal.timezones import zone
from triage.domain import Entry, PatientFacts, Profile
from triage.domain import Treatment as TreatmentFact
from triage.models import ACTIVE_STATUSES, Alert
from triage.rules import LOOKBACK

_ENTRY_FIELDS = ("id", "patient_id", *PAIN_LOG_FINDINGS)
_TREATMENT_FIELDS = (
    "id",
    "patient_id",
    "kind",
    "site",
    "side",
    "started_at",
    "minutes",
    "skin_reaction",
)


# Rows are unpacked by position into the dataclasses: the column lists must follow their order.
assert tuple(f.name for f in fields(Entry)) == ("id", *PAIN_LOG_FINDINGS)
assert tuple(f.name for f in fields(TreatmentFact)) == tuple(
    name for name in _TREATMENT_FIELDS if name != "patient_id"
)
_TEMPERATURE = PAIN_LOG_FINDINGS.index("temperature_c")


def patient_facts(*, patient: Patient, now: datetime) -> PatientFacts:
    """One patient's facts, for a read (GET /triage/): looks up their open alerts itself."""
    first = Alert.objects.filter(
        patient_id=patient.pk, status__in=ACTIVE_STATUSES, episode_start__isnull=False
    ).aggregate(first=Min("episode_start"))["first"]
    anchors = {} if first is None else {patient.pk: first}
    return patients_facts(patients=[patient], now=now, anchors=anchors)[patient.pk]


def anchors_of(alerts: Iterable[Alert]) -> dict[int, date]:
    """Per patient, the earliest episode start among their active alerts."""
    anchors: dict[int, date] = {}
    for alert in alerts:
        if alert.episode_start is not None and alert.status in ACTIVE_STATUSES:
            current = anchors.get(alert.patient_id)
            if current is None or alert.episode_start < current:
                anchors[alert.patient_id] = alert.episode_start
    return anchors


def patients_facts(
    *, patients: Sequence[Patient], now: datetime, anchors: Mapping[int, date]
) -> dict[int, PatientFacts]:
    """Facts for each patient as of ``now``: two queries whatever the number of patients.

    Each patient's history starts LOOKBACK before ``now``, or earlier for an episode with an
    open alert (``anchors``: patient id -> earliest episode start), however long ago: if the
    window cut it, its start date (part of the alert's key) would slide forward every day and
    a months-long episode would resolve and re-open its alert daily.
    """
    since = {p.pk: _since(p, now, anchors.get(p.pk)) for p in patients}
    entries: dict[int, list[Entry]] = defaultdict(list)
    rows = _rows(PainLog.objects.filter(_window(since, "recorded_at")), _ENTRY_FIELDS)
    for entry_id, patient_id, *values in rows:
        if values[_TEMPERATURE] is not None:  # Decimal in the database; rules use floats
            values[_TEMPERATURE] = float(values[_TEMPERATURE])
        entries[patient_id].append(Entry(entry_id, *values))
    treatments: dict[int, list[TreatmentFact]] = defaultdict(list)
    rows = _rows(Treatment.objects.filter(_window(since, "started_at")), _TREATMENT_FIELDS)
    for treatment_id, patient_id, *values in rows:
        treatments[patient_id].append(TreatmentFact(treatment_id, *values))
    return {
        p.pk: PatientFacts(
            profile=_profile(p),
            now=now,
            entries=tuple(entries[p.pk]),
            treatments=tuple(treatments[p.pk]),
        )
        for p in patients
    }


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _EpochMicros(Func):
    """PostgreSQL: a timestamptz as integer microseconds since 1970-01-01 UTC."""

    template = "(extract(epoch from %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


def _rows(queryset: QuerySet, names: Sequence[str]) -> Iterable[list]:
    """``values_list(*names)`` as lists, with the one timestamp column read fast.

    Reading a chunk's facts was dominated by parsing timestamps: Django's psycopg loader for
    timestamptz subclasses psycopg's pure-Python one (a regex per value, about 17 us). On
    PostgreSQL the column comes back as integer microseconds since the epoch instead, the
    same instant to the microsecond, at a fraction of the cost. Other databases read it as is.
    """
    moment = next(name for name in names if name in ("recorded_at", "started_at"))
    index = names.index(moment)
    queryset = queryset.order_by()  # the engine sorts; the model's default ordering is waste
    if connection.vendor != "postgresql":
        for row in queryset.values_list(*names):
            yield list(row)
        return
    fields = [f"_{moment}_us" if name == moment else name for name in names]
    annotated = queryset.annotate(**{f"_{moment}_us": _EpochMicros(F(moment))})
    # Plain tuples from psycopg: these columns need none of Django's per-row converters.
    sql, params = annotated.values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        values = list(row)
        values[index] = _EPOCH + timedelta(microseconds=values[index])
        yield values


def _since(patient: Patient, now: datetime, anchor: date | None) -> datetime:
    since = now - LOOKBACK
    if anchor is not None:
        tz = zone(patient.timezone)
        since = min(since, datetime.combine(anchor - timedelta(days=1), time.min, tzinfo=tz))
    return since


def _window(since: dict[int, datetime], column: str) -> Q:
    """``patient IN (...) AND column >= cut``, one OR branch per distinct cut, so that the
    chunk stays one index-range scan per patient on (patient, -time)."""
    by_cut: dict[datetime, list[int]] = defaultdict(list)
    for patient_id, cut in since.items():
        by_cut[cut].append(patient_id)
    return reduce(
        or_, (Q(patient_id__in=ids, **{f"{column}__gte": cut}) for cut, ids in by_cut.items())
    )


def _profile(patient: Patient) -> Profile:
    return Profile(
        timezone=zone(patient.timezone),
        has_diabetes=patient.has_diabetes,
        has_circulation_problems=patient.has_circulation_problems,
        has_reduced_sensation=patient.has_reduced_sensation,
        date_of_birth=patient.date_of_birth,
    )
