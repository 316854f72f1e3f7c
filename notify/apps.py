from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # triage opens alerts; notify tells people (triage.hooks says why it is a hook).
        from notify.services import alerts_announce
        from triage.hooks import alerts_announcer_register

        alerts_announcer_register(alerts_announce)
