"""The questionnaire API's shapes: definitions, what is due, a submission, the history."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from journal.api.fields import StrictIntegerField, StrictSerializer
from journal.sites import Side, Site
from outcomes.instruments import instrument, instruments


def _codes() -> list[str]:
    return sorted(instruments())


class ItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    min_anchor = serializers.CharField()
    max_anchor = serializers.CharField()
    anchors = serializers.ListField(
        child=serializers.CharField(), help_text="One label per value from min to max, or empty"
    )


class InstrumentSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    version = serializers.CharField()
    schedule = serializers.ChoiceField(choices=["weekly", "episode_end"])
    recall_period = serializers.CharField()
    source = serializers.CharField()
    items = ItemSerializer(many=True)
    scoring_rule = serializers.CharField(source="scoring.rule")
    higher_is = serializers.ChoiceField(choices=["worse", "better"], source="scoring.higher_is")


class DueSerializer(serializers.Serializer):
    instrument = serializers.CharField(help_text="The instrument's code, e.g. peg or pgic")
    period = serializers.CharField(help_text='"2026-W49" (local ISO week) or site:side:start')
    site = serializers.CharField(help_text="For an end-of-episode questionnaire; else empty")
    side = serializers.CharField(help_text="For an end-of-episode questionnaire; else empty")
    episode_start = serializers.DateField(allow_null=True)
    episode_end = serializers.DateField(allow_null=True)
    questionnaire = InstrumentSerializer()


class DueListSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    results = DueSerializer(many=True)


class ResponseInputSerializer(StrictSerializer):
    id = serializers.UUIDField(
        required=False, help_text="The app's id for the response: sending it again is a no-op"
    )
    instrument = serializers.ChoiceField(choices=_codes())
    answers = serializers.DictField(
        child=StrictIntegerField(),
        help_text="Item code -> whole number in the item's range; every item answered",
    )
    site = serializers.ChoiceField(choices=Site.choices, required=False)
    side = serializers.ChoiceField(choices=Side.choices, required=False)
    episode_start = serializers.DateField(
        required=False, help_text="End-of-episode questionnaires: the episode's local start day"
    )


class ResponseOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    instrument = serializers.CharField()
    instrument_version = serializers.CharField()
    period = serializers.CharField()
    site = serializers.CharField()
    side = serializers.CharField()
    answers = serializers.DictField(child=serializers.IntegerField())
    score = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
    authored_at = serializers.DateTimeField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        # In the questionnaire's item order: jsonb keeps keys in an order of its own.
        items = instrument(data["instrument"]).items
        data["answers"] = {
            i.code: data["answers"][i.code] for i in items if i.code in data["answers"]
        }
        return data


class ResponseQuerySerializer(StrictSerializer):
    instrument = serializers.ChoiceField(choices=_codes(), required=False)


class ComparisonSerializer(serializers.Serializer):
    treatment = serializers.ChoiceField(choices=["ice", "heat"])
    treated_days = serializers.IntegerField(help_text="Followed days with this treatment")
    untreated_days = serializers.IntegerField(help_text="Followed days with neither")
    enough_data = serializers.BooleanField()
    days_needed = serializers.IntegerField(help_text="More days needed before a number; 0 if none")
    difference = serializers.FloatField(
        allow_null=True,
        help_text="Mean next-day change in worst pain after treated days minus after days "
        "with neither (points, 0-10 scale); negative is better. Null until enough_data",
    )
    ci_low = serializers.FloatField(allow_null=True, help_text="95% interval (bootstrap-t), low")
    ci_high = serializers.FloatField(allow_null=True, help_text="95% interval (bootstrap-t), high")
    summary = serializers.CharField(help_text="The result in the patient's words")


class SiteInsightSerializer(serializers.Serializer):
    site = serializers.ChoiceField(choices=Site.choices)
    side = serializers.ChoiceField(choices=Side.choices)
    place = serializers.CharField()
    comparisons = ComparisonSerializer(many=True)
    safety_notes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Safety advice that stands whatever the numbers show; show it with them",
    )


class InsightsSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    measure = serializers.CharField()
    method = serializers.CharField()
    min_days = serializers.IntegerField()
    caveat = serializers.CharField()
    results = SiteInsightSerializer(many=True)
