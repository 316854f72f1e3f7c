"""Record the decision, then send.

Every message is first an outbox row written in the transaction that caused it. Delivery is
a separate step that claims the row with a conditional UPDATE, so two workers (or a retry
racing a sweep) can never both send it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from journal.bulk import copy_insert
from journal.models import PainLog, Patient, Treatment
from journal.timezones import zone
from notify import content
from notify.models import (
    AttemptOutcome,
    DeliveryAttempt,
    Device,
    Message,
    MessageKind,
    MessageStatus,
)
from notify.schedule import next_reminder_at
from outcomes.models import QuestionnaireResponse
from outcomes.periods import week_period, weekly_prompt_day
from triage.domain import Level
from triage.episodes import SILENT_GAP_DAYS
from triage.models import Alert, PatientAssessment, PatientReach

log = logging.getLogger(__name__)

PUSH_CHANNELS = ("webpush", "fcm", "apns")
ALWAYS_DELIVER_FROM = Level.CONSULT_24H
CLINICIAN_EMAIL_FROM = Level.CONSULT_24H
# Issue 10: an open episode whose site has not been logged for this many local days gets a
# named question in the daily reminder ("How is your right heel today?").
SITE_CHECK_AFTER_DAYS = 2


# --- enqueueing (inside the caller's transaction) -----------------------------------------


def email_usable(patient: Patient) -> bool:
    """Whether email is a channel for this patient at all: THE one place that decides.

    Only a verified address counts: anyone can register someone else's address, and that
    person must not receive "see a doctor" mail. Every path that would email a patient
    (chosen channels, the urgent fallback) asks here; account mail (the address check
    itself, password reset) is the only exception and goes through account_email_enqueue.
    """
    user = patient.user
    return email_usable_values(
        is_active=user.is_active, email=user.email, verified_at=user.email_verified_at
    )


def email_usable_values(*, is_active: bool, email: str, verified_at: datetime | None) -> bool:
    """``email_usable`` for a caller that read the user's fields as plain values."""
    return bool(is_active and email and verified_at is not None)


def _addresses(patient: Patient, wanted: Iterable[str]) -> list[tuple[str, Device | None, str]]:
    """(channel, device, email) triples for the channels a patient chose and can use.

    Reads ``patient.devices.all()`` so a caller handling many patients can prefetch them.
    """
    targets: list[tuple[str, Device | None, str]] = []
    if "push" in wanted:
        devices = sorted((d for d in patient.devices.all() if d.active), key=lambda d: d.created_at)
        targets += [(device.kind, device, "") for device in devices]
    if "email" in wanted and email_usable(patient):
        targets.append(("email", None, patient.user.email))
    return targets


def _enqueue(**kwargs: Any) -> list[Message]:
    # ON CONFLICT DO NOTHING: a row already in the outbox stays the only copy. Dispatching
    # the id of a row that was not inserted is harmless: nothing matches its claim.
    return Message.objects.bulk_create(_rows(**kwargs), ignore_conflicts=True)


def _rows(
    *,
    key: str,
    kind: str,
    patient: Patient | None,
    targets: list[tuple[str, Device | None, str]],
    body: content.Content,
    due_at: datetime,
    subject_ref: str = "",
    patient_id: int | None = None,
    lock_screen_detail: bool | None = None,
) -> list[Message]:
    """Outbox rows; a caller working from plain values gives ``patient_id`` and
    ``lock_screen_detail`` instead of ``patient``."""
    if patient is not None:
        lock_screen_detail = patient.lock_screen_detail
    # Push is read on lock screens: neutral unless the patient asked for detail.
    push_body = body if lock_screen_detail is not False else content.for_lock_screen(body)
    return [
        Message(
            dedupe_key=f"{key}:{channel}:{device.pk if device else email}"[:200],
            kind=kind,
            channel=channel,
            patient_id=patient.pk if patient is not None else patient_id,
            device=device,
            to_email=email,
            subject=(push_body if device else body).subject,
            body=(push_body if device else body).text,
            url=body.url,
            tag=body.tag,
            urgency=body.urgency,
            data=body.data,
            subject_ref=subject_ref,
            due_at=due_at,
        )
        for channel, device, email in targets
    ]


