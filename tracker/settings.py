"""Settings for the migration-diplomacy news tracker, read from the environment.

With nothing set, the app runs on its embedded defaults: SQLite under var/, Celery tasks
run in-process, no network needed. See the README for every variable.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _read_env_file(path: Path) -> None:
    """KEY=VALUE lines of a local, git-ignored .env; the real environment wins over it.

    `make run` writes one with a generated secret key, so that every command in the README
    works in that checkout. TRACKER_ENV_FILE names another file, or none when empty.
    """
    if not path.is_file():
        return
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ImproperlyConfigured(f"{path.name} line {number} is not KEY=VALUE: {raw!r}")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_env_file = os.getenv("TRACKER_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    _read_env_file(Path(_env_file))

VAR_DIR = Path(os.getenv("TRACKER_VAR_DIR", BASE_DIR / "var"))

# Shown in export headers and their citation sidecars.
TRACKER_VERSION = "0.1.0"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def envbool(name: str, default: bool = False) -> bool:
    """A yes/no variable; a value it does not know stops start-up instead of meaning "no"."""
    raw = os.getenv(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value: use one of 1, true, yes, on, 0, false, no, off."
    )


def _number(name: str, default: float, kind: type[int] | type[float]) -> float:
    raw = os.getenv(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ImproperlyConfigured(f"{name}={raw!r} is not {what}.") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name}={raw!r} must not be negative.")
    return value


def envint(name: str, default: int) -> int:
    return int(_number(name, default, int))


def envfloat(name: str, default: float) -> float:
    return float(_number(name, default, float))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def envints(name: str, default: str) -> list[int]:
    """A comma-separated list of whole numbers, none negative; anything else stops start-up."""
    items = envlist(name, default)
    if not all(item.isascii() and item.isdigit() for item in items):
        raise ImproperlyConfigured(
            f"{name}={os.getenv(name, default)!r} is not a comma-separated list of whole numbers."
        )
    return [int(item) for item in items]


DEBUG = envbool("DJANGO_DEBUG")

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it, or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_celery_beat",
    "axes",
    "summits",
    "articles",
    # Beside the product: the offline demo (load_demo) and the benchmark corpus (generate_data).
    "demo",
    "bench",
]

MIDDLEWARE = [
    # /healthz and /readyz answer first: probes come over plain HTTP to 127.0.0.1.
    "tracker.health.health_probes",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tracker.middleware.language_from_browser",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tracker.middleware.content_security_policy",
    "tracker.middleware.login_required_when_private",
    "tracker.middleware.RefuseBadParameters",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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

# Database: SQLite under var/ unless DATABASE_URL points elsewhere.
DATABASE_URL = os.getenv("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # JIT compiling spent 400 ms on a 250 ms page query: pages run short queries.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "tracker.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve PostgreSQL; SQLite builds them without the extra columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# The cache holds the export rate limit's counters, so it is shared by every web process:
# a table in the database (made by `migrate`) unless TRACKER_CACHE_URL names a Redis.
TRACKER_CACHE_URL = os.getenv("TRACKER_CACHE_URL", "")
CACHE_TABLE = "tracker_cache"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": TRACKER_CACHE_URL,
    }
    if TRACKER_CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": CACHE_TABLE,
        # Past this many rows, expired ones are deleted, then a third of the rest. Each export
        # of the last minute holds a row; the default 300 would drop live counts under load.
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}

# Behind a reverse proxy every request comes from the proxy's address. Name the header the
# proxy writes the client's address into (X-Forwarded-For, X-Real-IP) and how many proxies
# in a row append to it; the address that many places from the right end is the client's.
# Unset, the address of the connection is used: a client could write anything in a header.
TRACKER_CLIENT_IP_HEADER = os.getenv("TRACKER_CLIENT_IP_HEADER", "").strip()
if TRACKER_CLIENT_IP_HEADER and not re.fullmatch(r"[A-Za-z0-9-]+", TRACKER_CLIENT_IP_HEADER):
    raise ImproperlyConfigured(
        f"TRACKER_CLIENT_IP_HEADER={TRACKER_CLIENT_IP_HEADER!r} is not a header name."
    )
TRACKER_TRUSTED_PROXY_COUNT = envint("TRACKER_TRUSTED_PROXY_COUNT", 1)
if TRACKER_TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRACKER_TRUSTED_PROXY_COUNT must be 1 or more.")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login attempts: an address is locked for an hour after this many failures, whatever user
# names they tried (so one address cannot try a few passwords on every account); a success
# does not clear the count. The address is the client's, as for the export rate limit.
AXES_FAILURE_LIMIT = envint("TRACKER_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "articles.reading.filters.client_address"

# The public pages speak English (unprefixed URLs), Spanish (/es/...) and French (/fr/...);
# the admin and the CSV files stay in English. Catalogs live in locale/ (see README).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["tracker.formats"]
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
LOGIN_URL = "admin:login"

# Security headers. HTTPS settings apply when DEBUG is off; TRACKER_BEHIND_TLS_PROXY tells
# Django to trust X-Forwarded-Proto from the proxy in front of gunicorn.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Read even in debug, so a typo stops start-up wherever it is made.
_ssl_redirect = envbool("TRACKER_SSL_REDIRECT", True)
_hsts_seconds = envint("TRACKER_HSTS_SECONDS", 31536000)
if not DEBUG:
    SECURE_SSL_REDIRECT = _ssl_redirect
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if envbool("TRACKER_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Pages and exports are public unless this is set; then they need a logged-in user.
TRACKER_REQUIRE_LOGIN = envbool("TRACKER_REQUIRE_LOGIN")
TRACKER_EXPORT_RATE_LIMIT = envint("TRACKER_EXPORT_RATE_LIMIT", 30)  # per client per minute
# Auto-tags below this confidence wait in the editors' review queue.
TRACKER_REVIEW_THRESHOLD = envfloat("TRACKER_REVIEW_THRESHOLD", 0.8)
# This share of the tags at or above it joins the queue too, so editors keep measuring them.
TRACKER_REVIEW_SAMPLE = envfloat("TRACKER_REVIEW_SAMPLE", 0.02)
# Discovery: how many articles a proposed person or alias, and a proposed meeting, need before
# editors see them; and how long after a feed run discovery waits for more (the debounce).
TRACKER_DISCOVERY_MIN_ARTICLES = envint("TRACKER_DISCOVERY_MIN_ARTICLES", 2)
TRACKER_DISCOVERY_MIN_MEETING_ARTICLES = envint("TRACKER_DISCOVERY_MIN_MEETING_ARTICLES", 1)
TRACKER_DISCOVERY_DELAY_SECONDS = envint("TRACKER_DISCOVERY_DELAY_SECONDS", 300)

# Fetching. The private-network guard is on unless explicitly turned off (tests, offline demo).
TRACKER_ALLOW_PRIVATE_NETWORKS = envbool("TRACKER_ALLOW_PRIVATE_NETWORKS")
# `address:port` pairs let through the guard: the offline demo and tests set it; keep it empty.
TRACKER_FETCH_ALLOW_ADDRESSES = envlist("TRACKER_FETCH_ALLOW_ADDRESSES")
TRACKER_USER_AGENT = os.getenv(
    "TRACKER_USER_AGENT",
    "MigrationDiplomacyTracker/0.1 (+https://github.com/migration-diplomacy-tracker)",
)
TRACKER_CONNECT_TIMEOUT = envfloat("TRACKER_CONNECT_TIMEOUT", 5.0)
TRACKER_READ_TIMEOUT = envfloat("TRACKER_READ_TIMEOUT", 15.0)
TRACKER_TOTAL_TIMEOUT = envfloat("TRACKER_TOTAL_TIMEOUT", 30.0)
TRACKER_MAX_BODY_BYTES = envint("TRACKER_MAX_BODY_BYTES", 5 * 1024 * 1024)
TRACKER_MAX_REDIRECTS = envint("TRACKER_MAX_REDIRECTS", 5)
TRACKER_FETCH_PAGES = envbool("TRACKER_FETCH_PAGES", True)
# Feed schedule: intervals follow the publishing pace within these bounds (seconds); a feed is
# disabled after this many failures in a row.
TRACKER_FEED_MIN_INTERVAL = envint("TRACKER_FEED_MIN_INTERVAL", 300)
TRACKER_FEED_MAX_INTERVAL = envint("TRACKER_FEED_MAX_INTERVAL", 86400)
TRACKER_FEED_MAX_FAILURES = envint("TRACKER_FEED_MAX_FAILURES", 10)
# Entries handled per feed fetch, newest first; the rest wait for the next fetches.
TRACKER_FEED_MAX_ENTRIES = envint("TRACKER_FEED_MAX_ENTRIES", 1000)
# Seconds before each new try of a page that failed for a reason that may pass (a timeout, a
# 5xx); one try more than there are delays, then the article is marked failed.
TRACKER_PAGE_RETRY_DELAYS = envints("TRACKER_PAGE_RETRY_DELAYS", "600,3600,21600")
# Raw feed and page bytes kept for reprocessing are cut at this size (before compression).
TRACKER_RAW_MAX_BYTES = envint("TRACKER_RAW_MAX_BYTES", TRACKER_MAX_BODY_BYTES)

# Celery: in-process and synchronous unless a broker is configured.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 180)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = envint("CELERY_WORKER_MAX_TASKS_PER_CHILD", 500)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this long; longer than the hard limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every periodic job is declared here; the database scheduler copies them into its tables.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "queue-due-feeds": {
        "task": "articles.ingestion.tasks.feeds_queue_due_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "queue-due-pages": {
        "task": "articles.ingestion.tasks.pages_queue_due_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("TRACKER_LOG_LEVEL", "INFO")},
    "loggers": {
        "trafilatura": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
