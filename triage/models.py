from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from journal.models import Patient
from triage.domain import Level

LEVEL_LABELS = {
    Level.SELF_CARE: "Self-care",
    Level.CONSULT: "Book an appointment",
    Level.CONSULT_24H: "See a doctor within 24 hours",
    Level.EMERGENCY: "Go now",
}
# Stored codes come from the triage Level enum, so the two cannot drift apart.
LevelChoice = models.TextChoices(
    "LevelChoice", [(level.name, (level.code, LEVEL_LABELS[level])) for level in Level]
)


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class PatientReach(models.TextChoices):
    """Whether the patient's own message about an alert got to them (clinicians see this)."""

    NOT_TOLD = "", "Not sent (below the alert threshold or not news)"
    PENDING = "pending", "Sending"
    REACHED = "reached", "Reached"
    REACHED_BY_EMAIL = "reached_by_email", "Reached by email after push failed"
    NOT_REACHED = "not_reached", "Not reached"


class Alert(models.Model):
    """A finding at `consult` or above, one per patient, rule and site/side episode.

    A condition that persists over many entries updates this row instead of opening another;
    it is resolved when a re-assessment no longer finds it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    rule = models.CharField(max_length=64)
    # "site/side/episode-start", or "-" parts for patient-wide findings; a plain string
    # so the uniqueness below holds on SQLite too (NULLs never collide in a unique index).
    episode_key = models.CharField(max_length=64)
    site = models.CharField(max_length=20, blank=True, default="")
    side = models.CharField(max_length=5, blank=True, default="")
    episode_start = models.DateField(null=True, blank=True)
    level = models.CharField(max_length=12, choices=LevelChoice.choices)
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    message = models.TextField()
    reason = models.TextField()
    source_file = models.CharField(max_length=64)
    source_passage = models.TextField()
    entry_ids = models.JSONField(default=list)
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Set when a clinician resolved it by hand (clinic); empty when re-assessment resolved it.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The highest level people were told about; a rise above it is news, a repeat is not.
    notified_level = models.CharField(max_length=12, blank=True, default="")
    # Delivery of the latest patient message about this alert: the outbox rows share
    # ``notice_ref`` as their subject_ref. NOT_REACHED means every channel failed for good:
    # the clinician must not assume the patient knows. ``reach_note`` says why, in words.
    notice_ref = models.CharField(max_length=64, blank=True, default="")
    patient_reach = models.CharField(
        max_length=16, choices=PatientReach.choices, blank=True, default=PatientReach.NOT_TOLD
    )
    reach_note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "rule", "episode_key"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="alert_one_active_per_rule_episode",
            )
        ]
        indexes = [
            models.Index(fields=["patient", "status"], name="alert_patient_status"),
            models.Index(fields=["status"], condition=Q(status="open"), name="alert_open_partial"),
            # The outbox sweep looks every minute for alerts whose delivery check was lost;
            # only alerts still being sent are in this index.
            models.Index(
                fields=["notice_ref"],
                condition=Q(patient_reach="pending"),
                name="alert_reach_pending_partial",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.level}) for {self.patient}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class PatientAssessment(models.Model):
    """The latest assessment of a patient, kept by triage.services on every re-assessment.

    ``open_episodes`` lists the episodes still open at ``assessed_at`` (site, side, first and
    latest local day), so that the reminder sweep can ask about a site the patient has gone
    quiet on without re-reading their journal. A journal write whose re-assessment leaves
    level, episodes and next change as they were does not rewrite the row: ``assessed_at``
    is when the stored assessment was last made different (or by the sweep, last checked).
    """

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, primary_key=True, related_name="assessment"
    )
    level = models.CharField(max_length=12, choices=LevelChoice.choices)
    assessed_at = models.DateTimeField()
    open_episodes = models.JSONField(default=list, blank=True)
    # The first instant at which time alone could change this assessment (an episode's quiet
    # period ending, a session leaving the advice window, a running session passing 15
    # minutes); NULL when nothing can. The periodic sweep re-assesses exactly the rows due,
    # through the partial index below, instead of everyone every 15 minutes.
    next_change_at = models.DateTimeField(null=True, blank=True)
    # The assessment in parts (triage.state), so that a write re-reads only the place it
    # touched; empty, NULL or from other rules (STATE_VERSION) means "read the whole
    # journal". Nullable so that a release without it (a rolling deploy's old hosts, raw
    # inserts) can still write the row.
    state = models.JSONField(default=dict, blank=True, null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_change_at"],
                condition=Q(next_change_at__isnull=False),
                name="assessment_next_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} for {self.patient_id} at {self.assessed_at:%Y-%m-%d %H:%M}"
