"""The delivery channels against real servers on loopback (see servers.py).

Email goes through Django's SMTP backend to aiosmtpd and is parsed back. Web Push is
encrypted by pywebpush and decrypted by the stub with the subscriber's key, VAPID checked.
FCM goes through firebase-admin's HTTP client to a v1 endpoint stub; APNs through aioapns
over TLS and HTTP/2 to an APNs stub. No database.
"""

from __future__ import annotations

import base64
import io
import json
import time
from email.utils import parseaddr

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from notify.channels import CHANNELS, Channel, Envelope, TransportError, get_channel
from notify.channels.mobile import apns_collapse_id
from notify.channels.webpush import (
    DEFAULT_ALLOWED_HOSTS,
    MAX_PAYLOAD_BYTES,
    application_server_key,
    topic_for,
    validate_subscription,
)
from notify.management.commands.vapid_keys import Command as VapidKeysCommand
from notify.vapid import env_lines, generate_vapid_keys
from tests.notify.servers import free_port

# Every test here stays on loopback; the fixture fails one whose libraries try otherwise.
pytestmark = pytest.mark.usefixtures("loopback_only")

# What a see-a-doctor alert says on a lock screen: no symptoms, no scores. The data carries
# ids the app uses to fetch the detail after the patient has unlocked and signed in.
ALERT = Envelope(
    subject="Please check your journal",
    text="You have a new message about your foot and ankle journal.",
    html="<p>You have a new message about your foot and ankle journal.</p>",
    url="https://app.footjournal.test/alerts/a-7f3c",
    tag="alert-a-7f3c",
    urgency="high",
    ttl_seconds=6 * 3600,
    data={"kind": "alert", "alert_id": "a-7f3c"},
)
REMINDER = Envelope(subject="Time for today's entry", text="How are your feet today?")


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- the interface -------------------------------------------------------------------------


def test_registry_has_every_channel_behind_the_interface():
    assert set(CHANNELS) == {"email", "webpush", "fcm", "apns"}
    for name, channel in CHANNELS.items():
        assert isinstance(channel, Channel)
        assert get_channel(name) is channel and channel.name == name
    with pytest.raises(ValueError, match="unknown channel 'sms'"):
        get_channel("sms")


def test_envelope_refuses_what_no_channel_could_send():
    with pytest.raises(ValueError, match="urgency"):
        Envelope(subject="s", text="t", urgency="urgent")
    with pytest.raises(ValueError, match="strings"):
        Envelope(subject="s", text="t", data={"count": 3})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="negative"):
        Envelope(subject="s", text="t", ttl_seconds=-1)


def test_gone_implies_permanent():
    assert TransportError("x", gone=True).permanent
    assert not TransportError("x").permanent


# --- email ---------------------------------------------------------------------------------


def test_email_arrives_with_text_and_html_parts_and_nothing_more(smtp_server, settings):
    message_id = get_channel("email").send(ALERT, {"email": "pat@example.org"})

    [mail] = smtp_server.messages
    message = mail.message
    assert mail.rcpt_tos == ["pat@example.org"]
    assert mail.mail_from == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    assert message["Subject"] == ALERT.subject
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["To"] == "pat@example.org"
    assert message["Message-ID"] == message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.strip() == f"{ALERT.text}\n\n{ALERT.url}"
    assert message.get_body(("html",)).get_content().strip() == ALERT.html
    # The app's data keys and the collapse tag are for push; mail carries only the
    # envelope's words and link.
    assert b"a-7f3c" not in mail.raw.replace(ALERT.url.encode(), b"")
    assert b"kind" not in mail.raw.lower()
    assert set(message.keys()) == {
        "Content-Type",
        "MIME-Version",
        "Subject",
        "From",
        "To",
        "Date",
        "Message-ID",
        "Auto-Submitted",
        "X-Auto-Response-Suppress",
    }


def test_email_without_html_is_a_single_plain_text_part(smtp_server):
    get_channel("email").send(REMINDER, {"email": "pat@example.org"})

    [mail] = smtp_server.messages
    assert mail.message.get_content_type() == "text/plain"
    assert mail.message.get_content().strip() == REMINDER.text


