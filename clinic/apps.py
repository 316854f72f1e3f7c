from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"


class OperatorsAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the operators' site (clinic.sites) as ``admin.site``."""

    default = False  # listed by its full path in INSTALLED_APPS; "clinic" is ClinicConfig
    default_site = "clinic.sites.OperatorsAdminSite"