def dispatch_on_commit(messages: list[Message], *, now: datetime) -> None:
    """Hand due messages to Celery once the rows are committed.

    Publishing inside the transaction would let a worker look for a row that does not exist
    yet (or never will, on rollback). If the broker is down the publish fails here, after
    the commit, and the row waits for the every-minute sweep instead of being lost.
    """
    ids = [str(m.pk) for m in messages if m.due_at <= now]
    if not ids:
        return

    transaction.on_commit(lambda: _publish_unless_broker_failing(ids))


# A Redis cut off by the network (silent, not refusing) makes a publish wait for its
# timeouts, 5 to 9 s, inside the request that wrote the rows; every web thread publishing
# at once would stall the web (loadtest/partitions.py). After one failure this process
# leaves on-commit publishing to the every-minute sweep for a while; the rows are committed,
# so nothing is lost, only sent up to a minute later. The sweep itself always publishes.
BROKER_SKIP_SECONDS = 30.0
_broker_failed_at: float | None = None


def _publish_unless_broker_failing(ids: list[str]) -> None:
    global _broker_failed_at
    failed_at = _broker_failed_at
    if failed_at is not None and time.monotonic() - failed_at < BROKER_SKIP_SECONDS:
        log.warning("broker failed recently; %d messages left for the sweep", len(ids))
        return
    if not publish(ids):
        _broker_failed_at = time.monotonic()


# One task per message costs a broker round trip each (about 0.4 ms): 40 s for a morning's
# 100,000 reminders. Past a handful, ids travel in batches; each is still claimed and sent
# on its own (message_deliver), so a batch retried or raced by the sweep sends nothing twice.
PUBLISH_ONE_BY_ONE = 8
PUBLISH_BATCH = 50


def publish(ids: list[str]) -> bool:
    """Hand committed outbox ids to Celery; on a broker failure leave the rest to the sweep.
    Returns whether the broker took them all."""
    from notify.tasks import deliver_message, deliver_messages

    try:
        if len(ids) <= PUBLISH_ONE_BY_ONE:
            for message_id in ids:
                deliver_message.delay(message_id)
        else:
            for start in range(0, len(ids), PUBLISH_BATCH):
                deliver_messages.delay(ids[start : start + PUBLISH_BATCH])
    except Exception:  # any broker failure; the sweep is the fallback
        log.warning("broker unavailable; %d messages left for the sweep", len(ids))
        return False
    return True


def account_email_enqueue(
    *, patient: Patient | None, to_email: str, body: content.Content, key: str, now: datetime
) -> list[Message]:
    """Mail about the account itself (the address check, a password reset), through the
    outbox like every message. It goes to the address as registered: that is the point."""
    created = _enqueue(
        key=key,
        kind=MessageKind.ACCOUNT,
        patient=patient,
        targets=[("email", None, to_email)],
        body=body,
        due_at=now,
    )
    dispatch_on_commit(created, now=now)
    return created


