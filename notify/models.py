from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from journal.models import Patient


class DeviceKind(models.TextChoices):
    WEBPUSH = "webpush", "Web Push"
    FCM = "fcm", "Firebase Cloud Messaging"
    APNS = "apns", "Apple Push Notification service"


class Device(models.Model):
    """Somewhere a patient's phone or browser can be reached by push."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(max_length=8, choices=DeviceKind.choices)
    # The push endpoint (Web Push) or the registration token (FCM/APNs): what identifies it.
    address = models.CharField(max_length=1024)
    keys = models.JSONField(default=dict, blank=True)  # Web Push p256dh/auth
    name = models.CharField(max_length=100, blank=True, default="")
    active = models.BooleanField(default=True)
    deactivated_reason = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "address"], name="device_kind_address_unique")
        ]
        indexes = [models.Index(fields=["patient", "active"], name="device_patient_active")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} device of {self.patient}"

    def channel_address(self) -> dict:
        if self.kind == DeviceKind.WEBPUSH:
            return {"endpoint": self.address, "keys": self.keys}
        return {"registration_id": self.address}


class MessageKind(models.TextChoices):
    REMINDER = "reminder", "Daily reminder"
    TIMER = "timer", "Ice/heat timer"
    ALERT = "alert", "See-a-doctor alert"
    CLINICIAN_ALERT = "clinician_alert", "Clinician alert"
    ACCOUNT = "account", "Account (address check, password reset)"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Message(models.Model):
    """The outbox: one delivery of one message to one address over one channel.

    Written in the transaction that caused it; ``dedupe_key`` makes a second copy impossible.
    Senders claim a row with a conditional UPDATE before sending, so overlapping workers and
    retries never send it twice.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    channel = models.CharField(max_length=8)  # notify.channels name
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    to_email = models.EmailField(blank=True, default="")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    html = models.TextField(blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    tag = models.CharField(max_length=100, blank=True, default="")
    urgency = models.CharField(max_length=8, default="normal")
    data = models.JSONField(default=dict, blank=True)
    # What the message is about, so stopping a timer can cancel its message.
    subject_ref = models.CharField(max_length=100, blank=True, default="", db_index=True)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The sweeper's query: what is due or stuck. Partial, so it stays small
            # however many sent messages accumulate.
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="message_due_partial",
            ),
            models.Index(fields=["patient", "kind", "-created_at"], name="message_patient_kind"),
            # The retention purge walks settled messages oldest first.
            models.Index(fields=["created_at"], name="message_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} via {self.channel} ({self.status})"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "Sent"
    TRANSIENT = "transient", "Transient failure"
    PERMANENT = "permanent", "Permanent failure"


class DeliveryAttempt(models.Model):
    """A row for every try: when, over what, and what happened."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="delivery_attempts")
    channel = models.CharField(max_length=8)
    at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    error = models.TextField(blank=True, default="")
    provider_id = models.CharField(max_length=200, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome} at {self.at:%Y-%m-%d %H:%M:%S}"
