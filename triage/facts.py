"""Build the immutable facts the rules read from the database, for one patient or a chunk of
them with the same number of queries (one for the entries, one for the sessions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db.models import Min, Q, QuerySet

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
    """Facts for each patient as of ``now``: two queries, whatever the number of patients.

    Each patient's history starts LOOKBACK before ``now``, or earlier for an episode with an
    open alert (``anchors``: patient id -> earliest episode start), however long ago: if the
    window cut it, its start date (part of the alert's key) would slide forward every day and
    a months-long episode would resolve and re-open its alert daily.
    """
    return _read(patients, now, {p.pk: _since(p, now, anchors.get(p.pk)) for p in patients})


def _read(
    patients: Sequence[Patient], now: datetime, since: dict[int, datetime]
) -> dict[int, PatientFacts]:
    entries: dict[int, list[Entry]] = defaultdict(list)
    for row in _queryset(PainLog, since).values_list(*_ENTRY_FIELDS):
        entries[row[1]].append(_entry(row))
    treatments: dict[int, list[TreatmentFact]] = defaultdict(list)
    for row in _queryset(Treatment, since).values_list(*_TREATMENT_FIELDS):
        treatments[row[1]].append(TreatmentFact(row[0], *row[2:]))
    return {
        p.pk: PatientFacts(
            profile=patient_profile(p),
            now=now,
            entries=tuple(entries[p.pk]),
            treatments=tuple(treatments[p.pk]),
        )
        for p in patients
    }


@dataclass(frozen=True, slots=True)
class StoredReads:
    """What a journal write's re-assessment reads before it knows what to read again."""

    alerts: list[Alert]  # those matching the caller's filter (the active ones among them)
    cut: datetime  # where a whole read of the journal would start (see patients_facts)
    # The stored assessment's (level, open_episodes, next_change_at); None when there is none.
    stored: tuple[str, list, datetime | None] | None
    state: dict  # the stored parts (triage.state), {} when there are none


def patient_alerts_and_stored(*, patient: Patient, now: datetime, alerts: Q) -> StoredReads:
    """The patient's alerts matching ``alerts`` (which must include the active ones) and the
    stored assessment with its parts: two queries."""
    found = list(Alert.objects.filter(Q(patient_id=patient.pk), alerts))
    row = (
        PatientAssessment.objects.filter(patient_id=patient.pk)
        .values_list("level", "open_episodes", "next_change_at", "state")
        .first()
    )
    anchor = anchors_of(found).get(patient.pk)
    cut = _since(patient, now, anchor)
    if row is None:
        return StoredReads(found, cut, None, {})
    return StoredReads(found, cut, (row[0], row[1], row[2]), row[3] or {})


def patient_places_facts(
    *,
    patient: Patient,
    now: datetime,
    places: Mapping[tuple[str, str], datetime],
    sessions_at: Iterable[tuple[str, str]],
    wide_from: datetime | None,
) -> PatientFacts:
    """The patient's entries at ``places`` from each place's instant, their sessions there
    too for the places in ``sessions_at``, and (with ``wide_from``) their sessions anywhere
    from then: at most two queries, one per table."""
    entries: list[Entry] = []
    treatments: list[TreatmentFact] = []
    if places:
        q = reduce(
            or_,
            (Q(site=s, side=d, recorded_at__gte=cut) for (s, d), cut in places.items()),
        )
        for row in (
            PainLog.objects.filter(q, patient_id=patient.pk).order_by().values_list(*_ENTRY_FIELDS)
        ):
            entries.append(_entry(row))
    session_q = [Q(site=s, side=d, started_at__gte=places[s, d]) for s, d in sessions_at]
    if wide_from is not None:
        session_q.append(Q(started_at__gte=wide_from))
    if session_q:
        rows = Treatment.objects.filter(reduce(or_, session_q), patient_id=patient.pk)
        for row in rows.order_by().values_list(*_TREATMENT_FIELDS):
            treatments.append(TreatmentFact(row[0], *row[2:]))
    return PatientFacts(
        profile=patient_profile(patient),
        now=now,
        entries=tuple(entries),
        treatments=tuple(treatments),
    )


def patient_whole_facts(*, patient: Patient, now: datetime, cut: datetime) -> PatientFacts:
    """The patient's whole window from ``cut`` (StoredReads.cut), as patients_facts reads it."""
    return _read([patient], now, {patient.pk: cut})[patient.pk]


def _entry(row: tuple) -> Entry:
    values = list(row)
    if values[_TEMPERATURE] is not None:  # Decimal in the database; rules use floats
        values[_TEMPERATURE] = float(values[_TEMPERATURE])
    return Entry(values[0], *values[2:])


_MOMENT = {PainLog: "recorded_at", Treatment: "started_at"}


def _queryset(model: type[PainLog] | type[Treatment], since: dict[int, datetime]) -> QuerySet:
    # The engine sorts; the model's default ordering is waste.
    return model.objects.filter(_window(since, _MOMENT[model])).order_by()


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


def patient_profile(patient: Patient) -> Profile:
    return Profile(
        timezone=zone(patient.timezone),
        has_diabetes=patient.has_diabetes,
        has_circulation_problems=patient.has_circulation_problems,
        has_reduced_sensation=patient.has_reduced_sensation,
        date_of_birth=patient.date_of_birth,
    )
