from __future__ import annotations

import uuid

from django.db import models

from journal.models import Patient
from journal.sites import Side, Site


class QuestionnaireResponse(models.Model):
    """One completed questionnaire; the app may supply the id, so a retry stores it once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="questionnaire_responses"
    )
    instrument = models.CharField(max_length=16)  # a code in outcomes/instruments.json
    instrument_version = models.CharField(max_length=16)
    # What the response is about, one per patient and instrument: "2026-W49" (the patient's
    # local ISO week) for a weekly PEG, "ankle_outer:right:2026-11-02" (site, side and local
    # start day of the episode) for a PGIC at an episode's end.
    period = models.CharField(max_length=64)
    site = models.CharField(max_length=20, choices=Site.choices, blank=True, default="")
    side = models.CharField(max_length=5, choices=Side.choices, blank=True, default="")
    answers = models.JSONField()
    score = models.DecimalField(max_digits=5, decimal_places=2)
    authored_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-authored_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument", "period"], name="response_one_per_period"
            )
        ]
        indexes = [
            models.Index(
                fields=["patient", "instrument", "-authored_at"], name="response_patient_instr"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.period}: {self.score}"
