"""Production settings for a drill's worker, which pushes to the drill's own push service
stub on its namespace's loopback (loadtest/pushstub.py). Never deployed."""

from config.settings.production import *  # noqa: F403

# Push is never sent to loopback in production (SSRF); the stub lives there.
WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS = True
