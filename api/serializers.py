"""Answers that carry the triage assessment made with a journal write: the journal's
serializers plus triage's, composed here so that neither app imports the other's API."""

from __future__ import annotations

from rest_framework import serializers

from journal.api.serializers import (
    PainLogOutputSerializer,
    SyncResultSerializer,
    TreatmentOutputSerializer,
)
from triage.api.serializers import TriageSerializer


class PainLogWrittenSerializer(PainLogOutputSerializer):
    """The stored entry and the triage assessment made with it."""

    triage = TriageSerializer(read_only=True)

    class Meta(PainLogOutputSerializer.Meta):
        fields = [*PainLogOutputSerializer.Meta.fields, "triage"]
        read_only_fields = fields


class SyncOutputSerializer(serializers.Serializer):
    results = SyncResultSerializer(many=True)
    triage = TriageSerializer()


class TreatmentWrittenSerializer(TreatmentOutputSerializer):
    triage = TriageSerializer(read_only=True)

    class Meta(TreatmentOutputSerializer.Meta):
        fields = [*TreatmentOutputSerializer.Meta.fields, "triage"]
        read_only_fields = fields
