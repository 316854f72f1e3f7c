"""`make run` has working Web Push on the first day: a VAPID key pair made once under var/
(development settings only), kept across restarts, agreed on by the web process and the
worker that start together, and accepted by a push service."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings

from notify.channels import Envelope, get_channel
from notify.channels.webpush import DEFAULT_ALLOWED_HOSTS, application_server_key
from notify.vapid import private_key_kept_in
from tests.notify.servers import PushServiceStub

ROOT = Path(django_settings.BASE_DIR)
DEV_KEY = ROOT / "var" / "webpush-vapid-private.key"


def _python(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WEBPUSH_")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_key_is_made_once_private_and_kept(tmp_path):
    path = tmp_path / "var" / "vapid.key"
    first = private_key_kept_in(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert private_key_kept_in(path) == first
    assert [p.name for p in path.parent.iterdir()] == ["vapid.key"]  # no temporary left


def test_processes_starting_together_agree_on_one_key(tmp_path):
    path = tmp_path / "vapid.key"
    code = (
        "from pathlib import Path; from notify.vapid import private_key_kept_in;"
        f"print(private_key_kept_in(Path({str(path)!r})))"
    )
    starts = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in starts}
    assert keys == {path.read_text().strip()}


def test_development_settings_serve_the_kept_key_and_production_ones_none():
    served = _python(
        "import django; django.setup();"
        "from notify.channels.webpush import application_server_key;"
        "print(application_server_key())",
        DJANGO_SETTINGS_MODULE="config.settings.development",
    )
    assert DEV_KEY.exists()
    again = _python(
        "import django; django.setup();"
        "from notify.channels.webpush import application_server_key;"
        "print(application_server_key())",
        DJANGO_SETTINGS_MODULE="config.settings.development",
    )
    assert served == again  # a restart keeps every browser's subscription valid
    production = _python(
        "import config.settings.production as s; print(repr(s.WEBPUSH_VAPID_PRIVATE_KEY))",
        DEBUG="false",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="journal.example.org",
    )
    assert production == "''"
    chosen = _python(
        "import config.settings.development as s; print(s.WEBPUSH_VAPID_PRIVATE_KEY)",
        WEBPUSH_VAPID_PRIVATE_KEY="set-by-the-operator",
    )
    assert chosen == "set-by-the-operator"


def test_a_push_signed_with_the_development_key_is_accepted(settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = private_key_kept_in(DEV_KEY)
    settings.WEBPUSH_ALLOWED_HOSTS = [*DEFAULT_ALLOWED_HOSTS, "127.0.0.1"]
    settings.WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS = True
    public = application_server_key()
    # The browser subscribes with the key /devices/webpush-key/ serves; the push service
    # refuses (403) a message signed with any other.
    with PushServiceStub(application_server_key=public) as service:
        subscription = service.subscribe()
        get_channel("webpush").send(
            Envelope(subject="Time for today's entry", text="How are your feet today?"),
            subscription,
        )
        [delivery] = service.deliveries
    assert delivery.vapid_key == public
    assert delivery.json()["title"] == "Time for today's entry"