def alerts_announce(*, patient: Patient, alerts: list[Alert], now: datetime) -> list[Message]:
    """Tell the patient (and, when urgent, their clinicians) about new or higher alerts.

    Alerts that open together become one message per person at the highest level. An alert
    is news only above the level people were already told about.
    """
    news = [a for a in alerts if Level.from_code(a.level) >= Level.CONSULT and _is_news(a)]
    if not news:
        return []
    levels = [Level.from_code(a.level) for a in news]
    top = max(levels)
    # One fixed-length name for this set of (alert, level) pairs: however many alerts open
    # together, the key and tag fit their columns, and the same set always gets the same name.
    pairs = ",".join(sorted(f"{a.pk}:{a.level}" for a in news))
    reference = hashlib.sha256(pairs.encode()).hexdigest()[:20]
    key = f"alert:{patient.pk}:{reference}"
    base = settings.APP_BASE_URL
    wanted = set(patient.alert_channels)
    targets = _addresses(patient, wanted)
    if top >= ALWAYS_DELIVER_FROM and not targets:
        # Urgent advice must reach the patient even with every channel turned off or no
        # working device.
        targets = _addresses(patient, {"email"})
    body = content.patient_alert(levels=levels, base_url=base, reference=reference)
    created = _enqueue(
        key=key,
        kind=MessageKind.ALERT,
        patient=patient,
        targets=targets,
        body=body,
        due_at=now,
        subject_ref=key,
    )
    if top >= CLINICIAN_EMAIL_FROM:
        # The patient's page in the clinicians' workspace (clinic), not the operators' admin.
        admin_url = base + reverse("clinic:journal_patient_change", args=[patient.pk])
        clinician_body = content.clinician_alert(
            level=top, patient_email=patient.user.email, admin_url=admin_url, reference=reference
        )
        for clinician in patient.clinicians.filter(is_active=True).order_by("pk"):
            created += _enqueue(
                key=f"{key}:clinician:{clinician.pk}",
                kind=MessageKind.CLINICIAN_ALERT,
                patient=patient,
                targets=[("email", None, clinician.email)],
                body=clinician_body,
                due_at=now,
            )
    reach, note = (PatientReach.PENDING, "") if targets else (PatientReach.NOT_REACHED, NO_CHANNEL)
    for alert in news:
        alert.notified_level = alert.level
        alert.notice_ref = key
        alert.patient_reach = reach
        alert.reach_note = note
        alert.save(update_fields=["notified_level", "notice_ref", "patient_reach", "reach_note"])
    dispatch_on_commit(created, now=now)
    return created


NO_CHANNEL = "No channel could reach the patient: no active device and no usable email address."


def _is_news(alert: Alert) -> bool:
    if not alert.notified_level:
        return True
    return Level.from_code(alert.level) > Level.from_code(alert.notified_level)


def treatment_timer_sync(*, treatment: Treatment, now: datetime) -> list[Message]:
    """A running ice/heat session gets a "take it off" push; stopping it cancels that."""
    ref = f"treatment:{treatment.pk}"
    if treatment.minutes is not None:
        timer_cancel(subject_ref=ref)
        return []
    minutes = settings.TREATMENT_TIMER_MINUTES
    due = treatment.started_at + timedelta(minutes=minutes)
    if due <= now - timedelta(minutes=minutes):
        return []  # logged long after the fact: a timer now would only confuse
    # A changed start time moves the timer: cancel any other pending one for this session.
    Message.objects.filter(
        subject_ref=ref, kind=MessageKind.TIMER, status=MessageStatus.PENDING
    ).exclude(due_at=due).update(status=MessageStatus.CANCELLED)
    patient = treatment.patient
    targets = [t for t in _addresses(patient, {"push"}) if t[0] in PUSH_CHANNELS]
    body = content.treatment_timer(
        kind=treatment.kind,
        minutes=minutes,
        base_url=settings.APP_BASE_URL,
        treatment_id=str(treatment.pk),
    )
    created = _enqueue(
        key=f"timer:{treatment.pk}:{treatment.started_at.isoformat()}",
        kind=MessageKind.TIMER,
        patient=patient,
        targets=targets,
        body=body,
        due_at=due,
        subject_ref=ref,
    )
    dispatch_on_commit(created, now=now)
    return created


def timer_cancel(*, subject_ref: str) -> int:
    return Message.objects.filter(
        subject_ref=subject_ref, kind=MessageKind.TIMER, status=MessageStatus.PENDING
    ).update(status=MessageStatus.CANCELLED)


