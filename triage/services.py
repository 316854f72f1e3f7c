"""Re-assess a patient and keep their alerts in step with the findings.

Callers hold the patient's row lock (journal.services.patient_lock) and an open transaction,
so the alert rows are written atomically with the entry that caused them, and so are the
outbox rows that announce them (through triage.hooks, registered by notify).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from journal.models import Patient
from triage.domain import Level
from triage.engine import Assessment, assess, combine
from triage.facts import (
    anchors_of,
    patient_alerts_and_stored,
    patient_facts,
    patient_places_facts,
    patient_profile,
    patient_whole_facts,
    patients_facts,
)
from triage.hooks import alerts_announce
from triage.models import ACTIVE_STATUSES, Alert, AlertStatus, PatientAssessment
from triage.rules import Finding
from triage.state import (
    STATE_VERSION,
    Part,
    State,
    Touched,
    parts_assess,
    parts_redo,
    plan,
    profile_fingerprint,
    state_dump,
    state_load,
    window_start,
)

ALERT_THRESHOLD = Level.CONSULT
_DEALT_WITH = Q(status=AlertStatus.RESOLVED, resolved_by__isnull=False)
_ACTIVE_OR_DEALT_WITH = Q(status__in=ACTIVE_STATUSES) | _DEALT_WITH


@dataclass(slots=True)
class AlertChanges:
    opened: list[Alert] = field(default_factory=list)
    escalated: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Reassessment:
    assessment: Assessment
    changes: AlertChanges


def episode_key(finding: Finding) -> str:
    start = finding.episode_start.isoformat() if finding.episode_start else "-"
    return f"{finding.site or '-'}/{finding.side or '-'}/{start}"


def patient_assess(*, patient: Patient, now: datetime) -> Assessment:
    """Read-only assessment, for GET /triage/."""
    return assess(patient_facts(patient=patient, now=now))


def _parts_redo(
    *, patient: Patient, now: datetime, cut: datetime, state: dict, touched: Touched | None
) -> tuple[Assessment, State]:
    """The assessment at ``now``: the stored parts still good, the others read again from
    their ``scan_from`` (triage.state), or the whole journal when there is no usable state."""
    profile = patient_profile(patient)
    todo = plan(state_load(state), touched, profile, now, cut)
    if todo is None:
        facts = patient_whole_facts(patient=patient, now=now, cut=cut)
        parts: tuple[Part, ...] = parts_assess(facts, cut)
    else:
        wide_from = window_start(profile, now) if todo.wide else None
        facts = patient_places_facts(
            patient=patient,
            now=now,
            places=todo.places,
            sessions_at=sorted(todo.sessions),
            wide_from=wide_from,
        )
        parts = parts_redo(todo, facts, cut)
    assessment = combine((part.assessment for part in parts), now)
    return assessment, State(STATE_VERSION, profile_fingerprint(profile), parts)


def patient_reassess(
    *, patient: Patient, now: datetime, touched: Touched | None = None
) -> Reassessment:
    """Assess and open, update or resolve alerts. Must run inside the caller's transaction.

    ``touched`` says what the write changed, so that only those places are read again
    (triage.state); None reads the whole journal (a profile change, or an unknown write).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("patient_reassess must run inside the transaction that changed the data")
    # The active alerts, the ones a clinician resolved by hand and the stored assessment.
    reads = patient_alerts_and_stored(patient=patient, now=now, alerts=_ACTIVE_OR_DEALT_WITH)
    alerts = reads.alerts
    active = [alert for alert in alerts if alert.status in ACTIVE_STATUSES]
    assessment, state = _parts_redo(
        patient=patient, now=now, cut=reads.cut, state=reads.state, touched=touched
    )
    dumped = state_dump(state)
    if _stored_values(assessment) != reads.stored:
        _store([(patient.pk, assessment, dumped)])
    elif dumped != reads.state:
        # Only the parts moved (a finding cites the new entry): ``assessed_at`` stays the
        # time the assessment last changed, as the reminder sweep reads it.
        PatientAssessment.objects.filter(patient_id=patient.pk).update(state=dumped)
    dealt_with: dict[tuple[str, str], Level] = {}
    for alert in alerts:
        if alert.status not in ACTIVE_STATUSES:
            _dealt_with_add(dealt_with, alert.rule, alert.episode_key, alert.level)
    changes = _sync_alerts(
        patient=patient,
        active=active,
        dealt_with=dealt_with,
        findings=assessment.findings,
        now=now,
    )
    # Same transaction: the outbox rows commit (or roll back) with the alerts.
    alerts_announce(patient=patient, alerts=[*changes.opened, *changes.escalated], now=now)
    return Reassessment(assessment=assessment, changes=changes)


