from django.contrib import admin

from notify.models import DeliveryAttempt, Device, Message


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("at", "channel", "outcome", "error", "provider_id", "duration_ms")
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox, for whoever runs the service: failed messages are the ones to look at."""

    list_display = ("created_at", "kind", "channel", "status", "attempts", "due_at", "patient")
    list_filter = ("status", "kind", "channel")
    search_fields = ("patient__user__email", "to_email", "dedupe_key")
    list_select_related = ("patient__user",)
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):  # messages come from services, never by hand
        return False


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("patient", "kind", "name", "active", "deactivated_reason", "created_at")
    list_filter = ("kind", "active")
    search_fields = ("patient__user__email",)
    list_select_related = ("patient__user",)
    readonly_fields = ("address", "keys")
