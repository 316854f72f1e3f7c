"""Build the immutable facts the rules read from the database, for one patient or a chunk of
them with the same number of queries (entries and sessions: on PostgreSQL one round trip,
with a journal write's alerts in the same one)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache, reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, F, FloatField, Func, Min, Q, QuerySet
from django.db.models.functions import Cast

from journal.compiled import STAND_IN, Converters, Slots, fill, instance, model_columns, slots
from journal.models import PAIN_LOG_FINDINGS, PainLog, Patient, Treatment
from journal.timezones import zone
from triage.domain import Entry, PatientFacts, Profile
from triage.domain import Treatment as TreatmentFact
from triage.models import ACTIVE_STATUSES, Alert, PatientAssessment
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
_TEMPERATURE = _ENTRY_FIELDS.index("temperature_c")
# ``_build`` reads the time columns by position.
assert _ENTRY_FIELDS[2] == "recorded_at" and _TREATMENT_FIELDS[5] == "started_at"


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
    """Facts for each patient as of ``now``: one round trip (two statements) on PostgreSQL,
    whatever the number of patients.

    Each patient's history starts LOOKBACK before ``now``, or earlier for an episode with an
    open alert (``anchors``: patient id -> earliest episode start), however long ago: if the
    window cut it, its start date (part of the alert's key) would slide forward every day and
    a months-long episode would resolve and re-open its alert daily.
    """
    since = {p.pk: _since(p, now, anchors.get(p.pk)) for p in patients}
    if connection.vendor != "postgresql":
        entry_rows = []
        for row in _queryset(PainLog, since).values_list(*_ENTRY_FIELDS):
            values = list(row)
            if values[_TEMPERATURE] is not None:  # Decimal in the database; rules use floats
                values[_TEMPERATURE] = float(values[_TEMPERATURE])
            entry_rows.append(values)
        treatment_rows = _queryset(Treatment, since).values_list(*_TREATMENT_FIELDS)
        return _build(patients, now, entry_rows, treatment_rows, _as_is)
    # Every write re-assesses, so this runs once per POST: both statements go in one round
    # trip, their SQL compiled once per shape (below), rows as plain tuples from psycopg.
    return _build(patients, now, *_fetch(_facts_statements(since)), _from_micros)


Statement = tuple[str, Sequence[object]]


@dataclass(frozen=True, slots=True)
class WriteReads:
    """What a journal write's re-assessment reads, in one round trip on PostgreSQL."""

    alerts: list[Alert]  # those matching the caller's filter (the active ones among them)
    facts: PatientFacts
    # The stored assessment's (level, open_episodes, next_change_at); None when there is none.
    stored: tuple[str, list, datetime | None] | None


def patient_alerts_and_facts(
    *, patient: Patient, now: datetime, alerts: Q, lead: Sequence[Statement] = ()
) -> WriteReads:
    """The patient's alerts matching ``alerts`` (which must include the active ones), their
    facts as ``patients_facts`` would give them with those alerts' anchors, and the stored
    assessment.

    A journal write needs all three. ``lead`` are the write's own statements (an INSERT),
    run first. On PostgreSQL everything goes in one round trip, the facts read from the
    usual cut, and read again only in the rare case that an active alert's episode starts
    before it. Each statement sees what the ones before it wrote.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for sql, params in lead:
                cursor.execute(sql, params)
        found = list(Alert.objects.filter(Q(patient_id=patient.pk), alerts))
        facts = patients_facts(patients=[patient], now=now, anchors=anchors_of(found))
        stored = PatientAssessment.objects.filter(patient_id=patient.pk).values_list(
            "level", "open_episodes", "next_change_at"
        )
        return WriteReads(found, facts[patient.pk], stored.first())
    since = {patient.pk: _since(patient, now, None)}
    alerts_sql, alerts_slots, columns, converters = _alerts_template(alerts)
    stored_sql, stored_slots = _stored_template()
    *_, found_rows, stored_rows, entry_rows, treatment_rows = _fetch(
        [
            *lead,
            (alerts_sql, fill(alerts_slots, [patient.pk])),
            (stored_sql, fill(stored_slots, [patient.pk])),
            *_facts_statements(since),
        ]
    )
    found = [instance(Alert, columns, converters, row) for row in found_rows]
    stored = None
    if stored_rows:
        level, episodes, next_change = stored_rows[0]
        # Django reads jsonb as text and decodes it in JSONField.from_db_value.
        stored = (
            level,
            json.loads(episodes) if isinstance(episodes, str) else episodes,
            next_change,
        )
    anchor = anchors_of(found).get(patient.pk)
    if anchor is not None and _since(patient, now, anchor) < since[patient.pk]:
        facts = patients_facts(patients=[patient], now=now, anchors={patient.pk: anchor})
        return WriteReads(found, facts[patient.pk], stored)
    facts = _build([patient], now, entry_rows, treatment_rows, _from_micros)
    return WriteReads(found, facts[patient.pk], stored)


def _build(
    patients: Sequence[Patient],
    now: datetime,
    entry_rows: Iterable[Sequence],
    treatment_rows: Iterable[Sequence],
    moment: Callable[[Any], datetime],
) -> dict[int, PatientFacts]:
    """Rows in ``_ENTRY_FIELDS`` / ``_TREATMENT_FIELDS`` order, temperatures as floats;
    ``moment`` turns the time column into an aware datetime. One pass, no copies of the rows:
    with a few hundred entries a write, building the facts cost as much as reading them."""
    entries: dict[int, list[Entry]] = defaultdict(list)
    for row in entry_rows:
        entries[row[1]].append(Entry(row[0], moment(row[2]), *row[3:]))
    treatments: dict[int, list[TreatmentFact]] = defaultdict(list)
    for row in treatment_rows:
        treatments[row[1]].append(TreatmentFact(row[0], *row[2:5], moment(row[5]), *row[6:]))
    return {
        p.pk: PatientFacts(
            profile=_profile(p),
            now=now,
            entries=tuple(entries[p.pk]),
            treatments=tuple(treatments[p.pk]),
        )
        for p in patients
    }


def _from_micros(micros: int) -> datetime:
    """Integer microseconds since the epoch back to an aware datetime.

    Reading a chunk's facts was dominated by parsing timestamps: Django's psycopg loader for
    timestamptz subclasses psycopg's pure-Python one (a regex per value, about 17 us). On
    PostgreSQL the column comes back as integer microseconds instead, the same instant to
    the microsecond.
    """
    return _EPOCH + timedelta(microseconds=micros)


def _as_is(value: datetime) -> datetime:
    return value


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _EpochMicros(Func):
    """PostgreSQL: a timestamptz as integer microseconds since 1970-01-01 UTC."""

    template = "(extract(epoch from %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


def _facts_statements(since: dict[int, datetime]) -> list[Statement]:
    by_cut = _by_cut(since)
    shape = tuple(len(ids) for ids in by_cut.values())
    values = [value for cut, ids in by_cut.items() for value in (*ids, cut)]
    statements = []
    for model in (PainLog, Treatment):
        sql, where = _template(model, shape)
        statements.append((sql, fill(where, values)))
    return statements


def _fetch(statements: Sequence[Statement]) -> list[list[tuple]]:
    """Each statement's rows ([] for one without, an INSERT); all statements in one round
    trip (client-side binding). PostgreSQL runs them in order, each with a fresh snapshot."""
    with connection.cursor() as cursor:
        cursor.execute(
            "; ".join(sql for sql, _ in statements), [p for _, ps in statements for p in ps]
        )
        results = [cursor.fetchall() if cursor.description is not None else []]
        for _ in statements[1:]:
            cursor.nextset()
            results.append(cursor.fetchall() if cursor.description is not None else [])
    return results


_MOMENT = {PainLog: "recorded_at", Treatment: "started_at"}
_NAMES = {PainLog: _ENTRY_FIELDS, Treatment: _TREATMENT_FIELDS}


def _queryset(model: type[PainLog] | type[Treatment], since: dict[int, datetime]) -> QuerySet:
    # The engine sorts; the model's default ordering is waste.
    return model.objects.filter(_window(since, _MOMENT[model])).order_by()


@lru_cache(maxsize=64)
def _template(model: type[PainLog] | type[Treatment], shape: tuple[int, ...]) -> tuple[str, Slots]:
    """The SELECT for patients grouped by cut as ``shape`` (ids per cut), compiled once.

    Compiling the query cost about as much as running it. It is compiled here with stand-in
    values (patient ids -1, -2, ...; cuts on distinct days of 1900) and each parameter is
    mapped back to its position in the caller's values list (``[*ids, cut]`` per group) by
    ``journal.compiled.slots``.
    """
    since: dict[int, datetime] = {}
    standins: list[object] = []
    patient = 0
    for group, size in enumerate(shape):
        cut = datetime(1900, 1, 1, tzinfo=UTC) + timedelta(days=group)
        for _ in range(size):
            patient -= 1
            since[patient] = cut
            standins.append(patient)
        standins.append(cut)
    moment = _MOMENT[model]
    # The time as integer microseconds (see _from_micros), the temperature as a float.
    computed = {moment: _EpochMicros(F(moment))}
    if model is PainLog:
        computed["temperature_c"] = Cast("temperature_c", FloatField())
    names = [f"_{name}_" if name in computed else name for name in _NAMES[model]]
    queryset = _queryset(model, since).annotate(
        **{f"_{name}_": expression for name, expression in computed.items()}
    )
    sql, params = queryset.values_list(*names).query.sql_with_params()
    return sql, slots(sql, params, standins)


@lru_cache(maxsize=8)
def _alerts_template(
    alerts: Q,
) -> tuple[str, Slots, list[str], Converters]:
    """``_template`` for one patient's alerts: SQL, slots (for ``[patient_id]``), columns and
    the per-column converters Django would apply (JSON columns)."""
    compiler = Alert.objects.filter(Q(patient_id=STAND_IN), alerts).query.get_compiler(
        connection.alias
    )
    sql, params = compiler.as_sql()
    return sql, slots(sql, params, [STAND_IN]), *model_columns(Alert, compiler)


@lru_cache(maxsize=1)
def _stored_template() -> tuple[str, Slots]:
    """``_template`` for the stored assessment's level, open episodes and next change."""
    query = PatientAssessment.objects.filter(patient_id=STAND_IN).values_list(
        "level", "open_episodes", "next_change_at"
    )
    sql, params = query.query.sql_with_params()
    return sql, slots(sql, params, [STAND_IN])


def _since(patient: Patient, now: datetime, anchor: date | None) -> datetime:
    since = now - LOOKBACK
    if anchor is not None:
        tz = zone(patient.timezone)
        since = min(since, datetime.combine(anchor - timedelta(days=1), time.min, tzinfo=tz))
    return since


def _by_cut(since: dict[int, datetime]) -> dict[datetime, list[int]]:
    by_cut: dict[datetime, list[int]] = defaultdict(list)
    for patient_id, cut in since.items():
        by_cut[cut].append(patient_id)
    return by_cut


def _window(since: dict[int, datetime], column: str) -> Q:
    """``patient IN (...) AND column >= cut``, one OR branch per distinct cut, so that the
    chunk stays one index-range scan per patient on (patient, -time)."""
    return reduce(
        or_,
        (Q(patient_id__in=ids, **{f"{column}__gte": cut}) for cut, ids in _by_cut(since).items()),
    )


def _profile(patient: Patient) -> Profile:
    return Profile(
        timezone=zone(patient.timezone),
        has_diabetes=patient.has_diabetes,
        has_circulation_problems=patient.has_circulation_problems,
        has_reduced_sensation=patient.has_reduced_sensation,
        date_of_birth=patient.date_of_birth,
    )