@pytest.mark.parametrize("stage", ["mail", "rcpt", "data"])
@pytest.mark.parametrize("code", [421, 450, 451, 452])
def test_smtp_4xx_is_transient_and_the_retry_gets_through(smtp_server, stage, code):
    smtp_server.fail_next(code, stage=stage)
    with pytest.raises(TransportError) as caught:
        get_channel("email").send(REMINDER, {"email": "pat@example.org"})
    assert not caught.value.permanent
    assert str(code) in caught.value.message

    get_channel("email").send(REMINDER, {"email": "pat@example.org"})
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    ("reply", "gone"),
    [
        ("5.1.1 <pat@example.org>: Recipient address rejected: User unknown", True),
        ("5.1.10 Recipient address has null MX", True),
        ("5.7.1 Message rejected by policy", False),
        ("5.2.2 Mailbox full", False),
    ],
)
def test_smtp_5xx_recipient_refused_is_permanent(smtp_server, reply, gone):
    smtp_server.fail_next(550, stage="rcpt", text=reply)
    with pytest.raises(TransportError) as caught:
        get_channel("email").send(REMINDER, {"email": "pat@example.org"})
    assert caught.value.permanent
    assert caught.value.gone is gone
    assert smtp_server.messages == []


def test_smtp_5xx_for_the_message_is_permanent(smtp_server):
    smtp_server.fail_next(554, stage="data", text="5.6.0 Message content rejected")
    with pytest.raises(TransportError) as caught:
        get_channel("email").send(REMINDER, {"email": "pat@example.org"})
    assert caught.value.permanent and not caught.value.gone


