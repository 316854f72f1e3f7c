from __future__ import annotations

from typing import Any

from rest_framework import serializers

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
    site = serializers.CharField(allow_null=True)
    side = serializers.CharField(allow_null=True)

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


class AlertFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False)
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, required=False)
