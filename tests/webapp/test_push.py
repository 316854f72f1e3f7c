"""Push in Chromium. Headless Chromium cannot reach a real push service, so
`pushManager.subscribe()` cannot succeed here; what is tested for real instead:

- the switch shows only when the server has Web Push (GET /devices/webpush-key/), and
  says so plainly when the browser cannot subscribe;
- the server's own message, sent to the loopback push service (tests/notify/servers.py),
  decrypted as a browser would, and delivered to the app's service worker through the
  DevTools protocol (ServiceWorker.deliverPushMessage): the notification it shows has
  exactly the server's title and text (neutral on the lock screen unless the patient
  chose detail);
- which page a tapped notification opens, for every kind the server sends, and that an
  open tab goes there when the worker asks it to.
Not covered: a real subscription, and the worker's notificationclick handler itself (a
headless browser cannot click a notification)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from notify import content
from notify.channels.webpush import DEFAULT_ALLOWED_HOSTS
from notify.models import Device
from notify.vapid import generate_vapid_keys
from tests.accounts.mail import deliver_outbox
from tests.browser import Browser, PatientAccount, api_call, by_role, sign_in, wait
from tests.notify.servers import PushServiceStub
from tests.webapp.journey import heading, on_page, says, tap
from triage.domain import Level

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RED_FLAGS = {"severity": 7, "redness_or_warmth": True, "fever": True, "site": "arch"}


@pytest.fixture
def push_service(settings) -> Iterator[PushServiceStub]:
    """Web Push configured with a fresh VAPID key, and the loopback push service."""
    keys = generate_vapid_keys()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = keys.private_key
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:ops@footjournal.test"
    settings.WEBPUSH_ALLOWED_HOSTS = [*DEFAULT_ALLOWED_HOSTS, "127.0.0.1"]
    settings.WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS = True
    with PushServiceStub(application_server_key=keys.public_key) as stub:
        yield stub


def _worker_ready(driver: Browser) -> bool:
    return driver.execute_async_script(
        "const done = arguments[0];"
        "navigator.serviceWorker.ready.then((r) => done(!!r.active), () => done(false));"
    )


def _deliver_to_worker(driver: Browser, origin: str, payload: bytes) -> None:
    """Hand a push message to the app's service worker, as the push service would (the
    test enabled DevTools' ServiceWorker domain beforehand: a delivery made just after
    enabling it can be dropped while DevTools is still learning the registrations)."""
    errors = []
    # Registration ids are small integers in a fresh profile; the app has one registration.
    for registration_id in range(0, 8):
        try:
            driver.execute_cdp_cmd(
                "ServiceWorker.deliverPushMessage",
                {
                    "origin": origin,
                    "registrationId": str(registration_id),
                    "data": payload.decode(),
                },
            )
            return
        except Exception as exc:  # not this id: try the next
            errors.append(str(exc))
    raise AssertionError(f"no service worker took the push: {errors}")


def _notifications(driver: Browser) -> list[dict]:
    return driver.execute_async_script(
        """
        const done = arguments[0];
        navigator.serviceWorker.ready
          .then((r) => r.getNotifications())
          .then((list) => done(list.map((n) => ({title: n.title, body: n.body, tag: n.tag,
                                                 data: n.data}))), (e) => done([]));
        """
    )


def _shown(driver: Browser, origin: str, delivery) -> list[dict]:
    """Deliver the push to the worker and return the notifications once it shows one with
    the push's tag. Under load DevTools has dropped a delivery to a worker it was
    restarting; a push service redelivers too, so a second try is what a phone would see."""
    tag = delivery.json()["tag"]
    for attempt in range(3):
        if attempt:
            print(f"push {tag}: delivery {attempt + 1}")
        _deliver_to_worker(driver, origin, delivery.plaintext)
        try:
            return wait(
                driver,
                lambda d: (lambda n: n if any(x["tag"] == tag for x in n) else None)(
                    _notifications(d)
                ),
                10,
            )
        except Exception:  # noqa: S112 - not shown yet: deliver again
            continue
    raise AssertionError(f"the worker showed no notification tagged {tag}")


def _send_alert(base: str, account: PatientAccount, push_service: PushServiceStub, n: int):
    api_call(
        base,
        "POST",
        "logs/",
        {**RED_FLAGS, "side": "left" if n == 1 else "right", "recorded_at": _now()},
        token=account.token,
    )
    deliver_outbox()
    return push_service.wait_for(n)[n - 1]


def _now() -> str:
    from django.utils import timezone

    return timezone.now().isoformat()


def test_the_worker_shows_the_servers_push_as_sent(
    live_server, phone: Browser, patient_account: PatientAccount, push_service: PushServiceStub
):
    base = live_server.url
    sign_in(phone, base, patient_account)
    wait(phone, _worker_ready)
    phone.execute_cdp_cmd("ServiceWorker.enable", {})
    phone.execute_cdp_cmd(
        "Browser.grantPermissions", {"permissions": ["notifications"], "origin": base}
    )
    # Web Push is configured: the switch is there. This browser cannot reach a push
    # service, and says so instead of failing silently.
    phone.get(f"{base}/app/settings")
    on_page(phone, "Settings")
    tap(by_role(phone, "button", "Turn on notifications"))
    says(phone, "This browser could not turn on notifications.", seconds=60)
    phone.axe(page="settings, notifications failed")

    # The subscription a browser would have made, registered as the app does.
    subscription = push_service.subscribe()
    device = api_call(
        base,
        "POST",
        "devices/",
        {"kind": "webpush", "name": "Chrome on Android", "subscription": subscription},
        token=patient_account.token,
    )
    # Lock screen without detail (the default): the server sends a neutral message.
    first = _send_alert(base, patient_account, push_service, 1)
    payload = first.json()
    assert payload["title"] == "Your journal"
    [shown] = _shown(phone, base, first)
    assert (shown["title"], shown["body"]) == (payload["title"], payload["body"])
    assert "doctor" not in json.dumps(shown).lower()  # the worker added no health detail

    # With detail chosen, what the server sends says what it is about, and only that.
    api_call(base, "PATCH", "me/", {"lock_screen_detail": True}, token=patient_account.token)
    second = _send_alert(base, patient_account, push_service, 2)
    detailed = second.json()
    notes = _shown(phone, base, second)
    assert len(notes) == 2  # each alert its own notification (its own tag)
    titles = {(n["title"], n["body"]) for n in notes}
    assert (detailed["title"], detailed["body"]) in titles
    assert detailed["title"] != "Your journal"

    # Signing out stops this device's notifications: its device is deleted on the server.
    phone.execute_async_script(
        "const [id, done] = arguments;"
        "import('/static/webapp/js/core/store.js').then((s) => s.put('kv', id, 'push_device'))"
        ".then(done, done);",
        device["id"],
    )
    phone.get(f"{base}/app/signout")
    on_page(phone, "Sign out")
    tap(by_role(phone, "button", "Sign out"))
    on_page(phone, "Sign in")
    assert not Device.objects.filter(id=device["id"]).exists()


def test_a_tapped_notification_opens_the_page_it_names(
    live_server, phone: Browser, patient_account
):
    base = live_server.url
    sign_in(phone, base, patient_account)
    wait(phone, _worker_ready)
    messages = {
        "alert": content.patient_alert(levels=[Level.CONSULT], base_url=base, reference="a"),
        "reminder": content.daily_reminder(base_url=base, local_day="2026-12-07"),
        "site_check": content.site_check_reminder(
            base_url=base, local_day="2026-12-07", places=[("heel_bottom", "right")]
        ),
        "timer": content.treatment_timer(kind="heat", minutes=15, base_url=base, treatment_id="t"),
    }
    expected = {
        "alert": "/app/alerts",
        "reminder": "/app/log",
        "site_check": "/app/log?site=heel_bottom&side=right",
        "timer": "/app/treatments",
    }
    script = """
        const [notes, done] = arguments;
        import("/static/webapp/js/core/notification-target.js").then((m) => {
          const out = {};
          for (const [name, note] of Object.entries(notes)) {
            out[name] = m.targetOf(note, location.origin);
          }
          done(out);
        });
    """
    as_stored = {
        name: {"url": m.url, "data": m.data} for name, m in messages.items()
    }  # what the worker keeps on the notification (webpush_payload's url and data)
    assert phone.execute_async_script(script, as_stored) == expected
    # Without a link, the kind decides; a link elsewhere than the app is never followed.
    by_kind = {name: {"url": None, "data": m.data} for name, m in messages.items()}
    assert phone.execute_async_script(script, by_kind) == expected
    foreign = {"x": {"url": "https://evil.example/steal", "data": {"kind": "alert"}}}
    assert phone.execute_async_script(script, foreign) == {"x": "/app/alerts"}

    # An open tab asked by the worker shows the page.
    phone.execute_script(
        "navigator.serviceWorker.dispatchEvent(new MessageEvent('message', "
        "{data: {type: 'navigate', url: '/app/log?site=heel_bottom&side=right'}}))"
    )
    wait(phone, lambda d: d.current_url.endswith("/app/log?site=heel_bottom&side=right"))
    wait(phone, lambda d: heading(d) not in (None, "Your foot and ankle journal"))


def test_without_web_push_the_switch_is_hidden(
    live_server, phone: Browser, patient_account, settings
):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    base = live_server.url
    answer = api_call(base, "GET", "devices/webpush-key/", token=patient_account.token)
    assert answer == {"enabled": False, "public_key": None}
    sign_in(phone, base, patient_account)
    phone.get(f"{base}/app/settings")
    on_page(phone, "Settings")
    main = phone.find_element("tag name", "main").text
    assert "Notifications on this device" not in main
    assert "Turn on notifications" not in main
