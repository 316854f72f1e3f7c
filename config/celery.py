"""The Celery app. The one beat schedule for the whole service lives here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("footjournal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "triage-reassess-due": {"task": "triage.reassess_due", "schedule": 15 * 60},
}
