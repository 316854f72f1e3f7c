from __future__ import annotations

from typing import Any

from rest_framework import serializers

from journal.api.listing import PageQuerySerializer
from journal.sites import Side, Site
from triage.engine import DISCLAIMER, Assessment
from triage.models import Alert, AlertStatus, LevelChoice
from triage.rules import Finding


class SourceSerializer(serializers.Serializer):
    file = serializers.CharField(help_text="Seed text the rule rests on")
    passage = serializers.CharField()


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    level = serializers.ChoiceField(choices=LevelChoice.choices)
    message = serializers.CharField(help_text="For the patient: what it means and what to do")
    reason = serializers.CharField(help_text="For the clinician: what triggered it")
    source = SourceSerializer()
    entries = serializers.ListField(child=serializers.UUIDField())
    site = serializers.ChoiceField(
        choices=Site.choices, allow_null=True, help_text="null for a patient-wide finding"
    )
    side = serializers.ChoiceField(
        choices=Side.choices, allow_null=True, help_text="null for a patient-wide finding"
    )

    def to_representation(self, finding: Finding) -> dict[str, Any]:
        return {
            "rule": finding.rule,
            "level": finding.level.code,
            "message": finding.message,
            "reason": finding.reason,
            "source": {"file": finding.source.file, "passage": finding.source.passage},
            "entries": [str(entry_id) for entry_id in finding.entries],
            "site": finding.site,
            "side": finding.side,
        }


class TriageSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=LevelChoice.choices)
    findings = FindingSerializer(many=True)
    assessed_at = serializers.DateTimeField()
    disclaimer = serializers.CharField()

    def to_representation(self, assessment: Assessment) -> dict[str, Any]:
        return {
            "level": assessment.level.code,
            "findings": [FindingSerializer().to_representation(f) for f in assessment.findings],
            "assessed_at": serializers.DateTimeField().to_representation(assessment.assessed_at),
            "disclaimer": DISCLAIMER,
        }


class AlertOutputSerializer(serializers.ModelSerializer):
    site = serializers.ChoiceField(
        choices=Site.choices, allow_null=True, help_text="null for a patient-wide alert"
    )
    side = serializers.ChoiceField(
        choices=Side.choices, allow_null=True, help_text="null for a patient-wide alert"
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "level",
            "status",
            "message",
            "site",
            "side",
            "opened_at",
            "updated_at",
            "acknowledged_at",
            "resolved_at",
        ]
        read_only_fields = fields

    def to_representation(self, alert: Alert) -> dict[str, Any]:
        data = super().to_representation(alert)
        # Stored as "" for a patient-wide alert; the API says null, as findings do.
        data["site"] = data["site"] or None
        data["side"] = data["side"] or None
        return data


class AlertFilterSerializer(PageQuerySerializer):
    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False)
