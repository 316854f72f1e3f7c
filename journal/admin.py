from django.contrib import admin

from journal.models import PainLog, Patient, Treatment


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("user", "timezone", "reminders_enabled", "has_diabetes")
    search_fields = ("user__email",)
    filter_horizontal = ("clinicians",)


@admin.register(PainLog)
class PainLogAdmin(admin.ModelAdmin):
    list_display = ("patient", "recorded_at", "site", "side", "severity", "swelling")
    list_filter = ("site", "side")
    list_select_related = ("patient__user",)
    date_hierarchy = "recorded_at"


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ("patient", "kind", "site", "side", "started_at", "minutes")
    list_filter = ("kind",)
    list_select_related = ("patient__user",)
