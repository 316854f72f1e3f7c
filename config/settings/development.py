"""`make run`, the devstack and the benchmarks: DEBUG on, the development secret allowed.

Nothing loads this unless asked to (DJANGO_SETTINGS_MODULE=config.settings.development):
with the variable unset, manage.py, wsgi, asgi and Celery load production settings.
"""

from config.env import env_bool
from config.settings.base import *  # noqa: F403
from notify.vapid import private_key_kept_in

DEBUG = env_bool("DEBUG", True)

# Web Push works on the first run: a key pair made once under var/ and kept, since a new key
# would orphan every browser's subscription. Production sets its own (README, Production).
if not WEBPUSH_VAPID_PRIVATE_KEY:  # noqa: F405
    WEBPUSH_VAPID_PRIVATE_KEY = private_key_kept_in(VAR_DIR / "webpush-vapid-private.key")  # noqa: F405