def reminder_reschedule(*, patient: Patient, now: datetime) -> None:
    """Keep the indexed next-due column in step with the profile."""
    if patient.reminders_enabled:
        patient.next_reminder_at = next_reminder_at(
            tz=zone(patient.timezone), at=patient.reminder_time, after=now
        )
    else:
        patient.next_reminder_at = None
    patient.save(update_fields=["next_reminder_at"])


def reminders_enqueue_due(*, now: datetime, chunk: int = 1000) -> int:
    """Daily reminders for everyone whose next-due time has passed, a chunk at a time.

    SKIP LOCKED lets two sweeps overlap without waiting on or double-counting each other;
    advancing ``next_reminder_at`` in the same transaction makes each local day one reminder.
    Patients are read as plain values, not model instances: at 100,000 due patients, building
    instances (with their user and devices) was a third of the sweep (bench/RESULTS.md).
    """
    handled = 0
    while True:
        # Who is due, read once per pass: asking "the next chunk of due patients" again for
        # each chunk re-walked the index over every row already advanced (still there until
        # vacuum), which made 100,000 due patients quadratic. Each chunk then re-checks the
        # condition under its lock, so an overlapping sweep skips or finds them advanced.
        # The longest-waiting first; within a pass, chunks are id ranges, which PostgreSQL
        # reads off the primary key (a list of 1,000 ids cost more to send than to look up).
        candidates = sorted(
            Patient.objects.filter(reminders_enabled=True, next_reminder_at__lte=now)
            .order_by("next_reminder_at")
            .values_list("pk", flat=True)[: chunk * 50]
        )
        done = sum(
            _reminders_enqueue_chunk(
                first=candidates[start],
                last=candidates[min(start + chunk, len(candidates)) - 1],
                now=now,
            )
            for start in range(0, len(candidates), chunk)
        )
        if not done:  # nobody due, or all of them taken by an overlapping sweep
            return handled
        handled += done


