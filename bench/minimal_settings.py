"""Benchmark-only settings: the test settings with ``minimal_urls`` as the URLconf.

Used as ``DJANGO_SETTINGS_MODULE=minimal_settings`` with ``bench/`` on the Python path, by
bench/post_throughput.py's gunicorn; production never loads it.
"""

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "minimal_urls"