def test_smtp_server_down_is_transient(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    with pytest.raises(TransportError) as caught:
        get_channel("email").send(REMINDER, {"email": "pat@example.org"})
    assert not caught.value.permanent


@pytest.mark.parametrize(
    ("envelope", "address"),
    [
        (REMINDER, {}),
        (REMINDER, {"email": ""}),
        (Envelope(subject="Hi\nBcc: everyone@example.org", text="x"), {"email": "p@e.org"}),
    ],
)
def test_email_that_can_never_be_sent_is_permanent(smtp_server, envelope, address):
    with pytest.raises(TransportError) as caught:
        get_channel("email").send(envelope, address)
    assert caught.value.permanent
    assert smtp_server.messages == []


# --- Web Push ------------------------------------------------------------------------------


def test_webpush_payload_is_decrypted_by_the_subscriber_as_sent(push_service, vapid_keys):
    subscription = push_service.subscribe()

    location = get_channel("webpush").send(ALERT, subscription)

    [delivery] = push_service.deliveries
    assert push_service.errors.snapshot() == []
    assert delivery.json() == {
        "title": ALERT.subject,
        "body": ALERT.text,
        "url": ALERT.url,
        "tag": ALERT.tag,
        "data": {"kind": "alert", "alert_id": "a-7f3c"},
    }
    assert delivery.headers["content-encoding"] == "aes128gcm"
    assert delivery.headers["ttl"] == str(6 * 3600)
    assert delivery.headers["urgency"] == "high"
    assert delivery.headers["topic"] == ALERT.tag  # already a valid Topic
    # VAPID: signed with our key, for this push service, with our contact.
    assert delivery.vapid_key == vapid_keys.public_key == application_server_key()
    assert delivery.claims["aud"] == push_service.origin
    assert delivery.claims["sub"] == "mailto:ops@footjournal.test"
    assert time.time() < delivery.claims["exp"] <= time.time() + 24 * 3600
    assert location is not None and location.startswith(f"{push_service.origin}/message/")


def test_webpush_defaults_and_hashed_topic(push_service):
    subscription = push_service.subscribe()
    envelope = Envelope(subject="Ice off", text="Time to take the ice off.", tag="ice timer #1")

    get_channel("webpush").send(envelope, subscription)

    [delivery] = push_service.deliveries
    assert delivery.headers["urgency"] == "normal"
    assert delivery.headers["ttl"] == str(24 * 3600)
    assert delivery.headers["topic"] == topic_for("ice timer #1")
    assert delivery.json()["url"] is None and delivery.json()["data"] == {}


def test_topic_is_stable_and_within_rfc8030():
    assert topic_for("alert-1") == "alert-1"
    long_tag = "x" * 33
    for tag in ("ice timer #1", long_tag, "ü"):
        topic = topic_for(tag)
        assert topic == topic_for(tag)
        assert len(topic) <= 32 and topic.replace("-", "").replace("_", "").isalnum()
    assert topic_for("ice timer #1") != topic_for("ice timer #2")


def test_webpush_vapid_key_may_be_pem(push_service, vapid_keys, settings):
    scalar = int.from_bytes(base64.urlsafe_b64decode(vapid_keys.private_key + "="), "big")
    key = ec.derive_private_key(scalar, ec.SECP256R1())
    settings.WEBPUSH_VAPID_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    subscription = push_service.subscribe()

    get_channel("webpush").send(REMINDER, subscription)

    assert push_service.deliveries[0].vapid_key == vapid_keys.public_key


@pytest.mark.parametrize("status", [404, 410])
def test_webpush_subscription_gone(push_service, status):
    subscription = push_service.subscribe()
    push_service.fail(subscription, status)
    with pytest.raises(TransportError) as caught:
        get_channel("webpush").send(REMINDER, subscription)
    assert caught.value.gone and caught.value.permanent


def test_webpush_unknown_subscription_is_gone(push_service):
    subscription = push_service.subscribe()
    push_service.unsubscribe(subscription)
    with pytest.raises(TransportError) as caught:
        get_channel("webpush").send(REMINDER, subscription)
    assert caught.value.gone


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_webpush_overload_and_server_errors_are_transient(push_service, status):
    subscription = push_service.subscribe()
    push_service.fail(subscription, status, times=1)
    with pytest.raises(TransportError) as caught:
        get_channel("webpush").send(REMINDER, subscription)
    assert not caught.value.permanent
    if status in (429, 503):
        assert caught.value.retry_after == 7

    get_channel("webpush").send(REMINDER, subscription)  # the retry
    assert len(push_service.deliveries) == 1


@pytest.mark.parametrize("status", [400, 403, 413, 307])
def test_webpush_refusals_are_permanent_but_not_gone(push_service, status):
    subscription = push_service.subscribe()
    push_service.fail(subscription, status)
    with pytest.raises(TransportError) as caught:
        get_channel("webpush").send(REMINDER, subscription)
    assert caught.value.permanent and not caught.value.gone
    assert push_service.errors.snapshot() == []  # and the 307 was not followed


def test_webpush_subscription_made_for_another_vapid_key_is_refused(push_service):
    other = generate_vapid_keys().public_key
    subscription = push_service.subscribe(application_server_key=other)
    with pytest.raises(TransportError) as caught:
        get_channel("webpush").send(REMINDER, subscription)
    assert caught.value.permanent and not caught.value.gone
    assert "403" in caught.value.message


def test_webpush_service_down_is_transient(vapid_keys):
    subscription = {
        "endpoint": f"http://127.0.0.1:{free_port()}/push/abc",
        "keys": _keys(),
    }
    with pytest.raises(TransportError) as caught:
        get_channel("webpush").send(REMINDER, subscription)
    assert not caught.value.permanent


def test_webpush_oversized_payload_is_permanent_and_not_sent(push_service):
    subscription = push_service.subscribe()
    envelope = Envelope(subject="s", text="x" * MAX_PAYLOAD_BYTES)
    with pytest.raises(TransportError) as caught:
        get_channel("webpush").send(envelope, subscription)
    assert caught.value.permanent and not caught.value.gone
    assert push_service.deliveries == []


def test_webpush_refuses_to_post_off_the_allow_list(push_service, settings):
    subscription = push_service.subscribe()
    settings.WEBPUSH_ALLOWED_HOSTS = list(DEFAULT_ALLOWED_HOSTS)  # 127.0.0.1 no longer
    with pytest.raises(TransportError) as caught:
        get_channel("webpush").send(REMINDER, subscription)
    # Permanent, not gone: an operator narrowing the list should not wipe out devices.
    assert caught.value.permanent and not caught.value.gone
    assert "allow-list" in caught.value.message
    assert push_service.deliveries == [] and push_service.errors.snapshot() == []


def test_webpush_needs_its_settings(push_service, settings):
    subscription = push_service.subscribe()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="WEBPUSH_VAPID_PRIVATE_KEY"):
        get_channel("webpush").send(REMINDER, subscription)
    settings.WEBPUSH_VAPID_PRIVATE_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="WEBPUSH_VAPID_PRIVATE_KEY"):
        get_channel("webpush").send(REMINDER, subscription)


