"""The patient's questionnaires and treatment insight."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.api.permissions import IsPatient
from outcomes import insights, selectors, services
from outcomes.api.serializers import (
    DueListSerializer,
    InsightsSerializer,
    InstrumentSerializer,
    ResponseInputSerializer,
    ResponseOutputSerializer,
    ResponseQuerySerializer,
)
from outcomes.instruments import AnswerError, instrument, instruments

MEASURE = (
    "For each local day with an entry at the site and side and an entry on the next local "
    "day: the next day's worst severity minus this day's worst (0-10)."
)
METHOD = (
    f"Difference of mean next-day change after treated days and after days with neither; "
    f"{int(insights.CONFIDENCE * 100)}% studentized (bootstrap-t) interval, "
    f"{insights.RESAMPLES} resamples (docs/insights.md)."
)


def _drf_errors(errors: dict[str, Any]) -> dict[str, Any]:
    """DRF's documented error shape: a list of messages per field, nested for the items."""
    return {
        field: _drf_errors(reason) if isinstance(reason, dict) else [reason]
        for field, reason in errors.items()
    }


class QuestionnaireListView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses=InstrumentSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The questionnaires offered: items, anchors, recall period, scoring rule, source."""
        return Response(InstrumentSerializer(list(instruments().values()), many=True).data)


class QuestionnaireDueView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses=DueListSerializer)
    def get(self, request: Request) -> Response:
        """What to ask today: the PEG once per local week, a PGIC when an episode has ended."""
        patient = request.user.patient
        due = selectors.due_for(patient=patient, now=timezone.now())
        rows = [{**asdict(d), "questionnaire": instrument(d.instrument)} for d in due]
        payload = {"timezone": patient.timezone, "results": rows}
        return Response(DueListSerializer(payload).data)


class QuestionnaireResponseView(APIView):
    permission_classes = [IsPatient]
    query_serializer = ResponseQuerySerializer

    @extend_schema(responses=ResponseOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Your responses with their scores, newest first."""
        query = ResponseQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.responses_of(
            patient=request.user.patient, instrument=query.validated_data.get("instrument")
        )
        return Response(ResponseOutputSerializer(found, many=True).data)

    @extend_schema(
        request=ResponseInputSerializer,
        responses={201: ResponseOutputSerializer, 200: ResponseOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        """Submit a questionnaire: every item answered, in range, one per period (the local
        week for the PEG, the episode for a PGIC). The same id sent again returns the stored
        response with 200."""
        data = ResponseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        try:
            submitted = services.response_submit(
                patient=request.user.patient,
                instrument_code=values["instrument"],
                answers=values["answers"],
                now=timezone.now(),
                response_id=values.get("id"),
                site=values.get("site", ""),
                side=values.get("side", ""),
                episode_start=values.get("episode_start"),
            )
        except AnswerError as error:
            raise ValidationError(_drf_errors(error.errors)) from None
        code = status.HTTP_201_CREATED if submitted.created else status.HTTP_200_OK
        return Response(ResponseOutputSerializer(submitted.response).data, status=code)


class InsightsView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses=InsightsSerializer)
    def get(self, request: Request) -> Response:
        """Per site and side: pain the day after ice, after heat and after neither, with a 95%
        interval, or how many more days are needed; always with the caveat and safety notes."""
        patient = request.user.patient
        found = selectors.insights_for(patient=patient, now=timezone.now())
        payload = {
            "timezone": patient.timezone,
            "measure": MEASURE,
            "method": METHOD,
            "min_days": insights.MIN_DAYS,
            "caveat": insights.CAVEAT,
            "results": found,
        }
        return Response(InsightsSerializer(payload).data)
