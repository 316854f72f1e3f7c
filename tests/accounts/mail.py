"""Deliver what the outbox holds, as the worker would, and read links out of real mail."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from notify.models import Message
from notify.services import message_deliver


def deliver_outbox() -> list[str]:
    due = Message.objects.filter(status="pending", due_at__lte=timezone.now())
    return [message_deliver(message_id=str(pk)) for pk in due.values_list("pk", flat=True)]


def token_from(mail) -> str:
    """The ``token`` query parameter of the one link in a received mail's text part."""
    text = mail.message.get_body(("plain",)).get_content()
    links = re.findall(r"https?://\S+", text)
    assert links, text
    return parse_qs(urlsplit(links[0]).query)["token"][0]