def _keys(p256dh: bytes | None = None, auth: bytes | None = None) -> dict[str, str]:
    if p256dh is None:
        p256dh = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        )
    return {"p256dh": b64url(p256dh), "auth": b64url(auth or bytes(range(16)))}


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dE3x:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
        "https://web.push.apple.com/QGx1c2g",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
    ],
)
def test_validate_subscription_accepts_the_push_services(endpoint, settings):
    settings.WEBPUSH_ALLOWED_HOSTS = list(DEFAULT_ALLOWED_HOSTS)
    keys = _keys()
    assert validate_subscription({"endpoint": endpoint, "keys": keys}) == {
        "endpoint": endpoint,
        "keys": keys,
    }


def test_validate_subscription_returns_the_url_rebuilt_from_parsed_parts(settings):
    settings.WEBPUSH_ALLOWED_HOSTS = list(DEFAULT_ALLOWED_HOSTS)
    result = validate_subscription(
        {"endpoint": "https://FCM.googleapis.com:443/fcm/send/x?a=1#frag", "keys": _keys()}
    )
    assert result["endpoint"] == "https://fcm.googleapis.com:443/fcm/send/x?a=1"


def test_validate_subscription_refuses_loopback_unless_the_test_setting_allows(settings):
    settings.WEBPUSH_ALLOWED_HOSTS = ["127.0.0.1", "10.1.2.3"]
    for endpoint in ["http://127.0.0.1:8123/push/1", "https://127.0.0.1/push/1"]:
        with pytest.raises(ValueError):
            validate_subscription({"endpoint": endpoint, "keys": _keys()})
    with pytest.raises(ValueError, match="public"):
        validate_subscription({"endpoint": "https://10.1.2.3/push/1", "keys": _keys()})


