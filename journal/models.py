from __future__ import annotations

import uuid
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from accounts.models import STAFF_PATIENT
from journal.sites import Side, Site
from journal.timezones import validate_timezone


class Swelling(models.TextChoices):
    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class TreatmentKind(models.TextChoices):
    ICE = "ice", "Ice"
    HEAT = "heat", "Heat"


def default_reminder_channels() -> list[str]:
    return ["push"]


def default_alert_channels() -> list[str]:
    return ["push", "email"]


class Patient(models.Model):
    """A patient's profile; its primary key is the user's id, so scoping is one comparison."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="patient"
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    reminder_time = models.TimeField(default=time(20, 0))
    reminders_enabled = models.BooleanField(default=True)
    has_diabetes = models.BooleanField(default=False)
    has_circulation_problems = models.BooleanField(default=False)
    has_reduced_sensation = models.BooleanField(default=False)
    date_of_birth = models.DateField(null=True, blank=True)
    # Channels the patient wants: "push" (every active device) and/or "email".
    reminder_channels = models.JSONField(default=default_reminder_channels)
    alert_channels = models.JSONField(default=default_alert_channels)
    # Push titles and text are neutral ("Your journal") unless the patient asks for detail:
    # a lock screen is read by whoever holds the phone.
    lock_screen_detail = models.BooleanField(default=False)
    # When the next daily reminder is due (UTC), kept by notify; NULL while reminders are off.
    next_reminder_at = models.DateTimeField(null=True, blank=True, db_index=True)
    clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_patients",
        limit_choices_to={"is_staff": True, "groups__name": "clinicians"},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return self.user.email

    def clean(self) -> None:
        if self.user_id is not None and (self.user.is_staff or self.user.is_superuser):
            raise ValidationError(STAFF_PATIENT)


# What the patient reports in an entry; the triage rules read all of these but the notes.
PAIN_LOG_FINDINGS = (
    "recorded_at",
    "site",
    "side",
    "severity",
    "swelling",
    "sudden_onset",
    "redness_or_warmth",
    "fever",
    "temperature_c",
    "can_bear_weight",
    "numbness_or_tingling",
    "heard_pop",
    "back_or_leg_pain",
    "gone",
)
PAIN_LOG_CONTENT = (*PAIN_LOG_FINDINGS, "notes")


class PainLog(models.Model):
    """One pain-journal entry; the app may supply the id, so offline entries sync idempotently."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="pain_logs")
    recorded_at = models.DateTimeField()
    site = models.CharField(max_length=20, choices=Site.choices)
    side = models.CharField(max_length=5, choices=Side.choices)
    severity = models.PositiveSmallIntegerField()
    swelling = models.CharField(max_length=8, choices=Swelling.choices, default=Swelling.NONE)
    sudden_onset = models.BooleanField(default=False)
    redness_or_warmth = models.BooleanField(default=False)
    fever = models.BooleanField(default=False)
    temperature_c = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    can_bear_weight = models.BooleanField(default=True)
    numbness_or_tingling = models.BooleanField(default=False)
    heard_pop = models.BooleanField(default=False)
    back_or_leg_pain = models.BooleanField(default=False)
    # "It has gone": the patient ends the episode at this site (the follow-up's one-tap
    # answer). Distinct from severity 0, which triage reads as a quiet moment until the site
    # stays pain-free for two local days (docs/triage-rules.md). Valid only on a
    # symptom-free entry (the API refuses anything else). A database default too, so that
    # bulk loaders that name their columns (bench/) keep working.
    gone = models.BooleanField(
        default=False,
        db_default=False,
        help_text=(
            "The patient said the trouble at this site is over (ends the episode); not the "
            "same as severity 0, a quiet reading"
        ),
    )
    notes = models.TextField(max_length=2000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-recorded_at"], name="painlog_patient_recorded")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(severity__lte=10), name="painlog_severity_0_10"),
            models.CheckConstraint(
                condition=Q(temperature_c__isnull=True)
                | Q(temperature_c__gte=34, temperature_c__lte=43),
                name="painlog_temperature_34_43",
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.recorded_at:%Y-%m-%d %H:%M}"
        return f"{self.get_site_display()} ({self.side}) {self.severity}/10 at {when}"


class Treatment(models.Model):
    """An ice or heat session; ``minutes`` stays empty while it is running."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="treatments")
    kind = models.CharField(max_length=4, choices=TreatmentKind.choices)
    site = models.CharField(max_length=20, choices=Site.choices)
    side = models.CharField(max_length=5, choices=Side.choices)
    started_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    skin_reaction = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-started_at"], name="treatment_patient_started")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__lte=720),
                name="treatment_minutes_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.get_site_display()} ({self.side})"
