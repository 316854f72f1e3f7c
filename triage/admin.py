from django.contrib import admin

from triage.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("opened_at", "patient", "rule", "level", "status", "site", "side")
    list_filter = ("status", "level", "rule")
    search_fields = ("patient__user__email", "rule")
    list_select_related = ("patient__user",)
    date_hierarchy = "opened_at"
    # Read-only: acknowledging and resolving go through services (the clinicians' workspace),
    # which record who and when and leave a note.
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
