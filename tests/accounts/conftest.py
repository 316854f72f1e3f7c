"""The loopback SMTP server and push stub from tests/notify, for account mail."""

from tests.notify.conftest import push_service, smtp_server, vapid_keys  # noqa: F401
