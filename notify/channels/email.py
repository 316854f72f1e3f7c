"""Email through Django's configured backend (EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT,
EMAIL_TIMEOUT, ...), normally SMTP to a relay.

SMTP says for itself what is worth retrying: 4xx replies are transient, 5xx are permanent
(RFC 5321 §4.2.1). Sockets failing (refused, timed out, dropped) are transient.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection, make_msgid

from notify.channels.base import Envelope, TransportError, address_field

# RFC 3463 enhanced status codes meaning "this mailbox does not exist": X.1.1 bad
# destination mailbox, X.1.10 null MX. Only these mark the address gone; other 5xx
# refusals (policy, spam, full mailbox) are permanent for this message but say nothing
# about whether the address is still good.
_MAILBOX_GONE = re.compile(rb"^\s*5\.1\.(1|10)\b")


class EmailChannel:
    name = "email"

    def send(self, envelope: Envelope, address: Mapping[str, Any]) -> str:
        to = address_field(address, "email")
        from_email = settings.DEFAULT_FROM_EMAIL
        domain = _domain(from_email) or "localhost"
        if envelope.idempotency_key:
            message_id = f"<{envelope.idempotency_key}@{domain}>"
        else:
            message_id = make_msgid(domain=domain)
        body = envelope.text
        if envelope.url and envelope.url not in body:
            body = f"{body}\n\n{envelope.url}"
        message = EmailMultiAlternatives(
            subject=envelope.subject,
            body=body,
            from_email=from_email,
            to=[to],
            headers={
                "Message-ID": message_id,
                # RFC 3834: marks the message as machine-sent, so well-behaved
                # autoresponders (vacation replies) do not answer it.
                "Auto-Submitted": "auto-generated",
                # Exchange/Outlook ignore Auto-Submitted; this is their equivalent.
                "X-Auto-Response-Suppress": "All",
            },
            connection=get_connection(fail_silently=False),
        )
        if envelope.html:
            message.attach_alternative(envelope.html, "text/html")
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _recipients_refused(exc) from exc
        except smtplib.SMTPAuthenticationError as exc:
            # 535 is a 5xx, but it is about our credentials, not this message.
            raise TransportError(f"SMTP authentication failed: {exc.smtp_code}") from exc
        except smtplib.SMTPResponseException as exc:
            # Sender refused, data refused, greeting/HELO refused: the code decides.
            raise TransportError(
                f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}",
                permanent=500 <= exc.smtp_code < 600,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Disconnected mid-session, refused connection, timeout, TLS failure.
            raise TransportError(f"SMTP connection failed: {exc!r}") from exc
        except (BadHeaderError, UnicodeError) as exc:
            # A newline in the subject, or a non-ASCII address the server cannot take.
            raise TransportError(f"message cannot be sent as is: {exc}", permanent=True) from exc
        return message_id


def _recipients_refused(exc: smtplib.SMTPRecipientsRefused) -> TransportError:
    replies = list(exc.recipients.values())
    # smtplib raises this only when every recipient was refused; we send to one.
    permanent = bool(replies) and all(500 <= code < 600 for code, _ in replies)
    gone = permanent and all(_MAILBOX_GONE.match(reply) for _, reply in replies)
    detail = "; ".join(f"{code} {_text(reply)}" for code, reply in replies)
    return TransportError(f"recipient refused: {detail}", permanent=permanent, gone=gone)


def _domain(from_email: str) -> str | None:
    _, addr = parseaddr(from_email)
    return addr.rpartition("@")[2] or None


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