def patients_reassess_due(*, patient_ids: Sequence[int], now: datetime) -> int:
    """Re-assess the patients among ``patient_ids`` whose next-change instant has come.

    One transaction for the chunk and a constant number of queries, plus writes only for
    alerts that change. Rows locked by a journal write are skipped, not waited for: that
    write re-assesses the patient itself and stores a new next-change instant. Idempotent:
    a patient re-assessed since the selection is no longer due and is left alone.
    """
    with transaction.atomic():
        patients = list(
            Patient.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=patient_ids, assessment__next_change_at__lte=now)
            .order_by("pk")
        )
        if not patients:
            return 0
        active: dict[int, list[Alert]] = defaultdict(list)
        for alert in Alert.objects.filter(patient__in=patients, status__in=ACTIVE_STATUSES):
            active[alert.patient_id].append(alert)
        all_active = [a for alerts in active.values() for a in alerts]
        facts = patients_facts(patients=patients, now=now, anchors=anchors_of(all_active))
        results = [(p, assess(facts[p.pk])) for p in patients]
        # The stored parts are left as they are: the ones whose instant has come are the
        # ones a write redoes anyway (triage.state.plan), and the rest still hold. Storing
        # them here cost a quarter more CPU (bench/RESULTS.md, issue 17).
        _store([(p.pk, assessment, None) for p, assessment in results])
        dealt_with = _dealt_with([p.pk for p in patients])
        for patient, assessment in results:
            changes = _sync_alerts(
                patient=patient,
                active=active[patient.pk],
                dealt_with=dealt_with[patient.pk],
                findings=assessment.findings,
                now=now,
            )
            alerts_announce(patient=patient, alerts=[*changes.opened, *changes.escalated], now=now)
    return len(patients)


def _stored_values(assessment: Assessment) -> tuple[str, list, datetime | None]:
    """What the assessment row keeps besides the time it was made."""
    episodes = [
        {
            "site": ep.site,
            "side": ep.side,
            "start": ep.start.isoformat(),
            "latest_day": ep.latest_day.isoformat(),
        }
        for ep in assessment.open_episodes
    ]
    return assessment.level.code, episodes, assessment.next_change_at


def _store(assessments: list[tuple[int, Assessment, dict | None]]) -> None:
    """Keep each patient's latest assessment row: one INSERT ... ON CONFLICT UPDATE. With
    parts (state) for all of them, or for none (then the stored parts are left alone)."""
    with_state = all(state is not None for _, _, state in assessments)
    rows = []
    for patient_id, assessment, state in assessments:
        level, episodes, next_change_at = _stored_values(assessment)
        rows.append(
            PatientAssessment(
                patient_id=patient_id,
                level=level,
                assessed_at=assessment.assessed_at,
                open_episodes=episodes,
                next_change_at=next_change_at,
                state=state,
            )
        )
    fields = ["level", "assessed_at", "open_episodes", "next_change_at"]
    PatientAssessment.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["patient"],
        update_fields=[*fields, "state"] if with_state else fields,
    )


def _dealt_with(patient_ids: Sequence[int]) -> dict[int, dict[tuple[str, str], Level]]:
    """Per patient, the episodes a clinician resolved by hand, with the highest level resolved.

    Such an episode stays resolved while the finding holds at the same level: they have dealt
    with it. Only a rise above that level opens a new alert. One query for any number.
    """
    dealt: dict[int, dict[tuple[str, str], Level]] = defaultdict(dict)
    for patient_id, rule, key, level in Alert.objects.filter(
        _DEALT_WITH, patient_id__in=patient_ids
    ).values_list("patient_id", "rule", "episode_key", "level"):
        _dealt_with_add(dealt[patient_id], rule, key, level)
    return dealt


