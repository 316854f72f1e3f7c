"""The Celery app. The one beat schedule for the whole service lives here."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("footjournal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "notify-sweep-outbox": {"task": "notify.sweep_outbox", "schedule": 60},
    "notify-send-due-reminders": {"task": "notify.send_due_reminders", "schedule": 60},
    # Cheap when nobody is due (an index range scan on the stored next-change instants).
    "triage-reassess-due": {"task": "triage.reassess_due", "schedule": 60},
    "accounts-purge-retention": {
        "task": "accounts.purge_retention",
        "schedule": crontab(hour=3, minute=17),
    },
}


@after_setup_logger.connect
@after_setup_task_logger.connect
def _structured_logs(logger: object, *args: object, **kwargs: object) -> None:
    """Worker and beat write the same JSON lines as the web (LOG_FORMAT), with the task's
    name and id where the web has a request id."""
    from django.conf import settings

    if getattr(settings, "LOG_FORMAT", "plain") != "json":
        return
    from config.observability import JsonFormatter

    for handler in logger.handlers:  # type: ignore[attr-defined]
        handler.setFormatter(JsonFormatter())
