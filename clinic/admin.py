"""The clinicians' workspace: a second AdminSite at /admin/, apart from the operators' one.

Every queryset here comes from clinic.selectors, which scopes it to the signed-in clinician
through the *_visible_to selectors. Patient-reported data is read-only; what a clinician may
do (acknowledge or resolve an alert with a note, write a note, make an invite code) goes
through clinic.services. Each view of a patient's data writes an access-log row.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic import exports, scores, selectors, services
from clinic.models import AccessAction, AccessLog, ClinicalNote, ClinicianProfile, InviteCode
from clinic.sites import clinic_site
from clinic.words import TREND_WORDS, level_words, rule_words, site_words
from journal.models import PainLog, Patient, Treatment
from journal.sites import Site
from journal.timezones import zone
from triage.domain import Level
from triage.engine import DISCLAIMER
from triage.models import ACTIVE_STATUSES, Alert, AlertStatus, LevelChoice, PatientReach
from triage.services import patient_assess

CHART_PERIODS = (30, 90, 365)
PAGE_SIZE = 25


def when(moment: datetime | None) -> str:
    """ "21 Nov 2026 19:12 GMT (Europe/London)" in the clinician's zone, always named.

    The zone is the one ClinicAdminSite.admin_view activated for this request (thread-local,
    so concurrent requests of clinicians in different zones do not mix)."""
    if moment is None:
        return ""
    tz = timezone.get_current_timezone()
    name = getattr(tz, "key", str(tz))
    local = moment.astimezone(tz)
    return f"{local:%d %b %Y %H:%M} {local.tzname()} ({name})"


def _log(request: HttpRequest, patient_ids: Any, action: str, detail: str = "") -> None:
    # Superusers are audited too: everyone who reads a patient's data leaves a row.
    services.access_log_write(
        request=request, patient_ids=patient_ids, action=action, now=timezone.now(), detail=detail
    )


class WorkspaceAdmin(admin.ModelAdmin):
    """What every workspace page shares: no bulk actions, no admin history (it would list
    objects outside the clinician's scope), no delete. URLs that are not offered are 404s,
    so they cannot confirm that someone else's patient exists."""

    class Media:
        css = {"all": ("clinic/clinic.css",)}

    def get_actions(self, request: HttpRequest) -> dict:
        return {}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        raise Http404

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        raise Http404


class ReadOnlyMixin:
    """Nobody edits what a patient reported: edits would bypass re-assessment."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- My patients -----------------------------------------------------------------------------


class AlertLevelFilter(admin.SimpleListFilter):
    title = "open alert level"
    parameter_name = "alert_level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (level.code, level_words(level))
            for level in sorted(Level, reverse=True)
            if level >= Level.CONSULT
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in LevelChoice.values:
            return selectors.filter_open_alert_level(queryset, self.value())
        return queryset


class SiteFilter(admin.SimpleListFilter):
    title = "site (entries in the last 30 days)"
    parameter_name = "site"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(site.value, str(site.label)) for site in Site]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in Site.values:
            return selectors.filter_site(queryset, self.value(), now=timezone.now())
        return queryset


class QuietFilter(admin.SimpleListFilter):
    title = "last entry"
    parameter_name = "quiet"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("3", f"No entry for {selectors.QUIET_DAYS}+ days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "3":
            return selectors.filter_quiet(queryset, now=timezone.now())
        return queryset


class PatientChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        patients = list(self.result_list)
        selectors.attach_trends(patients, now=timezone.now())
        scores.attach_scores(patients)
        # The list shows each patient's latest entry and alerts: that is a read, logged.
        if patients:
            _log(request, [p.pk for p in patients], AccessAction.PATIENT_LIST)


@admin.register(Patient, site=clinic_site)
class PatientAdmin(ReadOnlyMixin, WorkspaceAdmin):
    list_display = (
        "patient",
        "open_alerts",
        "latest_entry",
        "trend",
        "outcome_score",
        "days_since_entry",
    )
    list_display_links = ("patient",)
    list_filter = (AlertLevelFilter, SiteFilter, QuietFilter)
    search_fields = ("user__email",)  # see get_search_results
    search_help_text = "Search by email or by the name you gave the patient"
    list_per_page = 50
    show_full_result_count = False
    sortable_by = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Patient]:
        return selectors.patient_list(user=request.user, now=timezone.now())

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Patient], search_term: str
    ) -> tuple[QuerySet[Patient], bool]:
        # Also serves the autocomplete on notes, so both find patients by name too.
        return selectors.search_patients(queryset, search_term, user=request.user), False

    def get_ordering(self, request: HttpRequest) -> tuple:
        return selectors.URGENCY_ORDER

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type:
        return PatientChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra = {"title": "My patients, most urgent first", **(extra_context or {})}
        return super().changelist_view(request, extra)

    @admin.display(description="Patient")
    def patient(self, obj: Patient) -> str:
        return patient_label(obj)

    @admin.display(description="Open alerts")
    def open_alerts(self, obj: Patient) -> str:
        alerts = getattr(obj, "active_alerts", [])
        if not alerts:
            return "None"
        return format_html_join(
            "",
            '<div class="alert-line level-{}">{}: {}{}</div>',
            (
                (
                    alert.level,
                    level_words(alert.level),
                    rule_words(alert.rule),
                    " (acknowledged)" if alert.status == AlertStatus.ACKNOWLEDGED else "",
                )
                for alert in alerts
            ),
        )

    @admin.display(description="Latest entry")
    def latest_entry(self, obj: Patient) -> str:
        if obj.last_at is None:
            return "No entries"
        return format_html(
            "{}/10, {}<br><small>{}</small>",
            obj.last_severity,
            site_words(obj.last_site, obj.last_side),
            when(obj.last_at),
        )

    @admin.display(description="7-day trend")
    def trend(self, obj: Patient) -> str:
        return TREND_WORDS[getattr(obj, "trend", None)]

    # "Meaningful": a fall of 30 % or more from the first score (Krebs et al. 2009; the CDC
    # opioid-prescribing guideline's threshold for the PEG), cited in docs/outcomes.md.
    @admin.display(description="PEG (0-10, lower is better; a 30% fall is meaningful)")
    def outcome_score(self, obj: Patient) -> str:
        peg = getattr(obj, "peg", None)
        return "Not answered" if peg is None else peg.words

    @admin.display(description="Days since last entry")
    def days_since_entry(self, obj: Patient) -> str:
        if obj.last_at is None:
            return "Never"
        return str((timezone.now() - obj.last_at).days)

    # --- the patient's page (instead of a change form) ----------------------------------

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/print/",
                view(self.print_view),
                name="journal_patient_print",
            ),
            path(
                "<path:object_id>/export.csv",
                view(self.export_csv_view),
                name="journal_patient_export_csv",
            ),
            path(
                "<path:object_id>/export.fhir.json",
                view(self.export_fhir_view),
                name="journal_patient_export_fhir",
            ),
            path(
                "<path:object_id>/note/",
                view(self.note_view),
                name="journal_patient_note",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        patient = selectors.patient_or_404(request.user, object_id)
        now = timezone.now()
        try:
            days = int(request.GET.get("days", CHART_PERIODS[0]))
        except ValueError:
            days = CHART_PERIODS[0]
        if days not in CHART_PERIODS:
            days = CHART_PERIODS[0]
        chart = selectors.patient_chart(patient=patient, days=days, now=now)
        assessment = patient_assess(patient=patient, now=now)
        alerts = list(selectors.patient_alerts(user=request.user, patient=patient)[:100])
        entries = Paginator(
            selectors.patient_entries(user=request.user, patient=patient), PAGE_SIZE
        )
        treatments = Paginator(
            selectors.patient_treatments(user=request.user, patient=patient), PAGE_SIZE
        )
        entry_page = entries.get_page(request.GET.get("entries"))
        treatment_page = treatments.get_page(request.GET.get("treatments"))
        _log(request, [patient.pk], AccessAction.PATIENT_PAGE, f"chart {days} days")
        tz = zone(patient.timezone)
        today = now.astimezone(tz).date()
        responses = scores.response_rows(patient)
        chart_data = {**chart.as_json(), "peg": scores.peg_series(responses, chart.labels)}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": patient_label(patient),
            "patient": patient,
            "patient_zone": patient.timezone,
            "days": days,
            "periods": CHART_PERIODS,
            "chart": chart_data,
            "chart_points": sum(
                1 for line in chart.severity for value in line["worst"] if value is not None
            ),
            "assessment": assessment,
            "assessment_level": level_words(assessment.level),
            "findings": [
                {
                    "level": level_words(finding.level),
                    "rule": rule_words(finding.rule),
                    "where": site_words(finding.site, finding.side),
                    "reason": finding.reason,
                    "source": finding.source,
                }
                for finding in assessment.findings
            ],
            "disclaimer": DISCLAIMER,
            "active_alerts": [_alert_row(a) for a in alerts if a.status in ACTIVE_STATUSES],
            "past_alerts": [_alert_row(a) for a in alerts if a.status not in ACTIVE_STATUSES],
            "entry_page": entry_page,
            "entries": [_entry_row(e) for e in entry_page],
            "treatment_page": treatment_page,
            "treatments": [_treatment_row(t) for t in treatment_page],
            "sent": [
                {
                    "kind": m.get_kind_display(),
                    "channel": m.channel,
                    "status": m.get_status_display(),
                    "to": m.to_email,
                    "subject": m.subject,
                    "created": when(m.created_at),
                    "sent": when(m.sent_at),
                }
                for m in selectors.patient_messages(patient=patient)
            ],
            "notes": [
                {
                    "kind": n.get_kind_display(),
                    "author": n.author.email if n.author else "(deleted user)",
                    "text": n.text,
                    "at": when(n.created_at),
                    "alert": rule_words(n.alert.rule) if n.alert else "",
                }
                for n in selectors.patient_notes(user=request.user, patient=patient)[:50]
            ],
            "responses": responses,
            "insight": scores.insight_view(patient, now),
            "peg_threshold": scores.peg_threshold_words(),
            "print_first": (today - timedelta(days=days - 1)).isoformat(),
            "print_last": today.isoformat(),
            "urls": _patient_urls(self.admin_site.name, patient.pk),
        }
        return TemplateResponse(request, "clinic/patient.html", context)

    def _period(self, request: HttpRequest, patient: Patient) -> selectors.Period:
        tz = zone(patient.timezone)
        today = timezone.now().astimezone(tz).date()
        try:
            first = date.fromisoformat(request.GET.get("from") or str(today - timedelta(days=89)))
            last = date.fromisoformat(request.GET.get("to") or str(today))
        except ValueError:
            raise ValidationError("Dates must look like 2026-11-21.") from None
        if first > last:
            raise ValidationError("The first day must not be after the last.")
        if (last - first).days > 3 * 366:
            raise ValidationError("Choose a period of at most three years.")
        return selectors.period_for(patient, first, last)

    def print_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        patient = selectors.patient_or_404(request.user, object_id)
        try:
            period = self._period(request, patient)
        except ValidationError as exc:
            return HttpResponseBadRequest(" ".join(exc.messages))
        entries = selectors.period_entries(user=request.user, patient=patient, period=period)
        treatments = selectors.period_treatments(user=request.user, patient=patient, period=period)
        alerts = selectors.period_alerts(user=request.user, patient=patient, period=period)
        _log(request, [patient.pk], AccessAction.PRINT, f"{period.first}..{period.last}")
        context = {
            "patient": patient,
            "period": period,
            "printed": when(timezone.now()),
            "entries": [_entry_row(e) for e in entries],
            "treatments": [_treatment_row(t) for t in treatments],
            "alerts": [_alert_row(a) for a in alerts],
            "responses": scores.response_rows(
                patient, scores.period_responses(patient=patient, period=period)
            ),
            "insight": scores.insight_view(patient, timezone.now()),
            "disclaimer": DISCLAIMER,
            "urls": _patient_urls(self.admin_site.name, patient.pk),
        }
        return TemplateResponse(request, "clinic/print.html", context)

    def export_csv_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        patient = selectors.patient_or_404(request.user, object_id)
        try:
            period = self._period(request, patient)
        except ValidationError as exc:
            return HttpResponseBadRequest(" ".join(exc.messages))
        body = exports.entries_csv(
            patient=patient,
            entries=selectors.period_entries(user=request.user, patient=patient, period=period),
            treatments=selectors.period_treatments(
                user=request.user, patient=patient, period=period
            ),
            responses=scores.period_responses(patient=patient, period=period),
        )
        _log(request, [patient.pk], AccessAction.EXPORT_CSV, f"{period.first}..{period.last}")
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        name = f"patient-{patient.pk}-{period.first}-{period.last}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def export_fhir_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        patient = selectors.patient_or_404(request.user, object_id)
        try:
            period = self._period(request, patient)
        except ValidationError as exc:
            return HttpResponseBadRequest(" ".join(exc.messages))
        bundle = exports.pain_bundle(
            patient=patient,
            entries=selectors.period_entries(user=request.user, patient=patient, period=period),
            base_url=settings.APP_BASE_URL,
            now=timezone.now(),
            responses=scores.period_responses(patient=patient, period=period),
        )
        _log(request, [patient.pk], AccessAction.EXPORT_FHIR, f"{period.first}..{period.last}")
        response = JsonResponse(bundle, content_type="application/fhir+json")
        name = f"patient-{patient.pk}-{period.first}-{period.last}.fhir.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def note_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        patient = selectors.patient_or_404(request.user, object_id)
        if request.method != "POST":
            raise Http404
        if not request.user.has_perm("clinic.add_clinicalnote"):
            raise Http404
        try:
            services.clinical_note_add(
                patient=patient,
                author=request.user,
                text=request.POST.get("text", "")[:4000],
                now=timezone.now(),
            )
            messages.success(request, "Note saved.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(
            reverse(f"{self.admin_site.name}:journal_patient_change", args=[patient.pk])
        )


def patient_label(patient: Patient) -> str:
    name = getattr(patient, "name", None)
    return f"{name} ({patient.user.email})" if name else patient.user.email


def _patient_urls(site: str, pk: int) -> dict[str, str]:
    return {
        "page": reverse(f"{site}:journal_patient_change", args=[pk]),
        "print": reverse(f"{site}:journal_patient_print", args=[pk]),
        "csv": reverse(f"{site}:journal_patient_export_csv", args=[pk]),
        "fhir": reverse(f"{site}:journal_patient_export_fhir", args=[pk]),
        "note": reverse(f"{site}:journal_patient_note", args=[pk]),
        "list": reverse(f"{site}:journal_patient_changelist"),
    }


def _alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "level": level_words(alert.level),
        "level_code": alert.level,
        "rule": rule_words(alert.rule),
        "where": site_words(alert.site, alert.side),
        "status": alert.get_status_display(),
        "reason": alert.reason,
        "opened": when(alert.opened_at),
        "acknowledged": when(alert.acknowledged_at),
        "acknowledged_by": alert.acknowledged_by.email if alert.acknowledged_by else "",
        "resolved": when(alert.resolved_at),
        "resolved_by": alert.resolved_by.email if alert.resolved_by else "",
        "url": reverse("clinic:triage_alert_change", args=[alert.pk]),
    }


def _entry_row(log: PainLog) -> dict[str, Any]:
    flags = [
        label
        for label, on in (
            ("sudden onset", log.sudden_onset),
            ("red or warm", log.redness_or_warmth),
            ("fever", log.fever),
            ("cannot bear weight", not log.can_bear_weight),
            ("numbness or tingling", log.numbness_or_tingling),
            ("heard a pop", log.heard_pop),
            ("back or leg pain", log.back_or_leg_pain),
            # The patient's "Gone", which ends the episode; a plain 0 is only a quiet reading.
            ("says it has gone", log.gone),
        )
        if on
    ]
    if log.temperature_c is not None:
        flags.append(f"{log.temperature_c} °C")
    return {
        "when": when(log.recorded_at),
        "where": site_words(log.site, log.side),
        "severity": log.severity,
        "swelling": log.get_swelling_display(),
        "flags": ", ".join(flags),
        "notes": log.notes,
    }


def _treatment_row(treatment: Treatment) -> dict[str, Any]:
    return {
        "when": when(treatment.started_at),
        "kind": treatment.get_kind_display(),
        "where": site_words(treatment.site, treatment.side),
        "minutes": "running" if treatment.minutes is None else treatment.minutes,
        "skin_reaction": "yes" if treatment.skin_reaction else "",
    }


# --- Alert queue -----------------------------------------------------------------------------


class ActiveAlertFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("all", "All, including resolved"), ("resolved", "Resolved")]

    def choices(self, changelist: Any) -> Any:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Open and acknowledged",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "all":
            return queryset
        if self.value() == "resolved":
            return queryset.filter(status=AlertStatus.RESOLVED)
        return queryset.filter(status__in=ACTIVE_STATUSES)


class AlertLevelAllFilter(AlertLevelFilter):
    title = "level"

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in LevelChoice.values:
            return queryset.filter(level=self.value())
        return queryset


PATIENT_TOLD = {
    PatientReach.PENDING: "Sending",
    PatientReach.REACHED: "Yes",
    PatientReach.REACHED_BY_EMAIL: "Yes, by email (push failed)",
    PatientReach.NOT_REACHED: "Not reached",
}


@admin.register(Alert, site=clinic_site)
class AlertQueueAdmin(WorkspaceAdmin):
    list_display = (
        "level_words",
        "patient_email",
        "rule_words",
        "where",
        "opened",
        "status",
        "patient_told",
    )
    list_display_links = ("level_words",)
    list_filter = (ActiveAlertFilter, AlertLevelAllFilter)
    search_fields = ("patient__user__email",)
    search_help_text = "Search by patient email"
    list_per_page = 50
    show_full_result_count = False
    sortable_by = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Alert]:
        return (
            selectors.workspace_alerts(request.user)
            .select_related("patient__user")
            .annotate(rank=selectors.LEVEL_RANK, waiting=selectors.WAITING_FIRST)
        )

    def get_ordering(self, request: HttpRequest) -> tuple:
        # Open before acknowledged, then the most urgent, then the longest waiting.
        return ("-waiting", "-rank", "opened_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra = {"title": "Alert queue, most urgent first", **(extra_context or {})}
        return super().changelist_view(request, extra)

    @admin.display(description="Level")
    def level_words(self, obj: Alert) -> str:
        return level_words(obj.level)

    @admin.display(description="Patient")
    def patient_email(self, obj: Alert) -> str:
        return obj.patient.user.email

    @admin.display(description="Alert")
    def rule_words(self, obj: Alert) -> str:
        return rule_words(obj.rule)

    @admin.display(description="Where")
    def where(self, obj: Alert) -> str:
        return site_words(obj.site, obj.side) or "Whole patient"

    @admin.display(description="Opened")
    def opened(self, obj: Alert) -> str:
        return when(obj.opened_at)

    @admin.display(description="Patient told")
    def patient_told(self, obj: Alert) -> str:
        """Whether the patient's own message got through (issue 10): "Not reached" means
        every channel failed for good, so the clinician cannot assume they know."""
        return PATIENT_TOLD.get(obj.patient_reach, "")

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            alert = (
                self.get_queryset(request).select_related("acknowledged_by", "resolved_by")
            ).get(pk=object_id)
        except (Alert.DoesNotExist, ValidationError, ValueError):
            raise Http404("No such alert.") from None
        if request.method == "POST":
            if not self.has_change_permission(request, alert):
                raise Http404
            note = request.POST.get("note", "")[:4000]
            act = request.POST.get("action")
            try:
                if act == "acknowledge":
                    services.alert_acknowledge(
                        alert=alert, by=request.user, note=note, now=timezone.now()
                    )
                    messages.success(request, "Alert acknowledged.")
                elif act == "resolve":
                    services.alert_resolve(
                        alert=alert, by=request.user, note=note, now=timezone.now()
                    )
                    messages.success(request, "Alert resolved.")
                else:
                    return HttpResponseBadRequest("Choose acknowledge or resolve.")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(request.path)
            return redirect(reverse(f"{self.admin_site.name}:triage_alert_changelist"))
        _log(request, [alert.patient_id], AccessAction.ALERT, str(alert.pk))
        notes = [
            {
                "kind": n.get_kind_display(),
                "author": n.author.email if n.author else "",
                "text": n.text,
                "at": when(n.created_at),
            }
            for n in ClinicalNote.objects.filter(alert=alert)
            .select_related("author")
            .order_by("created_at")
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{level_words(alert.level)}: {rule_words(alert.rule)}",
            "alert": alert,
            "row": _alert_row(alert),
            "notes": notes,
            "can_act": alert.status != AlertStatus.RESOLVED
            and self.has_change_permission(request, alert),
            "is_open": alert.status == AlertStatus.OPEN,
            "patient_url": reverse(
                f"{self.admin_site.name}:journal_patient_change", args=[alert.patient_id]
            ),
        }
        return TemplateResponse(request, "clinic/alert.html", context)


# --- Entries and sessions (read-only lists) ----------------------------------------------------


class AuditedListMixin:
    access_action = AccessAction.ENTRY_LIST

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            ids = {row.patient_id for row in changelist.result_list}
            if ids:
                _log(request, ids, self.access_action)
        return response

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        raise Http404  # the list shows everything; the patient page has the context


class PatientRowsListMixin:
    """Read-only lists of patient-reported rows: searched by patient, paged without a full
    count, with the patient and the place in words."""

    list_display_links = None
    search_fields = ("patient__user__email",)
    search_help_text = "Search by patient email"
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description="Patient")
    def patient_email(self, obj: PainLog | Treatment) -> str:
        return obj.patient.user.email

    @admin.display(description="Where")
    def where(self, obj: PainLog | Treatment) -> str:
        return site_words(obj.site, obj.side)


@admin.register(PainLog, site=clinic_site)
class PainLogAdmin(AuditedListMixin, ReadOnlyMixin, PatientRowsListMixin, WorkspaceAdmin):
    list_display = ("recorded", "patient_email", "where", "severity", "swelling")
    list_filter = ("site", "side", "swelling")
    ordering = ("-recorded_at", "-id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PainLog]:
        return selectors.workspace_pain_logs(request.user).select_related("patient__user")

    @admin.display(description="When", ordering="recorded_at")
    def recorded(self, obj: PainLog) -> str:
        return when(obj.recorded_at)


@admin.register(Treatment, site=clinic_site)
class TreatmentAdmin(AuditedListMixin, ReadOnlyMixin, PatientRowsListMixin, WorkspaceAdmin):
    access_action = AccessAction.TREATMENT_LIST
    list_display = ("started", "patient_email", "kind", "where", "minutes", "skin_reaction")
    list_filter = ("kind", "site", "side")
    ordering = ("-started_at", "-id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Treatment]:
        return selectors.workspace_treatments(request.user).select_related("patient__user")

    @admin.display(description="When", ordering="started_at")
    def started(self, obj: Treatment) -> str:
        return when(obj.started_at)


# --- Notes and invite codes ------------------------------------------------------------------


@admin.register(ClinicalNote, site=clinic_site)
class ClinicalNoteAdmin(WorkspaceAdmin):
    list_display = ("created_at", "patient", "kind", "author", "text")
    list_filter = ("kind",)
    search_fields = ("patient__user__email", "text")
    autocomplete_fields = ("patient",)
    fields = ("patient", "text")

    class Media:
        js = ("clinic/select2-label.js",)

    list_select_related = ("patient__user", "author")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClinicalNote]:
        return selectors.workspace_notes(request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "patient":
            kwargs["queryset"] = selectors.workspace_patients(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ClinicalNote, form: Any, change: bool) -> None:
        note = services.clinical_note_add(
            patient=form.cleaned_data["patient"],
            author=request.user,
            text=form.cleaned_data["text"],
            now=timezone.now(),
        )
        obj.pk, obj.created_at, obj.author, obj.kind = (
            note.pk,
            note.created_at,
            note.author,
            note.kind,
        )
        obj._state.adding = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InviteCode, site=clinic_site)
class InviteCodeAdmin(WorkspaceAdmin):
    list_display = ("display_code", "note", "created_at", "expires_at", "state")
    fields = ("note",)
    list_select_related = ("clinician",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[InviteCode]:
        return selectors.workspace_invite_codes(request.user)

    @admin.display(description="Code")
    def display_code(self, obj: InviteCode) -> str:
        return f"{obj.code[:4]}-{obj.code[4:]}"

    @admin.display(description="State")
    def state(self, obj: InviteCode) -> str:
        if obj.used_at:
            return "Used"
        if obj.expires_at <= timezone.now():
            return "Expired"
        return "Waiting for the patient"

    def save_model(self, request: HttpRequest, obj: InviteCode, form: Any, change: bool) -> None:
        code = services.invite_code_create(
            clinician=request.user, now=timezone.now(), note=form.cleaned_data.get("note", "")
        )
        for field in ("id", "code", "clinician", "created_at", "expires_at"):
            setattr(obj, field, getattr(code, field))
        obj._state.adding = False

    def response_add(self, request: HttpRequest, obj: InviteCode, *args: Any) -> HttpResponse:
        messages.success(
            request,
            f"Give this code to your patient: {self.display_code(obj)}. They enter it in the "
            f"app (Care team) before {when(obj.expires_at)}; it works once.",
        )
        return redirect(reverse(f"{self.admin_site.name}:clinic_invitecode_changelist"))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClinicianProfile, site=clinic_site)
class MyTimeZoneAdmin(WorkspaceAdmin):
    """Each clinician sets the zone their times are shown in; only their own row."""

    fields = ("timezone",)
    list_display = ("timezone",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClinicianProfile]:
        return ClinicianProfile.objects.filter(user_id=request.user.pk)

    def _own(self, request: HttpRequest, obj: Any) -> bool:
        return obj is None or obj.user_id == request.user.pk

    def has_module_permission(self, request: HttpRequest) -> bool:
        return True

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._own(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._own(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the list opens (and if need be makes) the clinician's own row

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        own, _ = ClinicianProfile.objects.get_or_create(user_id=request.user.pk)
        site = self.admin_site.name
        return redirect(reverse(f"{site}:clinic_clinicianprofile_change", args=[own.pk]))


# --- On the operators' site (/ops/) ----------------------------------------------------------


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Superusers read the access log; nobody, superusers included, changes or deletes it."""

    list_display = ("at", "user_email", "action", "patient_id", "detail", "ip_address")
    list_filter = ("action",)
    search_fields = ("user_email", "=patient_id")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AccessLog._meta.fields]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}


@admin.register(ClinicianProfile)
class ClinicianProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "timezone")
    search_fields = ("user__email",)
    autocomplete_fields = ("user",)


@admin.register(InviteCode)
class OperatorInviteCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "clinician", "created_at", "expires_at", "used_at", "used_by")
    search_fields = ("code", "clinician__email")
    list_select_related = ("clinician", "used_by__user")
    readonly_fields = [f.name for f in InviteCode._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # codes are made by clinicians in the workspace
