"""The patient API's writes and profile: thin views over the use cases in api.services.

Validate with an input serializer, call a service or selector, shape the output."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from api import services
from api.accounts import account_erase
from api.serializers import (
    PainLogWrittenSerializer,
    SyncOutputSerializer,
    TreatmentWrittenSerializer,
)
from journal import selectors
from journal.api.listing import ValidatedQueryListMixin
from journal.api.permissions import IsPatient
from journal.api.serializers import (
    AccountDeleteInputSerializer,
    MeSerializer,
    PainLogFilterSerializer,
    PainLogInputSerializer,
    PainLogOutputSerializer,
    PainLogSyncInputSerializer,
    PainLogSyncItemSerializer,
    PainLogUpdateSerializer,
    TreatmentFilterSerializer,
    TreatmentInputSerializer,
    TreatmentOutputSerializer,
    TreatmentUpdateSerializer,
)
from journal.models import PainLog, Treatment
from journal.services import SyncOutcome
from triage.api.serializers import TriageSerializer


@cache
def _representer(serializer_class: type[Serializer]) -> Serializer:
    """One instance per output serializer, shared by every write's response.

    A ModelSerializer builds its fields (deep copies of the declared ones) per instance, a
    millisecond a write; ``to_representation`` keeps nothing between calls, and these have
    no context (no request, no hyperlinks) to keep apart.
    """
    return serializer_class()


class MeView(GenericAPIView):
    permission_classes = [IsPatient]
    serializer_class = MeSerializer
    # Only DELETE is throttled (see get_throttles): a password guess, like a login.
    throttle_scope = "auth"

    def get_throttles(self) -> list:
        return super().get_throttles() if self.request.method == "DELETE" else []

    def get(self, request: Request) -> Response:
        """The signed-in patient's profile and notification preferences."""
        return Response(MeSerializer(request.user.patient).data)

    def patch(self, request: Request) -> Response:
        """Change some of the profile; fields left out keep their values."""
        data = MeSerializer(request.user.patient, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        patient = services.patient_update(patient=request.user.patient, data=data.validated_data)
        return Response(MeSerializer(patient).data)

    @extend_schema(request=AccountDeleteInputSerializer, responses={204: None})
    def delete(self, request: Request) -> Response:
        """Erase the account and everything tied to it; the password confirms."""
        data = AccountDeleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account_erase(user=request.user, password=data.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PatientObjectViewSet(
    ValidatedQueryListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    # Shared plumbing for the patient's own objects; subclasses name serializers and services.
    # (A comment, not a docstring: drf-spectacular would publish a docstring to app developers.)

    permission_classes = [IsPatient]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_converter = "uuid"
    input_serializer: type
    update_serializer: type
    output_serializer: type

    def get_serializer_class(self) -> type:
        return self.output_serializer

    def create(self, request: Request) -> Response:
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        written = self.perform_write_create(data.validated_data)
        return Response(self._written(written), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        # The stored object lets a serializer judge the fields sent together with those kept.
        data = self.update_serializer(obj, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            written = self.perform_write_update(obj, data.validated_data)
        except ObjectDoesNotExist:
            # Deleted by another request (another of the patient's devices) while this one
            # waited for the patient's lock: gone, as if it had been gone when we looked.
            raise NotFound from None
        return Response(self._written(written))

    def _written(self, written: services.Written[Any]) -> dict[str, Any]:
        return {
            **_representer(self.output_serializer).to_representation(written.obj),
            "triage": _representer(TriageSerializer).to_representation(written.triage.assessment),
        }

    def perform_write_create(self, data: dict[str, Any]) -> services.Written[Any]:
        raise NotImplementedError

    def perform_write_update(self, obj: Any, data: dict[str, Any]) -> services.Written[Any]:
        raise NotImplementedError


@extend_schema_view(
    list=extend_schema(description="The patient's pain entries, newest first."),
    retrieve=extend_schema(description="One pain entry."),
    create=extend_schema(
        request=PainLogInputSerializer,
        responses={201: PainLogWrittenSerializer},
        description=(
            "Record a pain entry. The answer carries the stored entry and the triage assessment "
            "made with it. An id that is already taken is a 400 (use /logs/sync/ for "
            "retries from an offline queue)."
        ),
    ),
    partial_update=extend_schema(
        request=PainLogUpdateSerializer,
        responses=PainLogWrittenSerializer,
        description="Correct an entry: send only the fields to change; others keep their values.",
    ),
    destroy=extend_schema(description="Delete an entry; triage is re-assessed without it."),
)
class PainLogViewSet(PatientObjectViewSet):
    input_serializer = PainLogInputSerializer
    update_serializer = PainLogUpdateSerializer
    output_serializer = PainLogOutputSerializer
    query_serializer = PainLogFilterSerializer
    queryset = PainLog.objects.none()

    def get_queryset(self) -> Any:
        if self.action == "list":
            return selectors.pain_log_list(user=self.request.user, **self.filters())
        return selectors.pain_logs_visible_to(self.request.user)

    def perform_write_create(self, data: dict[str, Any]) -> services.Written[PainLog]:
        return services.pain_log_create(patient=self.request.user.patient, data=data)

    def perform_write_update(self, obj: PainLog, data: dict[str, Any]) -> services.Written[PainLog]:
        return services.pain_log_update(log=obj, data=data)

    def perform_destroy(self, instance: PainLog) -> None:
        services.pain_log_delete(log=instance)


@extend_schema_view(
    list=extend_schema(description="The patient's ice and heat sessions, newest first."),
    retrieve=extend_schema(description="One ice or heat session."),
    create=extend_schema(
        request=TreatmentInputSerializer,
        responses={201: TreatmentWrittenSerializer},
        description=(
            "Start (minutes null) or record (minutes set) an ice or heat session. The answer "
            "carries the triage assessment made with it."
        ),
    ),
    partial_update=extend_schema(
        request=TreatmentUpdateSerializer,
        responses=TreatmentWrittenSerializer,
        description=(
            "Finish a session by sending its minutes, or correct it; fields left out keep "
            "their values."
        ),
    ),
    destroy=extend_schema(description="Delete a session."),
)
class TreatmentViewSet(PatientObjectViewSet):
    input_serializer = TreatmentInputSerializer
    update_serializer = TreatmentUpdateSerializer
    output_serializer = TreatmentOutputSerializer
    query_serializer = TreatmentFilterSerializer
    queryset = Treatment.objects.none()

    def get_queryset(self) -> Any:
        if self.action == "list":
            return selectors.treatment_list(user=self.request.user, **self.filters())
        return selectors.treatments_visible_to(self.request.user)

    def perform_write_create(self, data: dict[str, Any]) -> services.Written[Treatment]:
        return services.treatment_create(patient=self.request.user.patient, data=data)

    def perform_write_update(
        self, obj: Treatment, data: dict[str, Any]
    ) -> services.Written[Treatment]:
        return services.treatment_update(treatment=obj, data=data)

    def perform_destroy(self, instance: Treatment) -> None:
        services.treatment_delete(treatment=instance)


class PainLogSyncView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(request=PainLogSyncInputSerializer, responses=SyncOutputSerializer)
    def post(self, request: Request) -> Response:
        """Upload entries recorded offline, each with the id the app gave it.

        Safe to repeat: an entry already stored with the same content is unchanged, one
        with new content is updated. Results come back in the order sent. An invalid entry
        comes back with status invalid and its field errors; the others are still stored.
        """
        envelope = PainLogSyncInputSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        slots: list[SyncOutcome | None] = []
        valid: list[dict[str, Any]] = []
        # One serializer for every item, as DRF's ListSerializer does: a fresh instance per
        # item deep-copies its fields each time, which was most of a 500-entry sync.
        validator = PainLogSyncItemSerializer()
        for raw in envelope.validated_data["logs"]:
            try:
                valid.append(validator.run_validation(raw))
                slots.append(None)
            except ValidationError as exc:
                raw_id = raw.get("id")
                slots.append(
                    SyncOutcome(
                        id=raw_id if isinstance(raw_id, str) else None,
                        status="invalid",
                        errors=exc.detail,
                    )
                )
        outcomes, reassessment = services.pain_logs_sync(patient=request.user.patient, items=valid)
        stored = iter(outcomes)
        results = [slot if slot is not None else next(stored) for slot in slots]
        return Response(
            {
                "results": [
                    {"id": r.id, "status": r.status, **({"errors": r.errors} if r.errors else {})}
                    for r in results
                ],
                "triage": TriageSerializer(reassessment.assessment).data,
            }
        )
