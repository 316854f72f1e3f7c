from django.contrib import admin

from journal.models import PainLog, Patient, Treatment


class PatientReportedAdmin(admin.ModelAdmin):
    """What a patient reported is read-only here: an edit would skip re-assessment and leave
    alerts out of step with the journal. Changes come from the patient's app."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("user", "timezone", "reminders_enabled", "has_diabetes")
    search_fields = ("user__email",)
    filter_horizontal = ("clinicians",)


@admin.register(PainLog)
class PainLogAdmin(PatientReportedAdmin):
    list_display = ("patient", "recorded_at", "site", "side", "severity", "swelling")
    list_filter = ("site", "side")
    list_select_related = ("patient__user",)
    date_hierarchy = "recorded_at"


@admin.register(Treatment)
class TreatmentAdmin(PatientReportedAdmin):
    list_display = ("patient", "kind", "site", "side", "started_at", "minutes")
    list_filter = ("kind",)
    list_select_related = ("patient__user",)
