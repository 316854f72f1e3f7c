from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        # After permissions are (re)created: a flushed database (tests) or a new model's
        # permissions must not leave the clinicians group short of what it needs.
        post_migrate.connect(_sync_group, dispatch_uid="clinic.clinicians_group_sync")


def _sync_group(sender: AppConfig, apps: Any = None, **kwargs: Any) -> None:
    if sender.name != "clinic":
        return
    if apps is None:
        # `flush` (a transactional test's teardown) sends post_migrate without the app
        # registry; the next test's clinicians would otherwise get a group with no rights.
        from django.apps import apps as global_apps

        apps = global_apps
    from clinic.permissions import clinicians_group_sync

    try:
        clinicians_group_sync(apps)
    except LookupError:  # a partial migrate (e.g. backwards) without these models
        return


class OperatorsAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the operators' site (clinic.sites) as ``admin.site``."""

    default = False  # listed by its full path in INSTALLED_APPS; "clinic" is ClinicConfig
    default_site = "clinic.sites.OperatorsAdminSite"