def _reminders_enqueue_chunk(*, first: int, last: int, now: datetime) -> int:
    """Everyone due with an id in first..last (a patient who fell due since the pass began
    is simply taken too)."""
    with transaction.atomic():
        due = list(
            Patient.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__gte=first, pk__lte=last, reminders_enabled=True, next_reminder_at__lte=now)
            .values_list(
                "pk",
                "timezone",
                "reminder_time",
                "reminder_channels",
                "next_reminder_at",
                "lock_screen_detail",
                "user__email",
                "user__is_active",
                "user__email_verified_at",
            )
        )
        if not due:
            return 0
        # By id, not by range: an id range would read every entry of every patient in it
        # off the (patient, recorded_at) index; one probe each reads only the last two days.
        last_logged = dict(
            PainLog.objects.filter(
                patient__in=[row[0] for row in due], recorded_at__gte=now - timedelta(days=2)
            )
            .values("patient")
            .annotate(last=Max("recorded_at"))
            .values_list("patient", "last")
        )
        open_episodes = dict(
            PatientAssessment.objects.filter(patient__in=[row[0] for row in due]).values_list(
                "patient", "open_episodes"
            )
        )
        # This week's PEG, answered or not, for those whose local day is the prompt day.
        local_days = {row[0]: next_local_day(row) for row in due}
        prompt = {pk: week_period(day) for pk, day in local_days.items() if weekly_prompt_day(day)}
        answered = (
            set(
                QuestionnaireResponse.objects.filter(
                    patient__in=list(prompt), instrument="peg", period__in=set(prompt.values())
                ).values_list("patient", "period")
            )
            if prompt
            else set()
        )
        push_wanted = [row[0] for row in due if "push" in row[3]]
        devices: dict[int, list[Device]] = defaultdict(list)
        for device in Device.objects.filter(patient__in=push_wanted, active=True).order_by(
            "created_at"
        ):
            devices[device.patient_id].append(device)
        rows: list[Message] = []
        advance: dict[datetime, list[int]] = defaultdict(list)
        for pk, tz_name, at, channels, next_at, detail, email, active, verified in due:
            tz = zone(tz_name)
            day = next_at.astimezone(tz).date()
            last = last_logged.get(pk)
            quiet = quiet_sites(open_episodes.get(pk) or [], day)
            body = None
            if quiet:
                # Asked even if something else was logged today: the question is about
                # this site. Same dedupe key as the plain reminder: one a day at most.
                body = content.site_check_reminder(
                    base_url=settings.APP_BASE_URL, local_day=str(day), places=quiet
                )
            elif pk in prompt and (pk, prompt[pk]) not in answered:
                # The weekly questionnaire rides on the daily reminder: asked instead of it,
                # under the same dedupe key, so still one reminder per local day at most.
                body = content.weekly_questionnaire_reminder(
                    base_url=settings.APP_BASE_URL, local_day=str(day)
                )
            elif last is None or last.astimezone(tz).date() < day:
                body = content.daily_reminder(base_url=settings.APP_BASE_URL, local_day=str(day))
            if body is not None:
                targets: list[tuple[str, Device | None, str]] = []
                if "push" in channels:
                    targets += [(device.kind, device, "") for device in devices[pk]]
                if "email" in channels and email_usable_values(
                    is_active=active, email=email, verified_at=verified
                ):
                    targets.append(("email", None, email))
                rows += _rows(
                    key=f"reminder:{pk}:{day.isoformat()}",
                    kind=MessageKind.REMINDER,
                    patient=None,
                    patient_id=pk,
                    lock_screen_detail=detail,
                    targets=targets,
                    body=body,
                    due_at=now,
                )
            advance[next_reminder_at(tz=tz, at=at, after=now)].append(pk)
        # COPY, not bulk_create: at 100,000 rows Django's per-value preparation was the
        # largest part of the sweep. The ids it returns are the rows that are really new.
        inserted = set(copy_insert(rows, ignore_conflicts=True))
        created = [row for row in rows if row.pk in inserted]
        # Everyone with the same zone and reminder time shares the next instant: one
        # UPDATE per instant instead of bulk_update's CASE with a branch per row.
        for next_due, same in advance.items():
            Patient.objects.filter(pk__in=same).update(next_reminder_at=next_due)
        dispatch_on_commit(created, now=now)
    return len(due)


def next_local_day(row: tuple) -> date:
    """The local day a due reminder row (pk, timezone, _, _, next_reminder_at, ...) is for."""
    return row[4].astimezone(zone(row[1])).date()


def quiet_sites(open_episodes: list[dict[str, str]], day: date) -> list[tuple[str, str]]:
    """(site, side) of the open episodes not logged for SITE_CHECK_AFTER_DAYS local days by
    ``day``, most overdue first. ``open_episodes`` is PatientAssessment.open_episodes; an
    episode that has run past SILENT_GAP_DAYS since then has ended and is not asked about."""
    quiet = []
    for episode in open_episodes:
        latest = date.fromisoformat(episode["latest_day"])
        if SITE_CHECK_AFTER_DAYS <= (day - latest).days <= SILENT_GAP_DAYS:
            quiet.append((latest, episode["site"], episode["side"]))
    return [(site, side) for _, site, side in sorted(quiet)]


# --- delivery ------------------------------------------------------------------------------


