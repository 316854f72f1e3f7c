"""End to end with real parts: a Celery worker on Redis, an SMTP server and a Web Push
service on loopback, PostgreSQL. Entries go in through the API; what comes out is parsed.

The fault tests run workers as separate processes so they can be killed, and use a private
Redis so the broker can be stopped and started under them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from accounts.models import CLINICIANS_GROUP
from config.celery import app
from notify.models import DeliveryAttempt, Message
from notify.services import message_deliver
from notify.tasks import deliver_message, send_due_reminders, sweep_outbox
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory
from tests.notify.processes import RedisServer, WorkerProcess
from tests.notify.servers import SmtpServer, _SmtpHandler
from triage.models import Alert

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LOGS = "/api/v1/logs/"


# --- plumbing ------------------------------------------------------------------------------


def _point_celery_at(url: str) -> None:
    app.conf.broker_url = url
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """A private Redis as the Celery broker, restored to the shared one afterwards."""
    original = app.conf.broker_url
    server = RedisServer().start()
    _point_celery_at(server.url)
    yield server
    _point_celery_at(original)
    server.cleanup()


@pytest.fixture
def worker(broker):
    """A real worker thread (celery.contrib.testing) consuming from the private Redis."""
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=15,
    ):
        yield


def _worker_env(broker: RedisServer, smtp: SmtpServer, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": broker.url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
        **extra,
    }


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("integration tests run on PostgreSQL (make test)")


def _wait(predicate, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _entry(**overrides):
    at = timezone.now() - timedelta(minutes=2)
    return {
        "recorded_at": at.isoformat(),
        "site": "ankle_outer",
        "side": "right",
        "severity": 4,
        **overrides,
    }


def _patient_with_clinician(**extra):
    patient = PatientFactory(**extra)
    clinician = UserFactory(is_staff=True, email="dr.lee@clinic.test")
    clinician.groups.add(Group.objects.get_or_create(name=CLINICIANS_GROUP)[0])
    patient.clinicians.add(clinician)
    return patient, clinician


# --- the happy path through a real worker -----------------------------------------------


def test_alert_reaches_patient_by_push_and_email_and_clinician_by_email(
    worker, smtp_server, push_service
):
    patient, clinician = _patient_with_clinician(alert_channels=["push", "email"])
    api = client_for(patient.user)
    registered = api.post(
        "/api/v1/devices/", {"kind": "webpush", "subscription": push_service.subscribe()}
    )
    assert registered.status_code == 201, registered.json()

    # One entry trips several rules: one message per person, at the highest level.
    response = api.post(LOGS, _entry(fever=True, can_bear_weight=False, severity=8))
    assert response.json()["triage"]["level"] == "consult_24h"

    mails = smtp_server.wait_for(2, timeout=20)
    by_rcpt = {m.rcpt_tos[0]: m for m in mails}
    to_patient = by_rcpt[patient.user.email].message
    assert to_patient["Subject"] == "Please see a doctor within 24 hours"
    text = to_patient.get_body(("plain",)).get_content()
    assert "See a doctor within 24 hours." in text
    assert "Book an appointment" in text  # severe pain: the lower level is listed too
    assert "fever" not in text.lower() and "weight" not in text.lower()  # no health detail
    to_clinician = by_rcpt[clinician.email].message
    assert patient.user.email in to_clinician.get_body(("plain",)).get_content()

    push = push_service.wait_for(1, timeout=20)[0].json()
    assert push["title"] == "Your journal"  # lock screens stay neutral by default
    assert push["data"]["kind"] == "alert" and push["data"]["level"] == "consult_24h"

    _wait(lambda: Message.objects.filter(status="sent").count() == 3, what="3 sent rows")
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == 3

    # The same condition again: the same alert at the same level is never sent again.
    api.post(LOGS, _entry(fever=True, can_bear_weight=False, severity=8))
    time.sleep(1.5)
    assert Message.objects.count() == 3
    assert len(smtp_server.messages) == 2 and len(push_service.deliveries) == 1


def test_a_rise_in_level_is_a_new_message(worker, smtp_server):
    patient, _ = _patient_with_clinician(alert_channels=["email"], has_diabetes=False)
    api = client_for(patient.user)
    api.post(LOGS, _entry(severity=8))  # severe pain: consult
    first = smtp_server.wait_for(1)[0].message
    assert first["Subject"] == "Please book a doctor's appointment"
    api.post(LOGS, _entry(severity=8, fever=True))  # now an infection sign: within 24 h
    mails = smtp_server.wait_for(3)  # the patient's second message and the clinician's
    subjects = sorted(m.message["Subject"] for m in mails)
    assert "Please see a doctor within 24 hours" in subjects


def test_ice_timer_push_and_early_stop_cancels(worker, push_service, settings):
    patient = PatientFactory()
    api = client_for(patient.user)
    api.post("/api/v1/devices/", {"kind": "webpush", "subscription": push_service.subscribe()})
    soon = timezone.now() - timedelta(minutes=15) + timedelta(seconds=2)
    running = api.post(
        "/api/v1/treatments/",
        {"kind": "ice", "site": "ankle_outer", "side": "right", "started_at": soon.isoformat()},
    )
    stopped = api.post(
        "/api/v1/treatments/",
        {"kind": "heat", "site": "calf", "side": "left", "started_at": soon.isoformat()},
    )
    api.patch(f"/api/v1/treatments/{stopped.json()['id']}/", {"minutes": 5})
    assert Message.objects.get(subject_ref=f"treatment:{stopped.json()['id']}").status == (
        "cancelled"
    )
    time.sleep(2.5)
    sweep_outbox.delay()  # what beat does every minute
    push = push_service.wait_for(1)[0].json()
    assert push["title"] == "Your journal"
    assert push["data"]["treatment_id"] == running.json()["id"]
    time.sleep(1)
    assert len(push_service.deliveries) == 1


def test_daily_reminder_through_the_worker(worker, smtp_server):
    patient = PatientFactory(reminder_channels=["email"])
    patient.next_reminder_at = timezone.now() - timedelta(seconds=5)
    patient.save()
    send_due_reminders.delay()
    mail = smtp_server.wait_for(1)[0].message
    assert mail["Subject"] == "How is your foot or ankle today?"
    patient.refresh_from_db()
    assert patient.next_reminder_at > timezone.now()


def test_a_gone_push_device_is_deactivated(worker, push_service):
    patient = PatientFactory(alert_channels=["push"])
    api = client_for(patient.user)
    subscription = push_service.subscribe()
    api.post("/api/v1/devices/", {"kind": "webpush", "subscription": subscription})
    push_service.fail(subscription, 410)
    api.post(LOGS, _entry(severity=9))
    _wait(lambda: Message.objects.filter(status="failed").exists(), what="failed row")
    device = patient.devices.get()
    assert not device.active
    assert DeliveryAttempt.objects.get().outcome == "permanent"


def test_urgent_alert_whose_only_push_device_is_gone_reaches_the_patient_by_email_once(
    worker, smtp_server, push_service
):
    patient, clinician = _patient_with_clinician(alert_channels=["push"])
    api = client_for(patient.user)
    subscription = push_service.subscribe()
    api.post("/api/v1/devices/", {"kind": "webpush", "subscription": subscription})
    push_service.fail(subscription, 410)  # the browser dropped it: gone for good

    response = api.post(LOGS, _entry(fever=True, severity=5))
    assert response.json()["triage"]["level"] == "consult_24h"

    mails = smtp_server.wait_for(2, timeout=30)  # the clinician's, and the fallback
    to_patient = [m for m in mails if m.rcpt_tos == [patient.user.email]]
    assert len(to_patient) == 1
    mail = to_patient[0].message
    assert mail["Subject"] == "Please see a doctor within 24 hours"
    assert "See a doctor within 24 hours." in mail.get_body(("plain",)).get_content()

    alert = _wait(
        lambda: Alert.objects.filter(patient=patient, patient_reach="reached_by_email").first(),
        what="the alert marked reached by email",
    )
    assert "Push failed on every device" in alert.reach_note
    assert not patient.devices.get().active
    # Exactly once: more sweeps and a repeat of the same condition send nothing more.
    sweep_outbox.delay()
    api.post(LOGS, _entry(fever=True, severity=5))
    sweep_outbox.delay()
    time.sleep(2)
    assert len([m for m in smtp_server.messages if m.rcpt_tos == [patient.user.email]]) == 1
    patient_rows = Message.objects.filter(patient=patient, kind="alert")
    assert sorted(patient_rows.values_list("channel", "status")) == [
        ("email", "sent"),
        ("webpush", "failed"),
    ]
    assert clinician.email in {m.rcpt_tos[0] for m in smtp_server.messages}


def test_urgent_alert_that_no_channel_can_deliver_is_shown_as_not_reached(
    worker, smtp_server, push_service
):
    patient = PatientFactory(alert_channels=["push"])
    api = client_for(patient.user)
    subscription = push_service.subscribe()
    api.post("/api/v1/devices/", {"kind": "webpush", "subscription": subscription})
    push_service.fail(subscription, 404)
    smtp_server.fail_next(550, times=1)  # and the mailbox refuses the fallback
    api.post(LOGS, _entry(can_bear_weight=False, severity=5))
    alert = _wait(
        lambda: Alert.objects.filter(patient=patient, patient_reach="not_reached").first(),
        what="the alert marked not reached",
    )
    assert alert.reach_note.startswith("Not reached: every channel failed")
    assert "web push" in alert.reach_note and "email" in alert.reach_note
    assert smtp_server.messages == []


def test_a_consult_level_alert_is_not_sent_by_email_when_push_fails(worker, push_service):
    patient = PatientFactory(alert_channels=["push"])
    api = client_for(patient.user)
    subscription = push_service.subscribe()
    api.post("/api/v1/devices/", {"kind": "webpush", "subscription": subscription})
    push_service.fail(subscription, 410)
    api.post(LOGS, _entry(severity=8))  # severe pain: book an appointment, not urgent
    alert = _wait(
        lambda: Alert.objects.filter(patient=patient, patient_reach="not_reached").first(),
        what="the alert marked not reached",
    )
    assert alert.level == "consult"
    assert not Message.objects.filter(patient=patient, channel="email").exists()


def test_transient_failures_retry_with_backoff_then_deliver(worker, smtp_server):
    patient = PatientFactory(alert_channels=["email"])
    smtp_server.fail_next(451, times=1)
    client_for(patient.user).post(LOGS, _entry(severity=9))
    message = _wait(
        lambda: Message.objects.filter(status="pending", attempts=1).first(),
        what="a retry scheduled",
    )
    assert message.due_at > timezone.now() + timedelta(seconds=20)  # backoff, not a hot loop
    Message.objects.filter(pk=message.pk).update(due_at=timezone.now())  # let time pass
    sweep_outbox.delay()
    assert smtp_server.wait_for(1)[0].message["Subject"] == "Please book a doctor's appointment"
    _wait(lambda: Message.objects.filter(status="sent").exists(), what="the row settled")
    outcomes = sorted(DeliveryAttempt.objects.values_list("outcome", flat=True))
    assert outcomes == ["sent", "transient"]


# --- faults ---------------------------------------------------------------------------------


def test_broker_down_while_the_alert_is_created_then_back_delivers_exactly_once(
    broker, smtp_server
):
    patient = PatientFactory(alert_channels=["email"])
    api = client_for(patient.user)
    worker = WorkerProcess(env=_worker_env(broker, smtp_server), name="redisdown").start()
    try:
        broker.stop()
        started = time.monotonic()
        response = api.post(LOGS, _entry(severity=9))
        assert response.status_code == 201  # the patient is not failed by the broker
        assert time.monotonic() - started < 10
        message = Message.objects.get(patient=patient)
        assert message.status == "pending"  # recorded, waiting for the broker

        broker.start()  # same port: the worker reconnects on its own
        worker.wait_for_log("Connected to redis", timeout=60)
        sweep_outbox.delay()  # beat's every-minute tick
        smtp_server.wait_for(1, timeout=30)
        sweep_outbox.delay()  # a second tick must not send it again
        time.sleep(2)
        assert len(smtp_server.messages) == 1
        message.refresh_from_db()
        assert message.status == "sent"
    finally:
        worker.stop()


def test_a_broker_outage_while_a_task_waits_for_its_time_loses_no_alert(broker, smtp_server):
    """A task waiting for its countdown (a delivery retry) when the broker goes away.

    celery 5.7.0's worker exits then: it closes a channel whose transport it has already let
    go of (AttributeError in kombu's restore_unacked). Workers run under a supervisor that
    restarts them (README, "Processes"); an alert raised meanwhile waits in the outbox, so
    the restarted worker's sweep sends it, once.
    """
    patient = PatientFactory(alert_channels=["email"])
    worker = WorkerProcess(env=_worker_env(broker, smtp_server), name="outage").start()
    try:
        sweep_outbox.apply_async(countdown=120)
        time.sleep(2)  # for the worker to take it in
        connected = worker.broker_connections()
        broker.stop()
        response = client_for(patient.user).post(LOGS, _entry(severity=9))
        assert response.status_code == 201
        assert Message.objects.get(patient=patient).status == "pending"
        time.sleep(3)  # the worker finds the broker gone
        broker.start()
        worker.reconnected_or_restarted(connected, timeout=60)  # restarted: a supervisor's part
        sweep_outbox.delay()  # beat's every-minute tick
        smtp_server.wait_for(1, timeout=30)
        sweep_outbox.delay()
        time.sleep(2)
        assert len(smtp_server.messages) == 1
        assert Message.objects.get(patient=patient).status == "sent"
    finally:
        worker.stop()


class _StallingHandler(_SmtpHandler):
    """Holds the first DATA until the client goes away (it is cancelled then, as a real
    server discards a message whose sender hung up before the 250 reply)."""

    stalled = threading.Event()
    stall_first = True

    async def handle_DATA(self, server, session, envelope):
        if type(self).stall_first:
            type(self).stall_first = False
            type(self).stalled.set()
            await asyncio.sleep(30)
        return await super().handle_DATA(server, session, envelope)


def test_a_worker_mid_delivery_when_the_broker_goes_away_stays_up(broker, monkeypatch):
    """Without countdown tasks, what a worker holds when Redis goes is the delivery it is
    running: the worker reconnects by itself (no supervisor restart) and sends once."""
    monkeypatch.setattr("tests.notify.servers._SmtpHandler", _StallingHandler)
    _StallingHandler.stalled.clear()
    _StallingHandler.stall_first = True
    with SmtpServer() as smtp:
        patient = PatientFactory(alert_channels=["email"])
        worker = WorkerProcess(
            env=_worker_env(broker, smtp, NOTIFY_CLAIM_TIMEOUT_SECONDS="3"), name="steady"
        ).start()
        try:
            client_for(patient.user).post(LOGS, _entry(severity=9))
            assert _StallingHandler.stalled.wait(timeout=30), "the send never started"
            connected = worker.broker_connections()
            broker.stop()
            time.sleep(3)
            broker.start()
            assert worker.reconnected_or_restarted(connected, timeout=60) is False
            # The stalled send times out (EMAIL_TIMEOUT); the row goes back to the outbox.
            _wait(lambda: sweep_outbox.delay() and len(smtp.messages) >= 1, 60, "the alert")
            time.sleep(4)  # past the claim timeout: a duplicate would go out now
            sweep_outbox.delay()
            time.sleep(2)
            assert worker.process.poll() is None
        finally:
            worker.stop()
        assert len(smtp.messages) == 1
        assert Message.objects.get(patient=patient).status == "sent"


def test_worker_killed_mid_send_still_delivers_once(broker, monkeypatch):
    monkeypatch.setattr("tests.notify.servers._SmtpHandler", _StallingHandler)
    _StallingHandler.stalled.clear()
    _StallingHandler.stall_first = True
    with SmtpServer() as smtp:
        patient = PatientFactory(alert_channels=["email"])
        env = _worker_env(broker, smtp, NOTIFY_CLAIM_TIMEOUT_SECONDS="3")
        first = WorkerProcess(env=env, name="victim").start()
        try:
            client_for(patient.user).post(LOGS, _entry(severity=9))
            assert _StallingHandler.stalled.wait(timeout=30), "the send never started"
            first.kill()  # SIGKILL, mid-SMTP-transaction
        finally:
            first.stop()
        message = Message.objects.get(patient=patient)
        assert message.status == "sending" and smtp.messages == []

        second = WorkerProcess(env=env, name="rescuer").start()
        try:
            time.sleep(3.5)  # past the claim timeout
            sweep_outbox.delay()
            smtp.wait_for(1, timeout=30)
            sweep_outbox.delay()
            time.sleep(2)
        finally:
            second.stop()
        assert len(smtp.messages) == 1
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("sent", 2)
        outcomes = sorted(message.delivery_attempts.values_list("outcome", flat=True))
        assert outcomes == ["sent", "transient"]  # the lost attempt is on record too


def test_the_same_dispatch_task_twice_at_once_sends_once(broker, smtp_server):
    patient = PatientFactory(alert_channels=["email"])
    # Record the decision without dispatching it: no worker is listening yet.
    client_for(patient.user).post(LOGS, _entry(severity=9))
    message = Message.objects.get(patient=patient)
    app.control.purge()
    worker = WorkerProcess(
        env=_worker_env(broker, smtp_server), concurrency=2, name="twins"
    ).start()
    try:
        deliver_message.delay(str(message.pk))
        deliver_message.delay(str(message.pk))
        smtp_server.wait_for(1, timeout=30)
        time.sleep(2)
    finally:
        worker.stop()
    assert len(smtp_server.messages) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


def test_two_threads_racing_on_one_message_send_once(smtp_server):
    patient = PatientFactory(alert_channels=["email"])
    client_for(patient.user).post(LOGS, _entry(severity=9))
    message = Message.objects.get(patient=patient)
    barrier = threading.Barrier(4)
    results: list[str] = []

    def race() -> None:
        barrier.wait()
        results.append(message_deliver(message_id=str(message.pk)))
        connection.close()

    threads = [threading.Thread(target=race) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["sent", "skipped", "skipped", "skipped"]
    assert len(smtp_server.wait_for(1)) == 1
