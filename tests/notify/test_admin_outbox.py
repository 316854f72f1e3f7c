import pytest
from django.utils import timezone

from notify.models import Message

pytestmark = pytest.mark.django_db


def test_failed_messages_are_listed_for_operators(admin_client):
    Message.objects.create(
        dedupe_key="k1",
        kind="alert",
        channel="email",
        to_email="a@example.com",
        subject="s",
        body="b",
        due_at=timezone.now(),
        status="failed",
        last_error="550 no",
    )
    page = admin_client.get("/ops/notify/message/", {"status__exact": "failed"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    pending = admin_client.get("/ops/notify/message/", {"status__exact": "pending"})
    assert pending.context["cl"].result_count == 0
    assert admin_client.get("/ops/triage/alert/").status_code == 200
    assert admin_client.get("/ops/notify/device/").status_code == 200