def message_claim(*, message_id: str, now: datetime) -> Message | None:
    """Take the row for sending, or return None if someone else has it or it is done.

    Each branch is one conditional UPDATE: of two workers racing, exactly one sees a row
    count of 1. A row left in "sending" by a worker that died is claimable again after the
    claim timeout, and that lost attempt is recorded.
    """
    stale = now - timedelta(seconds=settings.NOTIFY_CLAIM_TIMEOUT_SECONDS)
    take = {"status": MessageStatus.SENDING, "claimed_at": now, "attempts": F("attempts") + 1}
    rows = Message.objects.filter(pk=message_id)
    if rows.filter(status=MessageStatus.PENDING, due_at__lte=now).update(**take):
        return Message.objects.select_related("device").get(pk=message_id)
    if rows.filter(status=MessageStatus.SENDING, claimed_at__lt=stale).update(**take):
        message = Message.objects.select_related("device").get(pk=message_id)
        DeliveryAttempt.objects.create(
            message=message,
            channel=message.channel,
            at=now,
            outcome=AttemptOutcome.TRANSIENT,
            error="sender stopped mid-attempt (claim expired); sending again",
        )
        return message
    return None


def backoff(attempt: int) -> timedelta:
    """30 s, 2 min, 8 min, 32 min, then hourly: long enough for a provider to recover."""
    return timedelta(seconds=min(30 * 4 ** (attempt - 1), 3600))


def message_deliver(*, message_id: str) -> str:
    """Send one outbox row if it is ours to send; returns the resulting status."""
    from notify.channels import get_channel
    from notify.channels.base import Envelope, TransportError

    claimed_at = timezone.now()
    message = message_claim(message_id=message_id, now=claimed_at)
    if message is None:
        return "skipped"
    if message.channel != "email" and (message.device is None or not message.device.active):
        # Unregistered or found gone after this message was queued.
        return _finish(message, claimed_at, AttemptOutcome.PERMANENT, "device removed", "")
    envelope = Envelope(
        subject=message.subject,
        text=message.body,
        html=message.html or None,
        url=message.url or None,
        tag=message.tag or None,
        urgency=message.urgency,
        data={**message.data, "message_id": str(message.pk)},
        idempotency_key=str(message.pk),
    )
    address = message.device.channel_address() if message.device else {"email": message.to_email}
    started = time.monotonic()
    try:
        provider_id = get_channel(message.channel).send(envelope, address) or ""
    except TransportError as exc:
        outcome = AttemptOutcome.PERMANENT if exc.permanent else AttemptOutcome.TRANSIENT
        if exc.gone and message.device is not None:
            Device.objects.filter(pk=message.device.pk).update(
                active=False, deactivated_reason=str(exc)[:200]
            )
        return _finish(message, claimed_at, outcome, str(exc), "", started, exc.retry_after)
    except ImproperlyConfigured as exc:
        # A missing key or credential: retried with backoff so it goes out once ops fix
        # the setting, and visible as failed in the admin if they do not.
        return _finish(message, claimed_at, AttemptOutcome.TRANSIENT, str(exc), "", started)
    return _finish(message, claimed_at, AttemptOutcome.SENT, "", provider_id, started)


def _finish(
    message: Message,
    claimed_at: datetime,
    outcome: str,
    error: str,
    provider_id: str,
    started: float | None = None,
    retry_after: float | None = None,
) -> str:
    now = timezone.now()
    if outcome == AttemptOutcome.SENT:
        update = {"status": MessageStatus.SENT, "sent_at": now, "last_error": ""}
    elif outcome == AttemptOutcome.TRANSIENT and message.attempts < settings.NOTIFY_MAX_ATTEMPTS:
        update = {
            "status": MessageStatus.PENDING,
            "due_at": now + max(backoff(message.attempts), timedelta(seconds=retry_after or 0)),
            "last_error": error,
        }
    else:
        update = {"status": MessageStatus.FAILED, "last_error": error}
    duration = int((time.monotonic() - started) * 1000) if started is not None else 0
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message,
            channel=message.channel,
            at=now,
            outcome=outcome,
            error=error[:2000],
            provider_id=provider_id[:200],
            duration_ms=duration,
        )
        # Only the holder of this claim may settle the row.
        settled = Message.objects.filter(
            pk=message.pk, status=MessageStatus.SENDING, claimed_at=claimed_at
        ).update(**update)
    if settled and message.kind == MessageKind.ALERT and message.subject_ref:
        # After the commit above, not inside it: two pushes failing at once in two workers
        # would each see the other still "sending" and neither would fall back. Checked after
        # both commits, at least the later check sees every row settled (and the fallback's
        # dedupe key keeps it to one email if both do).
        alert_delivery_check(notice_ref=message.subject_ref, now=now)
    return str(update["status"])