def _dealt_with_add(dealt: dict[tuple[str, str], Level], rule: str, key: str, level: str) -> None:
    dealt[(rule, key)] = max(Level.from_code(level), dealt.get((rule, key), Level(0)))


def _sync_alerts(
    *,
    patient: Patient,
    active: list[Alert],
    dealt_with: dict[tuple[str, str], Level],
    findings: tuple[Finding, ...],
    now: datetime,
) -> AlertChanges:
    changes = AlertChanges()
    updated: list[Alert] = []
    fields: set[str] = set()
    by_key = {(alert.rule, alert.episode_key): alert for alert in active}
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        if finding.level < ALERT_THRESHOLD:
            continue
        key = (finding.rule, episode_key(finding))
        if key in seen:  # two findings for one episode: the first is the most urgent
            continue
        seen.add(key)
        alert = by_key.get(key)
        if alert is None and key in dealt_with and finding.level <= dealt_with[key]:
            continue
        if alert is None:
            alert = Alert(
                patient_id=patient.pk, rule=finding.rule, episode_key=key[1], opened_at=now
            )
            _copy(alert, finding)
            alert.updated_at = now
            alert.save(force_insert=True)
            changes.opened.append(alert)
            continue
        rose = Level.from_code(alert.level) < finding.level
        reopened = []
        if rose and alert.status == AlertStatus.ACKNOWLEDGED:
            # Acknowledging "book an appointment" is not acknowledging "within 24 hours".
            alert.status = AlertStatus.OPEN
            alert.acknowledged_at = None
            alert.acknowledged_by = None
            reopened = ["status", "acknowledged_at", "acknowledged_by"]
        changed = _copy(alert, finding)
        if changed or rose:
            alert.updated_at = now
            updated.append(alert)
            fields.update(changed, reopened)
        if rose:
            changes.escalated.append(alert)
    for key, alert in by_key.items():
        if key not in seen:
            alert.status = AlertStatus.RESOLVED
            alert.resolved_at = now
            alert.updated_at = now
            updated.append(alert)
            fields.update(("status", "resolved_at"))
            changes.resolved.append(alert)
    if updated:
        # One UPDATE for all of them, of only the fields that changed in any: on most writes
        # that is the cited entries of the touched episode's two or three alerts, and
        # rewriting texts and source passages each time cost WAL and time for nothing.
        Alert.objects.bulk_update(updated, [*sorted(fields), "updated_at"])
    return changes


def _copy(alert: Alert, finding: Finding) -> list[str]:
    """Bring the alert's text up to date with the finding; the names of what changed."""
    values = {
        "level": finding.level.code,
        "site": finding.site or "",
        "side": finding.side or "",
        "episode_start": finding.episode_start,
        "message": finding.message,
        "reason": finding.reason,
        "source_file": finding.source.file,
        "source_passage": finding.source.passage,
        "entry_ids": [str(entry_id) for entry_id in finding.entries],
    }
    changed = [name for name, value in values.items() if getattr(alert, name) != value]
    for name in changed:
        setattr(alert, name, values[name])
    return changed


def alert_acknowledge(*, alert: Alert, by: object) -> Alert:
    """Idempotent: acknowledging twice keeps the first time and person."""
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status == AlertStatus.RESOLVED:
            raise ValidationError({"status": ["This alert has already been resolved."]})
        if locked.status == AlertStatus.OPEN:
            locked.status = AlertStatus.ACKNOWLEDGED
            locked.acknowledged_at = timezone.now()
            locked.acknowledged_by = by  # type: ignore[assignment]
            locked.updated_at = locked.acknowledged_at
            locked.save()
    return locked


def alert_resolve(*, alert: Alert, by: object, now: datetime) -> Alert:
    """A clinician closes an alert by hand. Idempotent: resolving twice keeps the first.

    Re-assessment will not reopen the same episode at the same level (see _sync_alerts)."""
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != AlertStatus.RESOLVED:
            locked.status = AlertStatus.RESOLVED
            locked.resolved_at = now
            locked.resolved_by = by  # type: ignore[assignment]
            locked.updated_at = now
            locked.save()
    return locked
