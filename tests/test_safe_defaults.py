"""Security review item 4 (and 7's settings): the safe choice is the default.

Every test starts a fresh Python with DJANGO_SETTINGS_MODULE unset, as a deployment that
forgot it would, and drives the real entry points.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = secrets.token_urlsafe(50)
PRODUCTION = {"SECRET_KEY": SECRET, "ALLOWED_HOSTS": "journal.example.org"}
# Variables a developer's shell (or this test run) may carry that would change the answer.
_SCRUB = {
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "NUM_PROXIES",
    "EMAIL_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_BACKEND",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
}


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


_SETTINGS = (
    "from django.conf import settings; import json; "
    "print(json.dumps([settings.SETTINGS_MODULE, settings.DEBUG]))"
)


@pytest.mark.parametrize(
    "entry",
    [
        "import config.wsgi",
        "import config.asgi",
        "import config.celery; import django; django.setup()",
    ],
)
def test_entry_points_load_production_settings_when_none_are_named(entry):
    refused = _python(f"{entry}; {_SETTINGS}", {})
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr.splitlines()[-1]
    started = _python(f"{entry}; {_SETTINGS}", PRODUCTION)
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout) == ["config.settings.production", False]


def test_manage_py_loads_production_settings_when_none_are_named():
    refused = _python("import sys, manage; sys.argv = ['manage.py', 'check']; manage.main()", {})
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _python(
        "import sys, manage; "
        "sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING']; manage.main()",
        PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_needs_its_host_names():
    result = _python("import config.wsgi", {"SECRET_KEY": SECRET})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr.splitlines()[-1]


def test_development_defaults_do_not_answer_to_testserver():
    result = _python(
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.development'; "
        "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)",
        {},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True")
    assert "testserver" not in result.stdout


# As an attacker sends it: plain HTTP, claiming with X-Forwarded-Proto that it was HTTPS.
_FORGED_PROTO = (
    "from config.wsgi import application; from django.test import Client; "
    "response = Client().get('/api/v1/sites/', HTTP_X_FORWARDED_PROTO='https'); "
    "print(response.status_code, response.get('Location', ''), "
    "response.get('Strict-Transport-Security', ''))"
)


def test_a_client_cannot_claim_https_with_x_forwarded_proto():
    result = _python(_FORGED_PROTO, {**PRODUCTION, "ALLOWED_HOSTS": "testserver"})
    assert result.returncode == 0, result.stderr
    status, location, _ = result.stdout.split(" ", 2)
    assert status == "301"  # redirected to HTTPS, not served as if secure
    assert location.startswith("https://testserver/")


def test_behind_a_configured_proxy_its_https_header_is_trusted_and_hsts_sent():
    env = {**PRODUCTION, "ALLOWED_HOSTS": "testserver", "NUM_PROXIES": "1"}
    result = _python(_FORGED_PROTO, env)
    assert result.returncode == 0, result.stderr
    status, _, hsts = result.stdout.split(" ", 2)
    assert status == "401"  # served (and asks for a token)
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts


# --- item 7: email transport settings ------------------------------------------------------

_EMAIL = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.development'; "
    "from django.conf import settings as s; import json; print(json.dumps([s.EMAIL_HOST, "
    "s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL]))"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ["localhost", 25, "", "", False, False]),
        (
            {"EMAIL_URL": "smtp+tls://relay%40example.org:s3cret@smtp.example.org:587"},
            ["smtp.example.org", 587, "relay@example.org", "s3cret", True, False],
        ),
        (
            {
                "EMAIL_HOST": "smtp.example.org",
                "EMAIL_PORT": "465",
                "EMAIL_USE_SSL": "true",
                "EMAIL_HOST_USER": "relay",
                "EMAIL_HOST_PASSWORD": "pw",
            },
            ["smtp.example.org", 465, "relay", "pw", False, True],
        ),
    ],
)
def test_email_tls_and_authentication_come_from_the_environment(env, expected):
    result = _python(_EMAIL, env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


@pytest.mark.parametrize(
    "env",
    [
        {"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"},
        {"EMAIL_USE_TLS": "sometimes"},
        {"EMAIL_URL": "http://smtp.example.org"},
    ],
)
def test_bad_email_settings_stop_start_up(env):
    result = _python(_EMAIL, env)
    assert result.returncode != 0
    assert "EMAIL_" in result.stderr.splitlines()[-1]
