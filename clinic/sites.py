"""Two admin sites, kept apart: the clinicians' workspace at /admin/ (the entry point the
alert emails link to) and the operators' admin at /ops/ (outbox, devices, accounts)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from clinic.selectors import clinician_zone_name
from journal.timezones import zone


class ClinicAdminSite(admin.AdminSite):
    site_header = "Foot & Ankle Journal: clinician workspace"
    site_title = "Clinician workspace"
    index_title = "Workspace"
    site_url = None
    enable_nav_sidebar = False
    # Django's own pages with the workspace's accessibility fixes (tests/clinic/test_accessibility).
    login_template = "clinic/login.html"
    password_change_template = "clinic/password_change_form.html"  # noqa: S105
    password_change_done_template = "clinic/password_change_done.html"  # noqa: S105

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or user.is_clinician))

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # The workspace opens on what matters: who needs attention.
        return redirect(f"{self.name}:journal_patient_changelist")

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def in_clinician_zone(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # Times read in the clinician's own zone (clinic.admin.when names it). Rendered
            # inside the override, since a TemplateResponse renders after the view returns.
            if not request.user.is_authenticated:
                return inner(request, *args, **kwargs)
            with timezone.override(zone(clinician_zone_name(request.user))):
                response = inner(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                return response

        return in_clinician_zone


class OperatorsAdminSite(admin.AdminSite):
    """The operators' admin. Clinicians are kept out even though they are staff: their
    permissions are for their own patients, and only the workspace scopes by patient."""

    site_header = "Foot & Ankle Journal: operators"
    site_title = "Operators"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_staff and (user.is_superuser or not user.is_clinician)
        )


clinic_site = ClinicAdminSite(name="clinic")
