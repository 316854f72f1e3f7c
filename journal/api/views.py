"""The journal's own read-only endpoints; the writes (which re-assess) are in api.views."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal import selectors
from journal.api.permissions import IsPatient
from journal.api.serializers import (
    SiteOutputSerializer,
    TrendsOutputSerializer,
    TrendsQuerySerializer,
)
from journal.sites import CATALOGUE


class SiteListView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses=SiteOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The body sites a pain entry or treatment can name, with SNOMED CT codes."""
        return Response(SiteOutputSerializer(CATALOGUE, many=True).data)


class TrendsView(APIView):
    permission_classes = [IsPatient]
    query_serializer = TrendsQuerySerializer

    @extend_schema(responses=TrendsOutputSerializer)
    def get(self, request: Request) -> Response:
        """Per local day, site and side: worst and mean pain, entries, ice and heat minutes."""
        query = TrendsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        patient = request.user.patient
        days = query.validated_data["days"]
        rows = selectors.trends_for(patient=patient, days=days, now=timezone.now())
        payload = {"timezone": patient.timezone, "days": days, "results": rows}
        return Response(TrendsOutputSerializer(payload).data)