def test_validate_subscription_normalises_padded_keys(settings):
    keys = _keys()
    padded = {name: value + "=" * (-len(value) % 4) for name, value in keys.items()}
    result = validate_subscription(
        {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": padded}
    )
    assert result["keys"] == keys


@pytest.mark.parametrize(
    ("endpoint", "complaint"),
    [
        ("https://evil.example/push/1", "allow-list"),
        ("https://fcm.googleapis.com.evil.example/x", "allow-list"),
        ("https://evilfcm.googleapis.com/x", "allow-list"),
        ("https://169.254.169.254/latest/meta-data", "allow-list"),
        ("http://fcm.googleapis.com/fcm/send/x", "https"),
        ("ftp://fcm.googleapis.com/x", "https"),
        ("https://fcm.googleapis.com:8443/x", "port"),
        ("https://user:pw@fcm.googleapis.com/x", "credentials"),
        ("https:///x", "no host"),
        ("", "missing"),
        ("https://fcm.googleapis.com/" + "x" * 1024, "longer"),
        # Python's urlsplit reads host "attacker.example\\.fcm.googleapis.com" (allowed);
        # urllib3, which sends, reads "attacker.example".
        ("https://attacker.example\\.fcm.googleapis.com/x", "backslash"),
        ("https://fcm.googleapis.com/a b", "spaces"),
        ("https://fcm.googleapis.com/\u00e9", "ASCII"),
        ("https://fcm_x.googleapis.com/x", "plain name"),
        ("https://fcm.googleapis.com%2eevil.example/x", "plain name"),
        ("http://127.0.0.2:80/push/1", "allow-list"),  # loopback, but not allow-listed
    ],
)
def test_validate_subscription_refuses_endpoints(endpoint, complaint, settings):
    settings.WEBPUSH_ALLOWED_HOSTS = [*DEFAULT_ALLOWED_HOSTS, "127.0.0.1"]
    settings.WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS = True
    with pytest.raises(ValueError, match=complaint):
        validate_subscription({"endpoint": endpoint, "keys": _keys()})


def test_validate_subscription_allows_plain_http_only_to_allowed_loopback(settings):
    settings.WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS = True
    settings.WEBPUSH_ALLOWED_HOSTS = ["127.0.0.1"]
    validate_subscription({"endpoint": "http://127.0.0.1:8123/push/1", "keys": _keys()})
    settings.WEBPUSH_ALLOWED_HOSTS = ["fcm.googleapis.com"]
    with pytest.raises(ValueError, match="allow-list"):
        validate_subscription({"endpoint": "http://127.0.0.1:8123/push/1", "keys": _keys()})


_POINT = bytes.fromhex(
    "04"
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
)  # the P-256 generator: a valid point


@pytest.mark.parametrize(
    ("keys", "complaint"),
    [
        (None, "keys are missing"),
        ({"auth": b64url(bytes(16))}, "p256dh is missing"),
        ({"p256dh": b64url(_POINT)}, "auth is missing"),
        (_keys(p256dh=_POINT[:33]), "65-byte"),  # too short
        (_keys(p256dh=b"\x02" + _POINT[1:33]), "65-byte"),  # compressed point
        (_keys(p256dh=b"\x04" + bytes(64)), "not a point"),
        (_keys(p256dh=_POINT[:-1] + bytes([_POINT[-1] ^ 1])), "not a point"),
        (_keys(p256dh=_POINT, auth=bytes(8)), "16-byte"),
        ({"p256dh": "not base64!", "auth": b64url(bytes(16))}, "base64url"),
        ({"p256dh": b64url(_POINT), "auth": 1234}, "auth is missing"),
    ],
)
def test_validate_subscription_refuses_malformed_keys(keys, complaint, settings):
    settings.WEBPUSH_ALLOWED_HOSTS = list(DEFAULT_ALLOWED_HOSTS)
    subscription = {"endpoint": "https://fcm.googleapis.com/fcm/send/x"}
    if keys is not None:
        subscription["keys"] = keys
    with pytest.raises(ValueError, match=complaint):
        validate_subscription(subscription)


def test_generated_vapid_keys_are_a_p256_pair():
    keys = generate_vapid_keys()
    scalar = base64.urlsafe_b64decode(keys.private_key + "=")
    point = base64.urlsafe_b64decode(keys.public_key + "=" * (-len(keys.public_key) % 4))
    assert len(scalar) == 32 and len(point) == 65 and point[0] == 4
    derived = ec.derive_private_key(int.from_bytes(scalar, "big"), ec.SECP256R1()).public_key()
    assert (
        derived.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        == point
    )
    assert generate_vapid_keys() != keys
    lines = env_lines(keys, "mailto:ops@footjournal.test")
    assert f"WEBPUSH_VAPID_PRIVATE_KEY={keys.private_key}\n" in lines
    assert "WEBPUSH_VAPID_SUBJECT=mailto:ops@footjournal.test\n" in lines
    assert keys.public_key in lines


def test_vapid_keys_command_prints_env_lines():
    # Passed as an object, so call_command needs no INSTALLED_APPS entry for notify.
    out = io.StringIO()
    call_command(VapidKeysCommand(), subject="mailto:ops@footjournal.test", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("WEBPUSH_VAPID_PRIVATE_KEY=")
    assert lines[1] == "WEBPUSH_VAPID_SUBJECT=mailto:ops@footjournal.test"
    assert lines[2].startswith("# applicationServerKey for pushManager.subscribe(): B")


# --- FCM -----------------------------------------------------------------------------------


def test_fcm_message_reaches_the_v1_endpoint_authenticated(fcm_service):
    token = fcm_service.registration_token()

    name = get_channel("fcm").send(ALERT, {"registration_id": token})

    [delivery] = fcm_service.deliveries
    assert name == f"projects/{fcm_service.project_id}/messages/0:1"
    assert fcm_service.errors.snapshot() == []
    assert delivery.message == {
        "token": token,
        "notification": {"title": ALERT.subject, "body": ALERT.text},
        "data": {"kind": "alert", "alert_id": "a-7f3c", "url": ALERT.url},
        "android": {
            "collapse_key": ALERT.tag,
            "priority": "high",
            "ttl": f"{6 * 3600}s",
            "notification": {"tag": ALERT.tag},
        },
    }
    assert not delivery.validate_only
    [claims] = fcm_service.credentials_seen.snapshot()
    assert claims["iss"] == claims["sub"] == fcm_service.client_email


def test_fcm_low_urgency_uses_normal_priority(fcm_service):
    token = fcm_service.registration_token()
    get_channel("fcm").send(
        Envelope(subject="s", text="t", urgency="low"), {"registration_id": token}
    )
    assert fcm_service.deliveries[0].message["android"]["priority"] == "normal"


@pytest.mark.parametrize(
    ("kind", "permanent", "gone"),
    [
        ("unregistered", True, True),
        ("invalid_token", True, True),
        # Another project's token: permanent, but a wrong FCM_CREDENTIALS would say this
        # for every device, so it does not deactivate them.
        ("sender_mismatch", True, False),
        ("quota", False, False),
        ("unavailable", False, False),
        ("internal", False, False),
    ],
)
def test_fcm_errors(fcm_service, kind, permanent, gone):
    token = fcm_service.registration_token()
    fcm_service.fail(token, kind)
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        get_channel("fcm").send(REMINDER, {"registration_id": token})
    assert (caught.value.permanent, caught.value.gone) == (permanent, gone)
    # No retry loop hidden in firebase-admin: one request, an answer at once, and the
    # service's Retry-After passed up to whoever schedules the retry.
    assert time.monotonic() - started < 2
    if kind in ("quota", "unavailable"):
        assert caught.value.retry_after == 7
    assert fcm_service.deliveries == []


def test_fcm_transient_failure_then_the_retry_gets_through(fcm_service):
    token = fcm_service.registration_token()
    fcm_service.fail(token, "unavailable", times=1)
    with pytest.raises(TransportError):
        get_channel("fcm").send(REMINDER, {"registration_id": token})
    get_channel("fcm").send(REMINDER, {"registration_id": token})
    assert len(fcm_service.deliveries) == 1


def test_fcm_credentials_refused_is_transient(fcm_service, settings):
    # Our service account's key, but not the one FCM knows: ours to fix, the message is fine.
    info = fcm_service.service_account_info()
    other = fcm_service.__class__().service_account_info()
    info["private_key"] = other["private_key"]
    settings.FCM_CREDENTIALS = json.dumps(info)
    with pytest.raises(TransportError) as caught:
        get_channel("fcm").send(REMINDER, {"registration_id": fcm_service.registration_token()})
    assert not caught.value.permanent
    assert "UNAUTHENTICATED" in caught.value.message


def test_fcm_down_is_transient(fcm_service, settings):
    settings.FCM_ENDPOINT = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TransportError) as caught:
        get_channel("fcm").send(REMINDER, {"registration_id": fcm_service.registration_token()})
    assert not caught.value.permanent


def test_fcm_needs_credentials(settings):
    settings.FCM_CREDENTIALS = ""
    with pytest.raises(ImproperlyConfigured, match="FCM_CREDENTIALS"):
        get_channel("fcm").send(REMINDER, {"registration_id": "x"})
    settings.FCM_CREDENTIALS = '{"type": "service_account"}'
    with pytest.raises(ImproperlyConfigured, match="FCM_CREDENTIALS"):
        get_channel("fcm").send(REMINDER, {"registration_id": "x"})


def test_fcm_address_without_token_is_permanent(fcm_service):
    with pytest.raises(TransportError) as caught:
        get_channel("fcm").send(REMINDER, {"registration_id": ""})
    assert caught.value.permanent and fcm_service.deliveries == []


# --- APNs ----------------------------------------------------------------------------------


def test_apns_notification_reaches_apns_over_http2(apns_service):
    token = apns_service.device_token()

    apns_id = get_channel("apns").send(ALERT, {"registration_id": token})

    [delivery] = apns_service.deliveries
    assert apns_service.errors.snapshot() == []
    assert delivery.device_token == token
    headers = delivery.headers
    assert headers[":path"] == f"/3/device/{token}"
    assert headers["apns-id"] == apns_id
    assert headers["apns-topic"] == apns_service.topic
    assert headers["apns-push-type"] == "alert"
    assert headers["apns-priority"] == "10"
    assert headers["apns-collapse-id"] == ALERT.tag
    assert abs(int(headers["apns-expiration"]) - (time.time() + 6 * 3600)) < 60
    assert delivery.payload == {
        "aps": {
            "alert": {"title": ALERT.subject, "body": ALERT.text},
            "sound": "default",
            "thread-id": ALERT.tag,
        },
        "kind": "alert",
        "alert_id": "a-7f3c",
        "url": ALERT.url,
    }
    assert delivery.claims["iss"] == apns_service.team_id


def test_apns_low_urgency_and_long_tag(apns_service):
    token = apns_service.device_token()
    tag = "t" * 100
    get_channel("apns").send(
        Envelope(subject="s", text="t", urgency="very-low", tag=tag), {"registration_id": token}
    )
    headers = apns_service.deliveries[0].headers
    assert headers["apns-priority"] == "5"
    assert headers["apns-collapse-id"] == apns_collapse_id(tag)
    assert len(headers["apns-collapse-id"].encode()) <= 64


@pytest.mark.parametrize(
    ("status", "reason", "permanent", "gone"),
    [
        (410, "Unregistered", True, True),
        (410, "ExpiredToken", True, True),
        (400, "BadDeviceToken", True, True),
        (400, "DeviceTokenNotForTopic", True, False),
        (413, "PayloadTooLarge", True, False),
        (400, "BadCollapseId", True, False),
        (429, "TooManyRequests", False, False),
        (500, "InternalServerError", False, False),
        (503, "ServiceUnavailable", False, False),
        (403, "ExpiredProviderToken", False, False),
    ],
)
def test_apns_errors(apns_service, status, reason, permanent, gone):
    token = apns_service.device_token()
    apns_service.fail(token, status, reason)
    with pytest.raises(TransportError) as caught:
        get_channel("apns").send(REMINDER, {"registration_id": token})
    assert (caught.value.permanent, caught.value.gone) == (permanent, gone)
    assert reason in caught.value.message


def test_apns_unknown_device_token_is_gone(apns_service):
    with pytest.raises(TransportError) as caught:
        get_channel("apns").send(REMINDER, {"registration_id": "ab" * 32})
    assert caught.value.gone
    assert "BadDeviceToken" in caught.value.message


def test_apns_token_that_is_not_hex_is_gone_without_asking(apns_service):
    with pytest.raises(TransportError) as caught:
        get_channel("apns").send(REMINDER, {"registration_id": "../../3/device/x?y"})
    assert caught.value.gone and apns_service.deliveries == []


def test_apns_provider_token_refused_is_transient(apns_service, settings):
    # A .p8 key APNs does not know: ours to fix, so retried rather than dropped.
    settings.APNS_KEY = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    with pytest.raises(TransportError) as caught:
        get_channel("apns").send(REMINDER, {"registration_id": apns_service.device_token()})
    assert not caught.value.permanent
    assert "InvalidProviderToken" in caught.value.message


def test_apns_connection_is_kept_across_sends(apns_service):
    token = apns_service.device_token()
    for _ in range(3):
        get_channel("apns").send(REMINDER, {"registration_id": token})
    assert len(apns_service.deliveries) == 3
    assert apns_service.connections_accepted == 1


def test_apns_down_is_transient(apns_service, settings):
    settings.APNS_ENDPOINT = f"127.0.0.1:{free_port()}"
    with pytest.raises(TransportError) as caught:
        get_channel("apns").send(REMINDER, {"registration_id": apns_service.device_token()})
    assert not caught.value.permanent


def test_apns_needs_its_settings(settings):
    settings.APNS_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="APNS_KEY"):
        get_channel("apns").send(REMINDER, {"registration_id": "ab" * 32})
