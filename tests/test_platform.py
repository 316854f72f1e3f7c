"""Health, OpenAPI schema, docs, and start-up configuration checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_health_reports_database_and_broker(anon):
    response = anon.get("/health/")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_down(anon, settings):
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = anon.get("/health/")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"] != "ok"
    assert response.json()["database"] == "ok"


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert "/api/v1/logs/sync/" in (tmp_path / "s.yml").read_text()


@pytest.mark.django_db
def test_swagger_ui_is_served_offline(anon):
    response = anon.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert anon.get("/api/schema/").status_code == 200


def _start(
    env: dict[str, str], module: str = "config.settings.base"
) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import {module}"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "mysql://nope"}, "DATABASE_URL"),
        ({"DATABASE_URL": "::::"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT"),
    ],
)
def test_bad_setting_stops_start_up_naming_it(env, name):
    result = _start(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr.splitlines()[-1]


def test_production_refuses_debug_and_the_development_secret():
    strong = "x" * 50
    debug_on = _start({"DEBUG": "true", "SECRET_KEY": strong}, "config.settings.production")
    assert debug_on.returncode != 0 and "DEBUG" in debug_on.stderr
    dev_secret = _start({"DEBUG": "false"}, "config.settings.production")
    assert dev_secret.returncode != 0 and "SECRET_KEY" in dev_secret.stderr
    ok = _start(
        {"DEBUG": "false", "SECRET_KEY": strong, "ALLOWED_HOSTS": "journal.example.org"},
        "config.settings.production",
    )
    assert ok.returncode == 0, ok.stderr
