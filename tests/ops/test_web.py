"""The front page, liveness/readiness probes, request ids and structured access logs."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from config.env import env_url
from config.observability import JsonFormatter, RequestIdFilter
from notify.models import Message
from notify.services import message_deliver, reminders_enqueue_due


@pytest.mark.django_db
def test_front_page_names_the_service_and_links_the_app_docs_and_admin(anon):
    response = anon.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Foot &amp; Ankle Pain Journal" in html
    assert "href='/app/'>Open the journal app</a>" in html  # the patient's way in, first
    for link in ("/app/", "/api/docs/", "/api/schema/", "/admin/", "/ops/"):
        assert f"href='{link}'" in html
        assert anon.get(link).status_code in {200, 302}


def test_liveness_answers_without_touching_the_database(anon):
    # No django_db mark: any query would raise, so this proves the probe never queries.
    response = anon.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_checks_database_and_broker(anon):
    for path in ("/health/ready/", "/health/"):
        response = anon.get(path)
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def access_lines():
    capture = _Capture()
    logger = logging.getLogger("footjournal.access")
    logger.addHandler(capture)
    logger.setLevel(logging.INFO)
    try:
        yield capture.lines
    finally:
        logger.removeHandler(capture)


@pytest.mark.django_db
def test_each_request_gets_an_id_in_its_response_and_its_json_log_line(api, patient, access_lines):
    response = api.post(
        "/api/v1/logs/?site=achilles",
        {
            "recorded_at": "2026-01-05T08:00:00+00:00",
            "site": "achilles",
            "side": "left",
            "severity": 7,
            "notes": "private words about my heel",
        },
    )
    assert response.status_code == 201
    rid = response["X-Request-ID"]
    assert len(rid) == 32
    [line] = access_lines
    assert line["request_id"] == rid
    assert line["method"] == "POST"
    assert line["path"] == "/api/v1/logs/"
    assert line["status"] == 201
    assert line["user_id"] == patient.user_id
    assert isinstance(line["duration_ms"], float)
    # No health data: neither the body nor the query string reaches the log.
    text = json.dumps(line)
    assert "heel" not in text
    assert "achilles" not in text
    assert "severity" not in text


@pytest.mark.django_db
def test_a_callers_request_id_is_kept_if_it_is_a_short_token(api, access_lines):
    assert api.get("/api/v1/sites/", HTTP_X_REQUEST_ID="trace-42.a")["X-Request-ID"] == (
        "trace-42.a"
    )
    forged = api.get("/api/v1/sites/", HTTP_X_REQUEST_ID="x\nlevel=CRITICAL")
    assert forged["X-Request-ID"] != "x\nlevel=CRITICAL"
    assert [line["request_id"] for line in access_lines] == ["trace-42.a", forged["X-Request-ID"]]


@pytest.mark.django_db
def test_health_probes_are_not_logged(anon, access_lines):
    anon.get("/health/live/")
    anon.get("/health/ready/")
    assert access_lines == []


@pytest.mark.parametrize(
    ("value", "error"),
    [("journal.example.org", "not an http(s) URL"), ("https://x.org/?a=1", "query")],
)
def test_app_base_url_must_be_an_absolute_http_url(value, error):
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.base"],
        env={**os.environ, "APP_BASE_URL": value},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "APP_BASE_URL" in result.stderr.splitlines()[-1]
    assert error in result.stderr.splitlines()[-1]


def test_app_base_url_trailing_slash_is_dropped(monkeypatch):
    monkeypatch.setenv("APP_BASE_URL", "https://journal.example.org/")
    assert env_url("APP_BASE_URL", "http://127.0.0.1:8000") == "https://journal.example.org"


@pytest.mark.django_db
def test_links_in_reminder_emails_use_the_configured_app_url(settings, patient):
    settings.APP_BASE_URL = "https://journal.example.org"
    patient.reminder_channels = ["email"]
    patient.next_reminder_at = timezone.now() - timedelta(minutes=1)
    patient.save()
    assert reminders_enqueue_due(now=timezone.now()) == 1
    message = Message.objects.get(patient=patient)
    assert message.url == "https://journal.example.org/app/log"
    message_deliver(message_id=str(message.pk))
    [email] = mail.outbox
    assert "https://journal.example.org/app/log" in email.body


def test_log_lines_written_in_a_task_carry_its_name_and_id():
    from config.celery import app

    capture = _Capture()
    logger = logging.getLogger("tests.task_probe")
    logger.addHandler(capture)
    logger.setLevel(logging.INFO)

    @app.task(name="tests.task_probe")
    def probe() -> None:
        logger.info("inside")

    try:
        result = probe.apply()
    finally:
        logger.removeHandler(capture)
    [line] = capture.lines
    assert line["message"] == "inside"
    assert line["task"] == "tests.task_probe"
    assert line["task_id"] == result.id


def test_a_gunicorn_worker_freezes_what_loading_the_views_made(caplog):
    # config/gunicorn.py's post_worker_init: every view module imported, then the objects
    # that exist at that point moved out of the collector's sight; then the "ready" line a
    # rolling restart waits for (loadtest/rolling.py).
    import gc
    import importlib.util
    import logging
    import types
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "config" / "gunicorn.py"
    spec = importlib.util.spec_from_file_location("gunicorn_settings", path)
    assert spec and spec.loader
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    assert settings.worker_class == "config.gunicorn_worker.QueueTimedThreadWorker"  # gthread
    before = gc.get_freeze_count()
    try:
        worker = types.SimpleNamespace(pid=4321, log=logging.getLogger("gunicorn.error"))
        with caplog.at_level(logging.INFO, logger="gunicorn.error"):
            settings.post_worker_init(worker)
        assert gc.get_freeze_count() > before
        assert "Worker 4321 ready" in caplog.text
    finally:
        gc.unfreeze()
