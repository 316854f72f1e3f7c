"""The clinicians group gets exactly what the workspace needs, so a new clinician works out
of the box: read patients' data, change an alert (acknowledge/resolve, through services),
write notes, and manage their own invite codes. Nothing else: no change to entries,
treatments, patients or the outbox."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINICIAN_PERMISSIONS = {
    ("journal", "patient"): ["view"],
    ("journal", "painlog"): ["view"],
    ("journal", "treatment"): ["view"],
    ("triage", "alert"): ["view", "change"],
    ("clinic", "clinicalnote"): ["view", "add"],
    ("clinic", "invitecode"): ["view", "add"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now
    # so a fresh database gets the group's permissions in this same migrate run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="clinicians")
    wanted = []
    for (app_label, model), actions in CLINICIAN_PERMISSIONS.items():
        for action in actions:
            wanted.append(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
            )
    group.permissions.set(wanted)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="clinicians"):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_accesslog_append_only"),
        ("accounts", "0002_clinicians_group"),
        ("journal", "0002_notification_preferences"),
        ("triage", "0003_alert_resolved_by"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
