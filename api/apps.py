from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public API's composition and the use cases that span apps; see
    docs/architecture.md. An app (not a plain package) for its task module and the
    ``seed_demo`` command; it has no models."""

    name = "api"
    verbose_name = "Public API"
