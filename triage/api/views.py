from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.api.permissions import IsPatient
from triage import selectors, services
from triage.api.serializers import AlertFilterSerializer, AlertOutputSerializer, TriageSerializer
from triage.models import Alert


class TriageView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses=TriageSerializer)
    def get(self, request: Request) -> Response:
        assessment = services.patient_assess(patient=request.user.patient, now=timezone.now())
        return Response(TriageSerializer(assessment).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["open", "acknowledged", "resolved"]),
            OpenApiParameter("page_size", int, description="1..200, default 50"),
        ]
    ),
    acknowledge=extend_schema(request=None, responses=AlertOutputSerializer),
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsPatient]
    serializer_class = AlertOutputSerializer
    lookup_value_converter = "uuid"
    queryset = Alert.objects.none()

    def get_queryset(self) -> Any:
        alerts = selectors.alerts_visible_to(self.request.user)
        if self.action == "list":
            query = AlertFilterSerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            if status := query.validated_data.get("status"):
                alerts = alerts.filter(status=status)
        return alerts.order_by("-opened_at", "-id")

    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        alert = services.alert_acknowledge(alert=self.get_object(), by=request.user)
        return Response(AlertOutputSerializer(alert).data)
