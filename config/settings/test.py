"""Test settings: PostgreSQL and Redis by default (make test), fast hashing."""

import hashlib

from config.env import env_int, env_str
from config.settings.base import *  # noqa: F403

# Two checkouts on one machine (a clean-clone CI run beside a working copy) ran the suite at
# the same time against one test database and one cache, and each saw the other's rows: the
# test database and cache keys are named after the checkout's path.
_CHECKOUT = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("TEST", {})["NAME"] = (  # noqa: F405
        f"test_{DATABASES['default']['NAME']}_{_CHECKOUT}"  # noqa: F405
    )
CACHES["default"]["KEY_PREFIX"] = _CHECKOUT  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Worker processes started by the integration tests point this at a loopback SMTP server.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
NOTIFY_CLAIM_TIMEOUT_SECONDS = env_int("NOTIFY_CLAIM_TIMEOUT_SECONDS", 300, minimum=1)

REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "10000/min"}}  # noqa: F405
INVITE_CODE_ADDRESS_RATE = INVITE_CODE_GLOBAL_RATE = "10000/min"
