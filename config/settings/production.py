"""Production, and the default when DJANGO_SETTINGS_MODULE is unset: refuses to start with
DEBUG on, the development secret or no ALLOWED_HOSTS; HTTPS only. `manage.py check --deploy
--fail-level WARNING` is clean with these (tests/test_platform.py runs it)."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list
from config.settings.base import *  # noqa: F403
from config.settings.base import DEBUG, DEVELOPMENT_SECRET_KEY, NUM_PROXIES, SECRET_KEY

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be false in production (set DEBUG=false).")
if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a unique random value of at least 50 characters in "
        "production (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
# No development defaults: the host names this service answers to, named explicitly.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name this service's host names in production.")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe health over plain HTTP on the inside.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0, maximum=63_072_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# X-Forwarded-Proto says "this came in over HTTPS" and is trusted only from a proxy we were
# told about (NUM_PROXIES), which must overwrite whatever the client sent. With no proxy,
# any client could send it and make Django believe a plain-HTTP request was secure.
if NUM_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Whatever a settings override may say: production never pushes to loopback.
WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS = False
