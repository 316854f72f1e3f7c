"""Benchmark-only URLs: the real ones plus the smallest authenticated DRF create view.

The view is the floor any DRF write can reach on this stack (token auth, a ModelSerializer,
one INSERT, no lock, no triage). It is registered here only, never in config/urls.py.
"""

from __future__ import annotations

from django.urls import path
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as production_urls
from journal.models import PainLog


class MinimalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(required=False)

    class Meta:
        model = PainLog
        fields = ["id", "recorded_at", "site", "side", "severity", "swelling", "notes"]


class MinimalCreate(APIView):
    def post(self, request: Request) -> Response:
        data = MinimalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        data.save(patient_id=request.user.patient.pk)
        return Response(data.data, status=status.HTTP_201_CREATED)


urlpatterns = [path("bench/minimal-log/", MinimalCreate.as_view()), *production_urls]
