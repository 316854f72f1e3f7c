"""The patient's own export: GET /api/v1/me/export/, everything stored about the caller."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.selectors import account_export
from clinic.models import ClinicalNote, NoteKind
from journal.api.permissions import IsPatient
from journal.api.serializers import MeSerializer, PainLogOutputSerializer, TreatmentOutputSerializer
from notify.models import DeliveryAttempt, Device, Message, MessageKind
from outcomes.api.serializers import ResponseOutputSerializer, SiteInsightSerializer
from triage.api.serializers import AlertOutputSerializer
from triage.models import LevelChoice, PatientAssessment, PatientReach


class ExportAccountSerializer(serializers.Serializer):
    email = serializers.EmailField()
    email_verified_at = serializers.DateTimeField(allow_null=True)
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)


class ExportDeviceSerializer(serializers.ModelSerializer):
    """Devices without their secrets: no endpoint, token or keys."""

    class Meta:
        model = Device
        fields = ["id", "kind", "name", "active", "deactivated_reason", "created_at", "updated_at"]
        read_only_fields = fields


class ExportAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["at", "channel", "outcome", "error"]
        read_only_fields = fields


class ExportMessageSerializer(serializers.ModelSerializer):
    attempts = ExportAttemptSerializer(source="delivery_attempts", many=True)
    # Not an EmailField: a push message has no address, and "" is not format: email.
    to_email = serializers.CharField(
        read_only=True, help_text="The address of an email message; empty for a push message"
    )
    body = serializers.SerializerMethodField(
        help_text="Empty for account mail: its links carry one-time tokens"
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "kind",
            "channel",
            "to_email",
            "subject",
            "body",
            "status",
            "created_at",
            "sent_at",
            "attempts",
        ]
        read_only_fields = fields

    def get_body(self, message: Message) -> str:
        return "" if message.kind == MessageKind.ACCOUNT else message.body


class ExportAlertSerializer(AlertOutputSerializer):
    """An alert with what it rests on and whether its message reached the patient."""

    entry_ids = serializers.ListField(
        child=serializers.UUIDField(), help_text="The entries the alert cites"
    )
    patient_reach = serializers.ChoiceField(
        choices=PatientReach.choices,
        help_text='Whether the message about it reached you; "" when none was sent',
    )

    class Meta(AlertOutputSerializer.Meta):
        fields = [
            *AlertOutputSerializer.Meta.fields,
            "reason",
            "source_file",
            "source_passage",
            "episode_start",
            "entry_ids",
            "patient_reach",
            "reach_note",
        ]
        read_only_fields = fields


class ExportAssessmentSerializer(serializers.ModelSerializer):
    """The latest triage assessment kept for you (what the clinician's list sorts by)."""

    level = serializers.ChoiceField(choices=LevelChoice.choices)
    open_episodes = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="Episodes still open: site, side, start and latest_day (local dates)",
    )

    class Meta:
        model = PatientAssessment
        fields = ["level", "assessed_at", "open_episodes", "next_change_at"]
        read_only_fields = fields


class ExportClinicianSerializer(serializers.Serializer):
    email = serializers.EmailField()


class ExportNoteSerializer(serializers.ModelSerializer):
    """A note a clinician wrote about you in the workspace."""

    kind = serializers.ChoiceField(choices=NoteKind.choices)
    author = serializers.SerializerMethodField(help_text="The clinician's email; empty if erased")
    alert_id = serializers.UUIDField(allow_null=True, help_text="The alert the note is about")

    class Meta:
        model = ClinicalNote
        fields = ["id", "kind", "author", "alert_id", "text", "created_at"]
        read_only_fields = fields

    def get_author(self, note: ClinicalNote) -> str:
        return note.author.email if note.author else ""


class ExportSerializer(serializers.Serializer):
    exported_at = serializers.DateTimeField()
    account = ExportAccountSerializer(source="user")
    profile = MeSerializer(source="patient")
    pain_logs = PainLogOutputSerializer(many=True)
    treatments = TreatmentOutputSerializer(many=True)
    alerts = ExportAlertSerializer(many=True)
    assessment = ExportAssessmentSerializer(allow_null=True)
    devices = ExportDeviceSerializer(many=True)
    notifications = ExportMessageSerializer(source="messages", many=True)
    care_team = ExportClinicianSerializer(many=True)
    questionnaire_responses = ResponseOutputSerializer(many=True)
    insights = SiteInsightSerializer(many=True)
    clinical_notes = ExportNoteSerializer(many=True)


class ExportView(APIView):
    """Everything stored about you, as one JSON document (GDPR Art. 15 and 20)."""

    permission_classes = [IsPatient]

    @extend_schema(responses=ExportSerializer)
    def get(self, request: Request) -> Response:
        data: Any = ExportSerializer(account_export(user=request.user)).data
        response = Response(data)
        response["Content-Disposition"] = 'attachment; filename="foot-journal-export.json"'
        response["Cache-Control"] = "no-store"
        return response
