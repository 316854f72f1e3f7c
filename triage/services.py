"""Re-assess a patient and keep their alerts in step with the findings.

Callers hold the patient's row lock (journal.services.patient_lock) and an open transaction,
so the alert rows are written atomically with the entry that caused them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from journal.models import Patient
from notify.services import alerts_announce
from triage.domain import Level
from triage.engine import Assessment, assess
from triage.facts import patient_facts
from triage.models import ACTIVE_STATUSES, Alert, AlertStatus
from triage.rules import Finding

ALERT_THRESHOLD = Level.CONSULT


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


def patient_reassess(*, patient: Patient, now: datetime) -> Reassessment:
    """Assess and open, update or resolve alerts. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("patient_reassess must run inside the transaction that changed the data")
    assessment = assess(patient_facts(patient=patient, now=now))
    changes = _sync_alerts(patient=patient, findings=assessment.findings, now=now)
    # Same transaction: the outbox rows commit (or roll back) with the alerts.
    alerts_announce(patient=patient, alerts=[*changes.opened, *changes.escalated], now=now)
    return Reassessment(assessment=assessment, changes=changes)


def _sync_alerts(*, patient: Patient, findings: tuple[Finding, ...], now: datetime) -> AlertChanges:
    changes = AlertChanges()
    active = {
        (alert.rule, alert.episode_key): alert
        for alert in Alert.objects.filter(patient_id=patient.pk, status__in=ACTIVE_STATUSES)
    }
    # An episode a clinician resolved by hand stays resolved while the finding holds at the
    # same level: they have dealt with it. Only a rise above that level opens a new alert.
    dealt_with: dict[tuple[str, str], Level] = {}
    for rule, key, level in Alert.objects.filter(
        patient_id=patient.pk, status=AlertStatus.RESOLVED, resolved_by__isnull=False
    ).values_list("rule", "episode_key", "level"):
        dealt_with[(rule, key)] = max(Level.from_code(level), dealt_with.get((rule, key), Level(0)))
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        if finding.level < ALERT_THRESHOLD:
            continue
        key = (finding.rule, episode_key(finding))
        if key in seen:  # two findings for one episode: the first is the most urgent
            continue
        seen.add(key)
        alert = active.get(key)
        if alert is None and key in dealt_with and finding.level <= dealt_with[key]:
            continue
        if alert is None:
            alert = Alert(
                patient_id=patient.pk, rule=finding.rule, episode_key=key[1], opened_at=now
            )
            _copy(alert, finding, now)
            alert.save(force_insert=True)
            changes.opened.append(alert)
            continue
        rose = Level.from_code(alert.level) < finding.level
        if rose and alert.status == AlertStatus.ACKNOWLEDGED:
            # Acknowledging "book an appointment" is not acknowledging "within 24 hours".
            alert.status = AlertStatus.OPEN
            alert.acknowledged_at = None
            alert.acknowledged_by = None
        if _copy(alert, finding, now) or rose:
            alert.save()
        if rose:
            changes.escalated.append(alert)
    for key, alert in active.items():
        if key not in seen:
            alert.status = AlertStatus.RESOLVED
            alert.resolved_at = now
            alert.updated_at = now
            alert.save(update_fields=["status", "resolved_at", "updated_at"])
            changes.resolved.append(alert)
    return changes


def _copy(alert: Alert, finding: Finding, now: datetime) -> bool:
    """Bring the alert's text up to date with the finding; True if anything changed."""
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
    changed = any(getattr(alert, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(alert, name, value)
    if changed or alert._state.adding:
        alert.updated_at = now
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
