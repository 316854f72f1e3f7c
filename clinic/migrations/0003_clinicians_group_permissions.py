"""The clinicians group gets exactly what the workspace needs (clinic.permissions), so a new
clinician works out of the box."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.models import CLINICIANS_GROUP
from clinic.permissions import clinicians_group_sync


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now
    # so a fresh database gets the group's permissions in this same migrate run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    clinicians_group_sync(apps)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=CLINICIANS_GROUP):
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
