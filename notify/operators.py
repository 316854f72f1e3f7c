"""Alerts for the people who run the service (not patients or clinicians): a log line at ERROR
on the ``footjournal.operators`` logger, which log shipping turns into a page, and one email to
``ADMINS`` per window so a burst is one message, not thousands."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import mail_admins

log = logging.getLogger("footjournal.operators")


def operators_alert(*, key: str, subject: str, body: str, window_seconds: int = 3600) -> bool:
    """Logs the alert every time; mails ``ADMINS`` at most once per ``key`` and window.

    Returns whether this call sent the mail. ``cache.add`` is atomic in Redis, so two web
    processes seeing the same burst send one mail between them.
    """
    log.error("%s: %s", subject, body, extra={"operators_alert": key})
    if not settings.ADMINS or not cache.add(f"operators-alert:{key}", 1, window_seconds):
        return False
    # Sent in the request, not through the outbox: it is rare (once per window), and the outbox
    # carries patients' and clinicians' messages, whose rows and retention it is built around.
    mail_admins(subject, body, fail_silently=True)
    return True