def alert_delivery_check(*, notice_ref: str, now: datetime) -> None:
    """Record whether the patient's alert message got through, and fall back to email when
    every push for an urgent alert has failed for good.

    The alert was first sent to the channels the patient chose (email only when none could
    reach them then). If push was chosen and every device has since failed or gone, nothing
    reached them: urgent advice (ALWAYS_DELIVER_FROM and up) then goes by email, once, if the
    address is usable (the same check as any email). Whatever happens is written on the
    alerts (``patient_reach``, ``reach_note``) for the clinician to see.
    """
    rows = list(
        Message.objects.filter(subject_ref=notice_ref, kind=MessageKind.ALERT).select_related(
            "patient__user"
        )
    )
    if not rows or any(m.status in (MessageStatus.PENDING, MessageStatus.SENDING) for m in rows):
        return  # still on its way somewhere
    alerts = Alert.objects.filter(patient_id=rows[0].patient_id, notice_ref=notice_ref)
    sent = [m for m in rows if m.status == MessageStatus.SENT]
    if sent:
        fallback = any(m.dedupe_key.startswith(f"{notice_ref}:fallback:") for m in sent)
        reach = PatientReach.REACHED_BY_EMAIL if fallback else PatientReach.REACHED
        note = (
            "Push failed on every device; the patient was sent the alert by email instead."
            if fallback
            else f"Delivered by {', '.join(sorted({_channel_words(m.channel) for m in sent}))}."
        )
        alerts.update(patient_reach=reach, reach_note=note)
        return
    failures = "; ".join(
        sorted({f"{_channel_words(m.channel)}: {m.last_error[:80]}" for m in rows})
    )
    tried_email = any(m.channel == "email" for m in rows)
    level = Level.from_code(rows[0].data.get("level", "self_care"))
    if not tried_email and level >= ALWAYS_DELIVER_FROM:
        patient = rows[0].patient
        assert patient is not None
        targets = _addresses(patient, {"email"})  # the one place email is judged usable
        if targets:
            # Rebuilt, not copied: the push rows carry the neutral lock-screen wording.
            body = content.patient_alert(
                levels=[Level.from_code(a.notified_level or a.level) for a in alerts],
                base_url=settings.APP_BASE_URL,
                reference=notice_ref.rsplit(":", 1)[-1],
            )
            created = _enqueue(
                key=f"{notice_ref}:fallback",
                kind=MessageKind.ALERT,
                patient=patient,
                targets=targets,
                body=body,
                due_at=now,
                subject_ref=notice_ref,
            )
            alerts.update(
                patient_reach=PatientReach.PENDING,
                reach_note=f"Push failed on every device ({failures}); sending by email.",
            )
            with transaction.atomic():
                dispatch_on_commit(created, now=now)
            return
        failures += "; email: no usable address"
    alerts.update(
        patient_reach=PatientReach.NOT_REACHED,
        reach_note=f"Not reached: every channel failed ({failures})."[:300],
    )


def alert_reach_sweep(*, now: datetime, limit: int = 500) -> int:
    """Re-run the delivery check for alerts still "sending" whose messages have all settled.

    The check normally runs right after the last row settles, outside that transaction; a
    worker dying in between would leave an urgent alert with failed pushes and no fallback.
    The every-minute sweep closes that window. A check that races the worker's is harmless:
    the fallback's dedupe key keeps it to one email.
    """
    in_flight = Message.objects.filter(
        subject_ref=OuterRef("notice_ref"),
        kind=MessageKind.ALERT,
        status__in=(MessageStatus.PENDING, MessageStatus.SENDING),
    )
    refs = list(
        Alert.objects.filter(patient_reach=PatientReach.PENDING)
        .exclude(notice_ref="")
        .filter(~Exists(in_flight))
        .values_list("notice_ref", flat=True)
        .distinct()[:limit]
    )
    for ref in refs:
        alert_delivery_check(notice_ref=ref, now=now)
    return len(refs)


