"""The clinicians' side: how they get linked to patients, what they write, who looked at what."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from journal.models import Patient
from journal.timezones import validate_timezone


class ClinicianProfile(models.Model):
    """What the workspace needs to know about a clinician: the zone they read times in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="clinician_profile",
    )
    timezone = models.CharField(
        "time zone",
        max_length=64,
        default="Europe/London",
        validators=[validate_timezone],
        help_text="IANA name, e.g. Europe/London or America/New_York: every time is shown in it.",
    )

    class Meta:
        verbose_name = "clinician time zone"
        verbose_name_plural = "clinician time zones"

    def __str__(self) -> str:
        return f"{self.user} ({self.timezone})"


class InviteCode(models.Model):
    """A single-use code a clinician hands a patient; redeeming it is the patient's consent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=16, unique=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invite_codes"
    )
    # Accounts have no names (the app asks for none); the clinician's own name for the
    # patient, shown to and searched by that clinician once the code is redeemed.
    note = models.CharField(
        "patient's name (for you)",
        max_length=100,
        blank=True,
        default="",
        help_text="Only you see it: beside their email in your lists once they join.",
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code


class NoteKind(models.TextChoices):
    NOTE = "note", "Note"
    ACKNOWLEDGED = "acknowledged", "Acknowledged alert"
    RESOLVED = "resolved", "Resolved alert"


class ClinicalNote(models.Model):
    """A clinician's note on a patient, optionally about an alert they acknowledged or resolved.
    Notes are a record: nobody edits one afterwards."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="clinical_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    alert = models.ForeignKey(
        "triage.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    kind = models.CharField(max_length=12, choices=NoteKind.choices, default=NoteKind.NOTE)
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="note_patient_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.patient_id} at {self.created_at:%Y-%m-%d %H:%M}"


class AccessAction(models.TextChoices):
    PATIENT_LIST = "patient_list", "Listed in My patients"
    PATIENT_PAGE = "patient_page", "Opened the patient page"
    PRINT = "print", "Opened the print view"
    ENTRY_LIST = "entry_list", "Listed entries"
    TREATMENT_LIST = "treatment_list", "Listed ice/heat sessions"
    ALERT = "alert", "Opened an alert"
    EXPORT_CSV = "export_csv", "Exported CSV"
    EXPORT_FHIR = "export_fhir", "Exported FHIR Bundle"


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The access log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")


class AccessLog(models.Model):
    """Who looked at which patient's data, what, when and from where. Append-only: the model
    refuses updates and deletes, and on PostgreSQL a trigger refuses them in the database too.

    Patient and user are plain ids, not foreign keys, so deleting an account cannot cascade
    into (or be blocked by) the record of who read it; the email is kept as it was then.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    user_id = models.BigIntegerField(db_index=True)
    user_email = models.CharField(max_length=254)
    patient_id = models.BigIntegerField(db_index=True)
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    detail = models.CharField(max_length=200, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.user_email} {self.action} patient {self.patient_id} at {self.at:%Y-%m-%d %H:%M}"
        )

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")
