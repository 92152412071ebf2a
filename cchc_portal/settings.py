"""Settings for the CCHC portal: one module, every value read from the environment.

Defaults are safe for a developer's machine: SQLite under var/, a broker that
needs no server, DEBUG off. Production differs only through the variables
listed in README.md ("Cấu hình").
"""

import datetime as dt
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor  # type: ignore[import-untyped]

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    # OS environment variables take precedence over variables from .env
    env.read_env(str(BASE_DIR / ".env"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean strictly: an unexpected value fails at boot, not later."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"Unexpected value {name}={raw!r}; use true or false")


# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
# A key kept in a file (`make run` generates var/secret_key on first run; a
# container's secret mount works the same way) so it never sits in the shell.
SECRET_KEY_FILE = env.str("DJANGO_SECRET_KEY_FILE", default="")
if not SECRET_KEY and SECRET_KEY_FILE:
    try:
        SECRET_KEY = Path(SECRET_KEY_FILE).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE cannot be read: {error}") from error
# The key the stored certificate passphrases are encrypted under (common/secrets.py);
# set it so that rotating DJANGO_SECRET_KEY leaves them readable.
SECRETS_KEY = env.str("DJANGO_SECRETS_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
# The project's own translations: Django REST Framework's messages in Vietnamese
# (its own catalog has a few). Compiled by `manage.py catalog_compile`; .po and .mo committed.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["cchc_portal.formats"]

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "django_filters",
    "simple_history",
    "crispy_bootstrap5",
    "tree_queries",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "common",
    "nd30",
    "agencies",
    "schedule",
    "plans",
    "reports",
    "dashboard",
    "par",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: one language (LANGUAGES), which Django uses when none is chosen.
    "django_htmx.middleware.HtmxMiddleware",
    "common.middleware.CleanTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cchc_portal.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cchc_portal.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "cchc_portal.urls"
WSGI_APPLICATION = "cchc_portal.wsgi.application"

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
                "cchc_portal.context_processors.navigation",
            ],
        },
    },
]

# DATABASES
# ------------------------------------------------------------------------------
# PostgreSQL when DATABASE_URL is set (postgres://user@host:5432/name), else
# SQLite under var/ so a bare machine runs the portal with no server.
# DATABASE_POOLER=pgbouncer: PgBouncer in transaction mode stands between the
# portal and PostgreSQL, so a connection is not ours between transactions: no
# server-side cursors (they live across transactions) and no persistent
# connections (PgBouncer pools them). DATABASE_DIRECT_URL, when set, is the
# server itself, for `backup` and `restore` (pg_dump needs a session of its own).
DATABASE_POOLER = env.str("DATABASE_POOLER", default="").strip().lower()
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured(f"Unexpected value DATABASE_POOLER={DATABASE_POOLER!r}; use pgbouncer or leave it empty")
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    if DATABASE_POOLER == "pgbouncer":
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    else:
        DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    # A connection the server or a pooler dropped is replaced before the
    # request uses it, instead of answering one 500 per worker.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # IMMEDIATE: a transaction takes the write lock when it begins, so a
            # second writer waits (up to `timeout`) instead of failing at once
            # with "database is locked" when it upgrades from a read.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DATABASE_DIRECT_URL = env.str("DATABASE_DIRECT_URL", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHE
# ------------------------------------------------------------------------------
# With REDIS_URL every process (gunicorn workers on several machines, Celery)
# shares one cache: the dashboard's fragments, sessions (cached_db), the
# worker's heartbeat. It lives in its own Redis database (REDIS_CACHE_URL,
# default: REDIS_URL's database + 1) so clearing it never touches the broker's
# queues, and its keys carry CACHE_KEY_PREFIX (tests use one per run).
# Without Redis: a per-process memory cache, enough for one machine.
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="") or "cchc"


