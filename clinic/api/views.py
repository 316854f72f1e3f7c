"""The patient's care team: which clinicians can see their journal. The patient adds one by
entering the clinician's invite code (their consent) and can remove any of them."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from clinic import services
from clinic.api.serializers import CareTeamJoinInputSerializer, CareTeamMemberSerializer
from clinic.throttles import InviteCodeAddressThrottle, InviteCodeGlobalThrottle
from journal.api.permissions import IsPatient


class CareTeamView(APIView):
    permission_classes = [IsPatient]
    # POST only (below): a code must not be guessable by brute force. Per account ("auth"),
    # per address and for the whole service (clinic.throttles says why all three).
    throttle_scope = "auth"

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method != "POST":
            return []
        return [*super().get_throttles(), InviteCodeAddressThrottle(), InviteCodeGlobalThrottle()]

    @extend_schema(
        summary="My care team",
        description="The clinicians who can see my journal.",
        responses=CareTeamMemberSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        team = request.user.patient.clinicians.order_by("email").values("id", "email")
        return Response(CareTeamMemberSerializer(team, many=True).data)

    @extend_schema(
        summary="Add a clinician with their invite code",
        description=(
            "The code a clinician made in their workspace (dashes and case do not matter). "
            "Each code works once and expires after 7 days; a used, expired or unknown code "
            "gets the same 400 on `code`."
        ),
        request=CareTeamJoinInputSerializer,
        responses={201: CareTeamMemberSerializer},
    )
    def post(self, request: Request) -> Response:
        data = CareTeamJoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        clinician = services.invite_code_redeem(
            patient=request.user.patient, code=data.validated_data["code"], now=timezone.now()
        )
        return Response(CareTeamMemberSerializer(clinician).data, status=status.HTTP_201_CREATED)


class CareTeamMemberView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        summary="Remove a clinician from my care team",
        description="From then on they see nothing of my journal. 404 if they are not on it.",
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request, id: int) -> Response:
        if not services.care_team_remove(patient=request.user.patient, clinician_id=id):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
