from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.api.listing import ValidatedQueryListMixin
from journal.api.permissions import IsPatient
from triage import selectors, services
from triage.api.serializers import AlertFilterSerializer, AlertOutputSerializer, TriageSerializer
from triage.models import Alert


class TriageView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses=TriageSerializer)
    def get(self, request: Request) -> Response:
        """Assess the patient's journal now: the highest level and every finding behind it."""
        assessment = services.patient_assess(patient=request.user.patient, now=timezone.now())
        return Response(TriageSerializer(assessment).data)


@extend_schema_view(
    list=extend_schema(description="The patient's see-a-doctor alerts, newest first."),
    retrieve=extend_schema(description="One alert."),
    acknowledge=extend_schema(
        request=None,
        responses={200: AlertOutputSerializer, 400: None},
        description=(
            "Tell the service the patient has seen the alert; repeating it is harmless. "
            "A resolved alert cannot be acknowledged (400)."
        ),
    ),
)
class AlertViewSet(
    ValidatedQueryListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsPatient]
    serializer_class = AlertOutputSerializer
    query_serializer = AlertFilterSerializer
    lookup_value_converter = "uuid"
    queryset = Alert.objects.none()

    def get_queryset(self) -> Any:
        alerts = selectors.alerts_visible_to(self.request.user)
        if self.action == "list":
            alerts = alerts.filter(**self.filters())
        return alerts.order_by("-opened_at", "-id")

    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        alert = services.alert_acknowledge(alert=self.get_object(), by=request.user)
        return Response(AlertOutputSerializer(alert).data)
