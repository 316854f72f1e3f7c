"""Settings shared by every environment; values come from the environment via config.env."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_database,
    env_email_url,
    env_int,
    env_list,
    env_list_matching,
    env_redis_url,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# Off unless asked for; config.settings.development turns it on for `make run`.
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
# How many reverse proxies in front of us append to X-Forwarded-For. 0: the header is
# ignored and throttles key on the connecting address; anything else lets a client pick
# its own identity by sending the header.
# A request that waited longer than this for a web thread is answered 503 + Retry-After
# at once (config/middleware.py QueueShedMiddleware); 0 turns shedding off.
WEB_MAX_QUEUE_SECONDS = env_int("WEB_MAX_QUEUE_SECONDS", 5, minimum=0, maximum=3600)
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0, maximum=10)

INSTALLED_APPS = [
    # The operators' admin at /ops/; the clinicians' workspace (clinic.sites) is at /admin/.
    "clinic.apps.OperatorsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "journal",
    "triage",
    "outcomes",
    "notify",
    "clinic",
    "api",
    "webapp",
    "axes",
]

MIDDLEWARE = [
    "config.observability.RequestIdMiddleware",
    # Before anything that may query: a shed request costs nothing (config/middleware.py).
    "config.middleware.QueueShedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "clinic.middleware.AdminContentSecurityPolicyMiddleware",
    # Last, as django-axes requires: turns a locked-out admin login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

# Admin logins (both sites) are locked after repeated failures, separately per account and
# per address, so neither guessing one account's password from many addresses nor trying
# many accounts from one address works. The API login is left to its own throttles.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ONLY_ADMIN_SITE = True
AXES_HANDLER = "clinic.axes.AdminSitesHandler"
AXES_USERNAME_CALLABLE = "clinic.axes.lockout_username"
AXES_CLIENT_IP_CALLABLE = "clinic.axes.client_ip"
AXES_LOCKOUT_TEMPLATE = "clinic/locked_out.html"
AXES_VERBOSE = False  # lockouts are still logged; every successful login is not

# Admin sessions (patients use tokens) end after a working day without activity; each
# request pushes the expiry on.
SESSION_COOKIE_AGE = env_int("ADMIN_SESSION_IDLE_SECONDS", 8 * 3600, minimum=300, maximum=86400)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Sent on every page of both admin sites (clinic.middleware). The workspace's chart is a
# vendored static script reading a JSON block, so no inline script and no CDN is needed.
ADMIN_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection per request cost more than the request
# (bench/RESULTS.md). Each gunicorn thread and Celery worker process keeps one; the health
# check at the start of each request/task replaces one a database restart broke.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600, maximum=86400)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host cut off by the network (not refusing: silent) must fail a request in
    # seconds, so it answers 503 instead of hanging until gunicorn kills the worker: connect
    # within 3 s; a connection whose sent data goes unacknowledged for 3 s, or that stays
    # silent through keepalive probes (5 s idle, then 2 probes 2 s apart), is dropped.
    # Without these, libpq waits on TCP's retransmissions, about 15 minutes (the partition
    # drill, loadtest/partitions.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": 3,
            "tcp_user_timeout": 3000,  # milliseconds
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run`: two phones writing at once must wait their turn, not fail with "database is
    # locked". WAL lets reads go on during a write; IMMEDIATE takes the write lock when the
    # transaction begins, so the busy timeout applies (a lock upgrade mid-transaction fails
    # at once instead of waiting).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Bodies above this are refused with 400 before any parsing work (sync batches are the largest).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024, maximum=50_000_000
)

REDIS_URL = env_redis_url("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # As for the broker: a Redis cut off by the network fails a login in seconds
            # (503), instead of hanging on TCP's retransmissions.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# EMAIL_URL (smtp+tls://user:password@host:587) or the separate variables; these win.
_EMAIL_URL = env_email_url("EMAIL_URL")
EMAIL_HOST = env_str("EMAIL_HOST", str(_EMAIL_URL.get("EMAIL_HOST", "localhost")))
EMAIL_PORT = env_int("EMAIL_PORT", int(str(_EMAIL_URL.get("EMAIL_PORT", 25))), minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", str(_EMAIL_URL.get("EMAIL_HOST_USER", "")))
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", str(_EMAIL_URL.get("EMAIL_HOST_PASSWORD", "")))
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(_EMAIL_URL.get("EMAIL_USE_TLS", False)))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", bool(_EMAIL_URL.get("EMAIL_USE_SSL", False)))
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (implicit TLS, port 465) "
        "are exclusive; set one."
    )
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Foot & Ankle Journal <no-reply@localhost>")
# Operators' alerts (notify.operators) come from the same address.
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["journal.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["journal.api.parsers.LimitedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "journal.api.pagination.JournalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.ContractAutoSchema",
    "EXCEPTION_HANDLER": "journal.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {"auth": env_str("AUTH_THROTTLE_RATE", "20/min")},
}

# A sign-in whose next= is missing or refused lands by who signed in (config.landing).
LOGIN_REDIRECT_URL = "after-sign-in"

# Invite-code attempts (clinic.throttles) per client address and across the whole service; a
# refusal by the global bound alerts operators (ADMINS, once an hour). Codes are 8 characters of
# a 31-letter alphabet (8.5e11 codes) and live 7 days: at the global default a week of guessing
# covers one part in 8 million of the code space.
INVITE_CODE_ADDRESS_RATE = env_str("INVITE_CODE_ADDRESS_RATE", "30/hour")
INVITE_CODE_GLOBAL_RATE = env_str("INVITE_CODE_GLOBAL_RATE", "600/hour")
# Who gets operators' alerts by email (comma-separated addresses); empty: the ERROR log only.
ADMINS = [("Operator", address) for address in env_list("OPERATOR_EMAILS", [])]

# Failed sign-ins per account (whatever address they come from) before it waits out the window.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1, maximum=1000)
LOGIN_FAILURE_WINDOW_SECONDS = env_int(
    "LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1, maximum=86400
)

REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(days=env_int("TOKEN_TTL_DAYS", 30, minimum=1, maximum=365)),
    "AUTO_REFRESH": True,
    # However often it is used, a token dies this long after sign-in.
    "AUTO_REFRESH_MAX_TTL": timedelta(
        days=env_int("TOKEN_MAX_AGE_DAYS", 90, minimum=1, maximum=3650)
    ),
    # A used token's expiry is pushed out at most once a day: one UPDATE per token per day
    # instead of one per request; a token then dies between 29 and 30 days after last use.
    "MIN_REFRESH_INTERVAL": 24 * 3600,
    # Enforced by accounts.services.auth_token_issue: a new sign-in retires the oldest.
    "TOKEN_LIMIT_PER_USER": 20,
}
# Links in account emails: the address check lasts 3 days; a reset link until it is used,
# the password changes, or PASSWORD_RESET_TIMEOUT (Django's setting) passes.
EMAIL_VERIFICATION_MAX_AGE_SECONDS = 3 * 24 * 3600
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 3600, minimum=60, maximum=259200)

SPECTACULAR_SETTINGS = {
    "TITLE": "Foot & Ankle Pain Journal API",
    "DESCRIPTION": (
        "REST API for the patient mobile app. Authenticate with the token from "
        "/api/v1/auth/register/ or /api/v1/auth/login/ as `Authorization: Bearer <token>`. "
        'Every error has one of two JSON shapes: `Error` ({"detail": "..."}) or, for a '
        'refused request (400), `ValidationError` ({"field": ["message"]}). Times are '
        "ISO 8601 with a UTC offset. Changes to this contract are listed in "
        "docs/api-changelog.md."
    ),
    "VERSION": "1.5.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.reference_named_enums",
    ],
    "ENUM_NAME_OVERRIDES": {
        "NotificationChannelEnum": "journal.api.serializers.NOTIFICATION_CHANNELS",
        "TreatmentKindEnum": "journal.models.TreatmentKind",
        "DeviceKindEnum": "notify.models.DeviceKind",
        "SiteEnum": "journal.sites.Site",
        "SideEnum": "journal.sites.Side",
        "LevelEnum": "triage.models.LevelChoice",
        "AlertStatusEnum": "triage.models.AlertStatus",
        "SwellingEnum": "journal.models.Swelling",
    },
}

# Celery: JSON only, explicit names, late acks; tasks must be idempotent.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
else:
    # Zero-setup default: kombu's filesystem transport needs no server.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must not hang on a dead broker: give up quickly, the outbox sweep re-sends.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Notifications.
# Where people open the app: links in emails and push messages are APP_BASE_URL + a path.
APP_BASE_URL = env_url("APP_BASE_URL", "http://127.0.0.1:8000")
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6, minimum=1, maximum=50)
# A claimed message whose sender has been silent this long is presumed dead and re-sent.
# Must exceed the longest send (channel timeouts are 10 s) and the task time limit.
NOTIFY_CLAIM_TIMEOUT_SECONDS = env_int(
    "NOTIFY_CLAIM_TIMEOUT_SECONDS", 300, minimum=1, maximum=86400
)
TREATMENT_TIMER_MINUTES = 15
# Active push devices per patient; registering another retires the least recently used.
DEVICE_LIMIT_PER_PATIENT = env_int("DEVICE_LIMIT_PER_PATIENT", 10, minimum=1, maximum=100)

# Retention (accounts.purge_retention, daily): settled messages and their delivery attempts,
# then expired API tokens and admin sessions, are deleted after this many days.
RETENTION_MESSAGE_DAYS = env_int("RETENTION_MESSAGE_DAYS", 90, minimum=1, maximum=3650)
RETENTION_EXPIRED_AUTH_DAYS = env_int("RETENTION_EXPIRED_AUTH_DAYS", 7, minimum=0, maximum=3650)

# Web Push (RFC 8030/8291, VAPID). `manage.py vapid_keys` makes a key pair.
WEBPUSH_VAPID_PRIVATE_KEY = env_str("WEBPUSH_VAPID_PRIVATE_KEY", "")
WEBPUSH_VAPID_SUBJECT = env_str("WEBPUSH_VAPID_SUBJECT", "mailto:ops@localhost")
WEBPUSH_ALLOWED_HOSTS = env_list(
    "WEBPUSH_ALLOWED_HOSTS",
    [
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com",
        "notify.windows.com",
    ],
)
# Push is never sent to loopback or private addresses (SSRF). Test suites alone set this to
# reach their loopback push stub; it is deliberately not read from the environment.
WEBPUSH_ALLOW_LOOPBACK_FOR_TESTS = False
# FCM (service-account JSON path or text) and APNs (token auth with a .p8 key).
FCM_CREDENTIALS = env_str("FCM_CREDENTIALS", "")
FCM_PROJECT_ID = env_str("FCM_PROJECT_ID", "")
APNS_KEY = env_str("APNS_KEY", "")
APNS_KEY_ID = env_str("APNS_KEY_ID", "")
APNS_TEAM_ID = env_str("APNS_TEAM_ID", "")
APNS_TOPIC = env_str("APNS_TOPIC", "")
APNS_USE_SANDBOX = env_bool("APNS_USE_SANDBOX", False)

# Deep links for the native apps (config/wellknown.py): while unset, the
# /.well-known/apple-app-site-association and assetlinks.json files are 404s.
IOS_APP_IDS = env_list_matching(
    "IOS_APP_IDS", r"[A-Z0-9]{10}\.[A-Za-z0-9.-]+", "ABCDE12345.org.example.footjournal"
)
ANDROID_APP_PACKAGES = env_list_matching(
    "ANDROID_APP_PACKAGES", r"[A-Za-z]\w*(\.[A-Za-z]\w*)+", "org.example.footjournal"
)
ANDROID_CERT_FINGERPRINTS = [
    fingerprint.upper()
    for fingerprint in env_list_matching(
        "ANDROID_CERT_FINGERPRINTS",
        r"([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}",
        "the SHA-256 of the signing certificate, 32 hex pairs like 14:6D:...:5E",
    )
]

# JSON lines with a request id by default (config/observability.py); LOG_FORMAT=plain for
# reading by eye (`make run` uses it).
LOG_FORMAT = env_str("LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.observability.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Our access line replaces Django's own 4xx/5xx request lines (same facts, no request id).
    "loggers": {"django.server": {"level": "WARNING"}},
}
