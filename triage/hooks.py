"""The one hook through which an app above triage reacts to what triage decided.

Triage opens and escalates alerts in the transaction of the write or sweep that caused them,
and each must be told to people in that same transaction (the outbox row commits with the
alert: "record the decision, then send"). Telling people is notify's job, and notify sits
above triage (it reads alerts to word and address its messages), so triage must not import
it. Every path that can open an alert (a journal write, the time-driven sweep, a caller yet
to come) goes through ``triage.services``, so the announcement is made there, through the
announcer that notify registers at start-up (``NotifyConfig.ready``).

Not a Django signal: there is exactly one receiver, its signature is typed, and a missing one
is an error rather than alerts silently never announced.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from journal.models import Patient
    from triage.models import Alert


class AlertsAnnouncer(Protocol):
    def __call__(self, *, patient: Patient, alerts: Sequence[Alert], now: datetime) -> object:
        """Queue, in the caller's transaction, the messages about ``alerts`` (just opened
        or escalated) that are news to the patient or their clinicians."""


_announcer: AlertsAnnouncer | None = None


def alerts_announcer_register(announcer: AlertsAnnouncer) -> None:
    """Called once at start-up by the app that delivers alerts; a second call replaces it."""
    global _announcer  # the registry is this one module-level slot
    _announcer = announcer


def alerts_announce(*, patient: Patient, alerts: Sequence[Alert], now: datetime) -> None:
    if _announcer is None:
        raise ImproperlyConfigured(
            "No alerts announcer registered: is notify in INSTALLED_APPS? Alerts must not "
            "open without being announced."
        )
    _announcer(patient=patient, alerts=alerts, now=now)
