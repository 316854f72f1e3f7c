"""Exactly what the clinicians group may do, in one place for the data migration and for the
post_migrate check that keeps it so (e.g. after a test run flushes the database)."""

from __future__ import annotations

from typing import Any

from accounts.models import CLINICIANS_GROUP

# Read patients' data, change an alert (acknowledge/resolve, through services), write notes,
# make their own invite codes. Nothing else: no change to entries, treatments, patients or
# the outbox.
CLINICIAN_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("journal", "patient"): ("view",),
    ("journal", "painlog"): ("view",),
    ("journal", "treatment"): ("view",),
    ("triage", "alert"): ("view", "change"),
    ("clinic", "clinicalnote"): ("view", "add"),
    ("clinic", "invitecode"): ("view", "add"),
}


def clinicians_group_sync(apps: Any) -> None:
    """Give the group exactly CLINICIAN_PERMISSIONS; ``apps`` may be a migration's state."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=CLINICIANS_GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
        for (app_label, model), actions in CLINICIAN_PERMISSIONS.items()
        for action in actions
    ]
    group.permissions.set(wanted)