def _next_redis_db(url: str) -> str:
    """redis://host:6379/3 -> redis://host:6379/4 (a missing number is 0)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    path = parts.path.strip("/")
    number = int(path) if path.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(number + 1) % 16}"))


if env.str("REDIS_URL", default=""):
    REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="") or _next_redis_db(env.str("REDIS_URL"))
    CACHES = {
        "default": {
            "BACKEND": "common.cache.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # A cache that does not answer within a second is treated as down.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": CACHE_KEY_PREFIX}}

# AUTH
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
# Everything is served by the portal itself (whitenoise): government intranets
# are often offline, so no CDN. Third-party assets come from npm packages
# (package.json) installed by `make`.
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    # axe-core (the browser tests' accessibility checks) is added by settings_test only:
    # production does not hash and compress its 9 MB at every collectstatic.
]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("DJANGO_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded evidence is never served as public static files: downloads go
# through permission-checked views.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# SECURITY
# ------------------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # one query less per page
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "cchc_portal.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True

# SECURITY HEADERS
# ------------------------------------------------------------------------------
# HTTPS is on when the cookies are secure (DJANGO_SECURE_COOKIES=true): then
# plain http is redirected (except the health probe, which load balancers ask
# over http) and browsers are told to use HTTPS only (HSTS, one year).
# Behind nginx or a load balancer that terminates TLS, DJANGO_BEHIND_PROXY=true
# trusts its X-Forwarded-Proto header (the proxy must set it, overwriting
# whatever the client sent), else every request would look like http and be
# redirected forever.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
HTTPS = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/.*)?$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
# Only names under the portal's own host (cchc.<province>.gov.vn covers
# *.cchc.<province>.gov.vn), so including them costs nothing.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is off: the preload list takes whole registrable domains, is
# months to leave, and a province's domain hosts other services the portal's
# operators do not own. A portal on its own domain can opt in; check --deploy's
# reminder (W021) is silenced only while it is off by this choice.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): everything from the portal itself, no
# inline script or style (handlers live in static/js, looks in static/css;
# htmx's own indicator <style> is turned off by base.html's htmx-config).
# Scripts may still set element.style, which CSP does not govern.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# EMAIL
# ------------------------------------------------------------------------------
# On a bare machine mail goes to files under var/mail so reminders can be read.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "mail")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng CCHC <no-reply@localhost>")
# Seconds an SMTP server may take to answer: a relay that accepts and never
# answers fails the send fast instead of holding a worker (the notice's claim
# lasts about twice this, see reports.services.notices.claim_timeout).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# CELERY
# ------------------------------------------------------------------------------
# Redis in production (REDIS_URL). Unset: kombu's filesystem transport, which
# needs no server, so `make run` works on a bare machine, reminders included.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
    (VAR_DIR / "celery-results").mkdir(exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery-results'}"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Production retries the broker forever (a Redis restart must not end the
# workers); a developer's machine gives up after 10 tries. An explicit number
# (0 = forever) wins.
_broker_retries = env.str("CELERY_BROKER_CONNECTION_MAX_RETRIES", default="")
CELERY_BROKER_CONNECTION_MAX_RETRIES = (
    (int(_broker_retries) or None) if _broker_retries.strip() else (10 if DEBUG else None)
)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# REMINDERS
# ------------------------------------------------------------------------------
# One daily sweep (Asia/Ho_Chi_Minh). The schedule lives here rather than in
# django-celery-beat's tables: one job, changed by one variable, no extra
# scheduler state to migrate or back up.
REMINDER_HOUR = env.int("REMINDER_HOUR", default=7)
REMINDER_DAYS_BEFORE = [int(d) for d in env.list("REMINDER_DAYS_BEFORE", default=["7", "1"])]
REMINDER_OVERDUE_EVERY_DAYS = env.int("REMINDER_OVERDUE_EVERY_DAYS", default=3)
REMINDER_ESCALATE_AFTER_DAYS = env.int("REMINDER_ESCALATE_AFTER_DAYS", default=7)
REMINDER_RETRY_BACKOFF = env.int("REMINDER_RETRY_BACKOFF", default=5)  # seconds, doubled per retry
# The longest wait between two tries of one notice's e-mail: a notice still
# relevant is tried until sent, whatever its age, at least this often.
REMINDER_RETRY_MAX = env.int("REMINDER_RETRY_MAX", default=3600)
# Quick retries inside the worker; past them the database requeue goes on.
REMINDER_RETRY_BUDGET = env.int("REMINDER_RETRY_BUDGET", default=8)
# How often the requeue enqueues the unsent notices whose time has come.
REMINDER_REQUEUE_SECONDS = env.int("REMINDER_REQUEUE_SECONDS", default=300)
# The health check fails when an unsent notice is older than this.
REMINDER_BACKLOG_ALERT_MINUTES = env.int("REMINDER_BACKLOG_ALERT_MINUTES", default=120)
# Sending a task retries a broker that is briefly away, without holding a
# page for long (notices not enqueued are the requeue's).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BEAT_SCHEDULE = {
    "daily-reminder-sweep": {
        "task": "reports.tasks.reminders_sweep_task",
        "schedule": crontab(hour=REMINDER_HOUR, minute=0),
    },
    # A sweep that failed (database gone midway) runs again within the hour.
    "reminder-sweep-catch-up": {
        "task": "reports.tasks.reminders_sweep_catch_up_task",
        "schedule": crontab(minute=20),
    },
    "requeue-unsent-notices": {
        "task": "reports.tasks.notices_requeue_task",
        "schedule": dt.timedelta(seconds=REMINDER_REQUEUE_SECONDS),
    },
}

# ONBOARDING
# ------------------------------------------------------------------------------
# Days an invitation's set-password link stays valid (users imported in bulk).
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)

# FORMS
# ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # pyHanko's tracebacks for a certificate that does not validate are expected
    # refusals (the user gets the reason): dropped; its errors are kept.
    "filters": {"signature_refusals": {"()": "nd30.log_filters.ExpectedSignatureRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["signature_refusals"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# A plan's review page posts a field per recognised line; a pasted plan may be
# a few hundred KB. Above these, Django answers a bare 400 before any form runs.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

# LOGINS AND AUDIT
# ------------------------------------------------------------------------------
# accounts: the audit log (AuditEvent), lockouts (django-axes), password reset
# by e-mail, the idle timeout and optional TOTP for administrators (django-otp).
# README.md, "Đăng nhập và nhật ký", lists the variables.
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "accounts"]
MIDDLEWARE += [
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the password is checked
    "accounts.backends.CaseInsensitiveModelBackend",  # Django's, forgiving capitals in the e-mail login
]
# Lockout: AXES_FAILURE_LIMIT wrong passwords lock the account (whatever the
# address) and, separately, the address (whatever the account) for
# AXES_COOLOFF_MINUTES; an administrator unlocks earlier in admin
# ("Access attempts": delete the row) or with `manage.py axes_reset`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=30)
AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTES / 60  # hours, as django-axes reads it
# "username,ip_address" locks each separately; "username+ip_address" only the pair
# (gentler for many users behind one office NAT, weaker against spraying).
AXES_LOCKOUT_PARAMETERS = [
    part.split("+") if "+" in part else part
    for part in env.list("AXES_LOCKOUT_PARAMETERS", default=["username", "ip_address"])
]
if not AXES_LOCKOUT_PARAMETERS or any(
    name not in ("username", "ip_address", "user_agent")
    for part in AXES_LOCKOUT_PARAMETERS
    for name in ([part] if isinstance(part, str) else part)
):
    raise ImproperlyConfigured(
        "AXES_LOCKOUT_PARAMETERS: use username, ip_address or user_agent, e.g. username,ip_address"
    )
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_CLIENT_IP_CALLABLE = "accounts.net.client_ip"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # logins and logouts are in accounts.AuditEvent already
# The client's address (lockouts and the audit log): REMOTE_ADDR, unless a
# trusted reverse proxy sits in front (DJANGO_BEHIND_PROXY=true); then the
# right-most entry of DJANGO_CLIENT_IP_HEADER, the one the proxy appended.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
CLIENT_IP_HEADER = env.str("DJANGO_CLIENT_IP_HEADER", default="X-Forwarded-For")
# Sliding idle timeout (0 turns it off); SESSION_COOKIE_AGE stays the absolute cap.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_HOURS", default=24) * 3600
# Django admin's address: "admin/" unless DJANGO_ADMIN_URL says otherwise.
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/").strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("DJANGO_ADMIN_URL must not be empty")
# With this on, admin needs a session verified by TOTP (an administrator
# enrols an authenticator app at /tai-khoan/xac-thuc-hai-buoc/dang-ky/).
ADMIN_REQUIRE_OTP = env_bool("DJANGO_ADMIN_REQUIRE_OTP", False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Cổng CCHC")

# FILE STORAGE
# ------------------------------------------------------------------------------
# Evidence, issued plan documents and anything else kept go through Django's
# storage API: MEDIA_ROOT on local disk by default; S3-compatible object
# storage (MinIO, Ceph, a cloud bucket) when STORAGE_S3_BUCKET is set, so
# several web and worker machines share one store. Files are never served by
# a public URL: downloads stream through permission-checked views.
STORAGE_S3_BUCKET = env.str("STORAGE_S3_BUCKET", default="")
if STORAGE_S3_BUCKET:
    _s3_secret = env.str("STORAGE_S3_SECRET_ACCESS_KEY", default="")
    if not _s3_secret and env.str("STORAGE_S3_SECRET_ACCESS_KEY_FILE", default=""):
        _s3_secret = Path(env.str("STORAGE_S3_SECRET_ACCESS_KEY_FILE")).read_text(encoding="utf-8").strip()
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": env.str("STORAGE_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("STORAGE_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": _s3_secret or None,
            "region_name": env.str("STORAGE_S3_REGION", default="") or None,
            # "path" for MinIO and most self-hosted servers, "virtual" for cloud buckets.
            "addressing_style": env.str("STORAGE_S3_ADDRESSING_STYLE", default="path"),
            "location": env.str("STORAGE_S3_PREFIX", default=""),
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,  # no object is ever public
            "file_overwrite": False,  # a name taken gets a suffix, as on disk
            "max_memory_size": 2 * 1024 * 1024,  # a download above this spools to a temporary file
        },
    }
# Stored files no row names, older than this, are deleted by the weekly sweep
# (`manage.py files_orphans --delete`); younger ones may be an upload under way.
FILES_ORPHAN_GRACE_HOURS = env.int("FILES_ORPHAN_GRACE_HOURS", default=24)
# Retention (`manage.py prune`, daily): expired sessions, notices that are
# done and read bell rows older than this many days. Unsent notices stay.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=365)
CELERY_BEAT_SCHEDULE["weekly-files-orphans"] = {
    "task": "common.tasks.files_orphans_task",
    "schedule": crontab(hour=3, minute=30, day_of_week=0),
    "kwargs": {"grace_hours": FILES_ORPHAN_GRACE_HOURS},
}
CELERY_BEAT_SCHEDULE["daily-prune"] = {
    "task": "reports.tasks.prune_task",
    "schedule": crontab(hour=3, minute=0),
}

# HEALTH
# ------------------------------------------------------------------------------
# /healthz answers "the process is up"; /healthz/ready checks every service
# (database, cache, broker, worker heartbeat, storage, the apps' checks) and
# answers 200 or 503. Statuses only, unless the caller shows HEALTH_TOKEN
# (header X-Health-Token or ?token=) or comes from HEALTH_ALLOWED_IPS (the
# address Django sees: behind nginx that is nginx's, so leave it empty there).
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
HEALTH_ALLOWED_IPS = env.list("HEALTH_ALLOWED_IPS", default=[])
# A beat task writes the worker's heartbeat every minute; older than this, the
# worker (or beat) counts as down.
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=180)
CELERY_BEAT_SCHEDULE["worker-heartbeat"] = {
    "task": "common.tasks.worker_heartbeat",
    "schedule": 60.0,
    "options": {"expires": 55},
}

# DEPLOYMENT
# ------------------------------------------------------------------------------
# collectstatic compresses every static file (gzip for nginx's gzip_static,
# brotli for whitenoise); source maps are only opened by a developer's tools,
# and compressing them took more than half of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# IMPORTS (issue 14): the most units one agency file may hold; past it the
# import is refused with a message (the file is read streaming either way).
AGENCY_IMPORT_MAX_ROWS = env.int("AGENCY_IMPORT_MAX_ROWS", default=5_000)

# REST API (api app, /api/v1/). API tokens of system accounts (issued in the
# admin, accounts/api_tokens.py) and the session login for the browser and the
# documentation pages; the pages' own rules (can()) decide on every object.
# Throttled per token (per user for a session, per address anonymous).
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Cổng kế hoạch tuyên truyền CCHC",
    "DESCRIPTION": (
        "Đọc đơn vị, kế hoạch, kỳ báo cáo, báo cáo và số liệu tổng hợp; đơn vị nhập và nộp báo cáo, "
        "cơ quan nội vụ tiếp nhận hoặc trả lại. Quyền như trên giao diện web."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the refusals it may give (400, 401, 403, 404, 429).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema_hooks.error_responses"],
    # Choice sets that share a field name get names of their own (read endpoints).
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "agencies.models.Agency.Kind",
        "PlanKindEnum": "plans.models.Plan.Kind",
        "PlanStatusEnum": "plans.models.Plan.Status",
        "CounterKindEnum": "plans.models.Counter.Kind",
        "PeriodKindEnum": "schedule.models.ReportingRule.Kind",
        # Report endpoints (api/report_views.py).
        "ReportStatusEnum": "reports.models.Report.Status",
        "ReportLineStateEnum": "reports.models.ReportLine.Progress",
        "ReportEventKindEnum": "reports.models.ReportEvent.Kind",
    },
}