def _channel_words(channel: str) -> str:
    return {"webpush": "web push", "fcm": "Android push", "apns": "iPhone push"}.get(
        channel, channel
    )


def messages_due(*, now: datetime, limit: int = 1000) -> list[str]:
    """Pending rows that are due, and rows stuck in "sending" past the claim timeout."""
    stale = now - timedelta(seconds=settings.NOTIFY_CLAIM_TIMEOUT_SECONDS)
    return [
        str(pk)
        for pk in Message.objects.filter(
            Q(status=MessageStatus.PENDING, due_at__lte=now)
            | Q(status=MessageStatus.SENDING, claimed_at__lt=stale)
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    ]


def messages_purge(*, before: datetime, chunk: int = 1000) -> int:
    """Delete settled messages created before ``before``, with their attempts, a chunk at a
    time so no transaction holds many rows. Returns how many messages went."""
    settled = [MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.CANCELLED]
    purged = 0
    while True:
        with transaction.atomic():
            ids = list(
                Message.objects.filter(status__in=settled, created_at__lt=before).values_list(
                    "pk", flat=True
                )[:chunk]
            )
            if not ids:
                return purged
            DeliveryAttempt.objects.filter(message_id__in=ids).delete()
            Message.objects.filter(pk__in=ids).delete()
        purged += len(ids)


# --- devices -------------------------------------------------------------------------------


def device_register(
    *, patient: Patient, kind: str, address: str, keys: dict[str, str], name: str
) -> tuple[Device, bool]:
    """Add or refresh one of the patient's devices; returns (device, created).

    A token or endpoint already registered to another account stays there: knowing
    someone's push token must not move their alerts to your phone (nor yours to theirs).
    At most DEVICE_LIMIT_PER_PATIENT devices are active; registering one more retires the
    least recently registered, so one entry can never fan out into hundreds of messages.
    """
    with transaction.atomic():
        # Serialises this patient's registrations, so two at once cannot both see room.
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        device = Device.objects.select_for_update().filter(kind=kind, address=address).first()
        created = device is None
        if device is None:
            try:
                with transaction.atomic():
                    device = Device.objects.create(
                        patient=patient, kind=kind, address=address, keys=keys, name=name
                    )
            except IntegrityError:  # registered concurrently: fall through and update it
                device = Device.objects.select_for_update().get(kind=kind, address=address)
                created = False
        if device.patient_id != patient.pk:
            field = "subscription" if kind == "webpush" else "registration_id"
            raise ValidationError(
                {field: ["This device is registered to another account; sign out there first."]}
            )
        if not created:
            device.keys = keys
            device.name = name or device.name
            device.active = True
            device.deactivated_reason = ""
            device.save()
        _devices_cap(patient_id=patient.pk, keep=device)
    return device, created


def _devices_cap(*, patient_id: int, keep: Device) -> None:
    limit = settings.DEVICE_LIMIT_PER_PATIENT
    active = Device.objects.filter(patient_id=patient_id, active=True).exclude(pk=keep.pk)
    # The one just registered or refreshed counts as the newest.
    surplus = list(active.order_by("-updated_at", "-created_at").values_list("pk", flat=True))[
        limit - 1 :
    ]
    if surplus:
        Device.objects.filter(pk__in=surplus).update(
            active=False,
            deactivated_reason=f"retired: more than {limit} devices registered",
            updated_at=timezone.now(),
        )
