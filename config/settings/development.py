"""`make run`, the devstack and the benchmarks: DEBUG on, the development secret allowed.

Nothing loads this unless asked to (DJANGO_SETTINGS_MODULE=config.settings.development):
with the variable unset, manage.py, wsgi, asgi and Celery load production settings.
"""

from config.env import env_bool
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
