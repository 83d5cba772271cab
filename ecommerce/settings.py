"""Atelier's only settings module: everything that differs between machines comes from the environment.

With no environment at all it runs embedded (SQLite, local media, a filesystem Celery broker);
DATABASE_URL, REDIS_URL and AWS_STORAGE_BUCKET_NAME switch the same code to PostgreSQL, Redis and S3.
"""
from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ATELIER_VAR_DIR", BASE_DIR / "var"))


def get_bool_from_env(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable, refusing values that are not clearly true or false."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")


def get_list(text: str) -> list[str]:
    """Split a comma-separated environment value into its non-empty items."""
    return [item.strip() for item in text.split(",") if item.strip()]


def get_int_from_env(name: str, default: int) -> int:
    """Read an integer environment variable with a clear error for garbage."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


DEBUG = get_bool_from_env("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for development)")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = get_list(os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver"))
CSRF_TRUSTED_ORIGINS = get_list(os.environ.get("CSRF_TRUSTED_ORIGINS", ""))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "accounts",
    "media",
    "catalog",
    "search",
    "orders",
    "imagestudio",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ecommerce.middleware.drop_unusable_cookies",
    "ecommerce.middleware.refuse_control_characters_in_query",
    "ecommerce.middleware.content_security_policy",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Per-shopper holes in cached storefront pages (CSRF token, cart count); after CSRF so its cookie is set.
    "catalog.storefront_cache.fill_per_request_slots",
]

ROOT_URLCONF = "ecommerce.urls"

# Every log-in (admin form, API token, shop) goes through the throttle and the audit trail (accounts.login_guard).
AUTHENTICATION_BACKENDS = ["accounts.backends.GuardedModelBackend"]
LOGIN_MAX_FAILURES_PER_USERNAME = get_int_from_env("LOGIN_MAX_FAILURES_PER_USERNAME", 5)
LOGIN_MAX_FAILURES_PER_ADDRESS = get_int_from_env("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
LOGIN_FAILURE_WINDOW = get_int_from_env("LOGIN_FAILURE_WINDOW", 900)
LOGIN_LOCKOUT_SECONDS = get_int_from_env("LOGIN_LOCKOUT_SECONDS", 60)
LOGIN_LOCKOUT_MAX_SECONDS = get_int_from_env("LOGIN_LOCKOUT_MAX_SECONDS", 3600)
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 (default): the header is
# ignored and REMOTE_ADDR is the client; with N, the client is the N-th address from the right.
TRUSTED_PROXY_COUNT = get_int_from_env("TRUSTED_PROXY_COUNT", 0)
WSGI_APPLICATION = "ecommerce.wsgi.application"

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
                "catalog.context_processors.storefront",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=get_int_from_env("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    # Connections are kept (DB_CONN_MAX_AGE, as for PostgreSQL): opening one runs the PRAGMAs above and
    # forgets SQLite's prepared statements, ~2 ms of a page's CPU (bench/api.py measured it in a gunicorn worker).
    # A file, not :memory:, so that a real Celery worker started by the tests sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
def _cache_redis_url(broker_url: str) -> str:
    """The cache's own Redis database: REDIS_CACHE_URL, else the broker's server with the next db number.

    Cache and broker never share a database, so neither a cache clear nor cache eviction touches queued jobs.
    """
    explicit = os.environ.get("REDIS_CACHE_URL", "")
    if explicit:
        return explicit
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(broker_url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{db - 1 if db == 15 else db + 1}"))


if REDIS_URL:
    # Fails open: with Redis down pages are served uncached (ecommerce/cache.py).
    CACHES = {"default": {"BACKEND": "ecommerce.cache.FailOpenRedisCache", "LOCATION": _cache_redis_url(REDIS_URL)}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Storefront pages are cached this long (0 = off); catalog writes invalidate them at once via a version key
# (with a per-process LocMemCache, another process's write is only seen once this TTL runs out).
STOREFRONT_CACHE_SECONDS = get_int_from_env("STOREFRONT_CACHE_SECONDS", 30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    # Shoppers sign up themselves: refuse the passwords every attacker tries first.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

# Media: local files by default; S3 (django-storages) when AWS_STORAGE_BUCKET_NAME is set.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME", "us-east-1")
AWS_QUERYSTRING_EXPIRE = get_int_from_env("AWS_QUERYSTRING_EXPIRE", 3600)
AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE") or None
AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None  # a CDN in front of the public objects
# ACL for public renditions; set AWS_PUBLIC_ACL="" for buckets that forbid ACLs (use a bucket policy on public/).
AWS_PUBLIC_ACL = os.environ.get("AWS_PUBLIC_ACL", "public-read") or None
INGEST_MAX_BYTES = get_int_from_env("INGEST_MAX_BYTES", 25 * 1024 * 1024)
INGEST_MAX_PIXELS = get_int_from_env("INGEST_MAX_PIXELS", 50_000_000)
# The storefront's floor for merchant uploads (short side, px) and the width below which they get a warning.
INGEST_MIN_SIDE = get_int_from_env("INGEST_MIN_SIDE", 100)
INGEST_SHARP_WIDTH = get_int_from_env("INGEST_SHARP_WIDTH", 640)
MEDIA_PRIVATE_URL_EXPIRE = get_int_from_env("MEDIA_PRIVATE_URL_EXPIRE", AWS_QUERYSTRING_EXPIRE)
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as _BotoConfig

    _S3_COMMON = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": AWS_S3_ENDPOINT_URL,
        "region_name": AWS_S3_REGION_NAME,
        "addressing_style": AWS_S3_ADDRESSING_STYLE,
        "file_overwrite": False,
        # Transient S3 errors (500/503, throttling, dropped connections) are retried with exponential backoff.
        "client_config": _BotoConfig(
            retries={"mode": "standard", "max_attempts": get_int_from_env("AWS_S3_MAX_ATTEMPTS", 5)},
            connect_timeout=5, read_timeout=30),
    }
    _MEDIA_STORAGES = {
        # Originals and studio output: private objects, reachable only through presigned URLs.
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            **_S3_COMMON, "location": "private", "default_acl": "private",
            "querystring_auth": True, "querystring_expire": MEDIA_PRIVATE_URL_EXPIRE,
        }},
        # Published renditions: immutable keys, so browsers and CDNs may keep them for a year.
        "public": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            **_S3_COMMON, "location": "public", "default_acl": AWS_PUBLIC_ACL, "querystring_auth": False,
            "custom_domain": AWS_S3_CUSTOM_DOMAIN,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        }},
    }
else:
    _MEDIA_STORAGES = {
        "default": {"BACKEND": "media.storage.PrivateFileSystemStorage"},
        "public": {"BACKEND": "media.storage.PublicFileSystemStorage"},
    }
STORAGES = {
    **_MEDIA_STORAGES,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Celery: a real broker between real processes in both modes, JSON only.
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": get_int_from_env("CELERY_VISIBILITY_TIMEOUT", 3600),
                                       "socket_connect_timeout": 2}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        "visibility_timeout": get_int_from_env("CELERY_VISIBILITY_TIMEOUT", 3600),
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Two queues: `default` (light work, renditions) and `ml` (anything that may load TensorFlow).
CELERY_TASK_QUEUES = {"default": {"exchange": "default", "routing_key": "default"}, "ml": {"exchange": "ml", "routing_key": "ml"}}
CELERY_TASK_ROUTES = {"imagestudio.sweep_jobs": {"queue": "default"}, "imagestudio.dispatch_outbox": {"queue": "default"},
                      "search.embed_image": {"queue": "ml"}}
# A task is acknowledged only when it finished; a killed worker's task goes back to the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = get_int_from_env("CELERY_WORKER_PREFETCH_MULTIPLIER", 1)
# Studio jobs: soft limit < hard limit < broker visibility timeout, so a slow job is stopped
# before the broker would hand the same message to a second worker.
STUDIO_TASK_SOFT_TIME_LIMIT = get_int_from_env("STUDIO_TASK_SOFT_TIME_LIMIT", 240)
STUDIO_TASK_TIME_LIMIT = get_int_from_env("STUDIO_TASK_TIME_LIMIT", 300)
STUDIO_HEARTBEAT_SECONDS = get_int_from_env("STUDIO_HEARTBEAT_SECONDS", 5)  # 0: no heartbeat thread
STUDIO_LEASE_SECONDS = get_int_from_env("STUDIO_LEASE_SECONDS", 30)  # no heartbeat this long: worker presumed dead
STUDIO_MAX_ATTEMPTS = get_int_from_env("STUDIO_MAX_ATTEMPTS", 3)
STUDIO_PROGRESS_INTERVAL = float(os.environ.get("STUDIO_PROGRESS_INTERVAL", "0.5"))  # seconds between progress writes
STUDIO_SWEEP_INTERVAL = get_int_from_env("STUDIO_SWEEP_INTERVAL", 60)
STUDIO_DISPATCH_INTERVAL = get_int_from_env("STUDIO_DISPATCH_INTERVAL", 10)
# A job still queued this long after it was sent is sent again (a broker that lost its messages).
STUDIO_RESEND_AFTER = get_int_from_env("STUDIO_RESEND_AFTER", 600)
CELERY_BEAT_SCHEDULE = {
    "studio-sweep-stuck-jobs": {"task": "imagestudio.sweep_jobs", "schedule": float(STUDIO_SWEEP_INTERVAL)},
    # The outbox: jobs (and rendition tasks) that did not reach the broker, or that the broker lost.
    "studio-dispatch-outbox": {"task": "imagestudio.dispatch_outbox", "schedule": float(STUDIO_DISPATCH_INTERVAL)},
}
if not STUDIO_TASK_SOFT_TIME_LIMIT < STUDIO_TASK_TIME_LIMIT < CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]:
    raise ImproperlyConfigured(
        "Need STUDIO_TASK_SOFT_TIME_LIMIT < STUDIO_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT, got "
        f"{STUDIO_TASK_SOFT_TIME_LIMIT}, {STUDIO_TASK_TIME_LIMIT}, {CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout']}"
    )
if STUDIO_HEARTBEAT_SECONDS and STUDIO_LEASE_SECONDS < 2 * STUDIO_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("STUDIO_LEASE_SECONDS must be at least twice STUDIO_HEARTBEAT_SECONDS")

LOGIN_URL = "admin:login"

# REST API (api/): token auth first so that anonymous requests get 401 with WWW-Authenticate.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "api.authentication.SafeSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON everywhere; the upload endpoints add multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserScopedRateThrottle"],
    # Without it DRF identifies anonymous clients by the raw X-Forwarded-For, which anyone can change.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "uploads": os.environ.get("API_RATE_UPLOADS", "120/hour"),
        "studio_jobs": os.environ.get("API_RATE_STUDIO_JOBS", "60/hour"),
        "auth": os.environ.get("API_RATE_AUTH", "30/min"),
        # Search by photo (anonymous allowed): each request runs the embedding network.
        "photo_search": os.environ.get("API_RATE_PHOTO_SEARCH", "30/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_PUBLIC_MAX_AGE = get_int_from_env("API_PUBLIC_MAX_AGE", 60)
SPECTACULAR_SETTINGS = {
    "TITLE": "Atelier API",
    "DESCRIPTION": "Public catalog, merchant products and photo studio, and the reviewer queue.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ProductStatusEnum": "catalog.models.Product.Status",
        "StudioJobStatusEnum": "imagestudio.models.StudioJob.Status",
        "StudioResultStatusEnum": "imagestudio.models.StudioResult.Status",
        "OrderStatusEnum": "orders.models.Order.Status",
        "OrderPartStatusEnum": "orders.models.OrderPart.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Production behind TLS (README, "Production"): SECURE_COOKIES=1, SECURE_SSL_REDIRECT=1,
# SECURE_HSTS_SECONDS=31536000 and, behind a proxy that terminates TLS, SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto
# (only when that proxy always sets or overwrites the header: a client could send it otherwise).
if not DEBUG:
    SESSION_COOKIE_SECURE = get_bool_from_env("SECURE_COOKIES", False)
    CSRF_COOKIE_SECURE = get_bool_from_env("SECURE_COOKIES", False)
SECURE_SSL_REDIRECT = get_bool_from_env("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = get_int_from_env("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = get_bool_from_env("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = get_bool_from_env("SECURE_HSTS_PRELOAD", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (ecommerce.middleware.content_security_policy): our own
# scripts only, no inline script or handler; inline style attributes (widths of progress bars, colour
# swatches, blurred placeholders) are allowed. Media hosts (S3 / a CDN) are added from the storage settings.
CSP_EXTRA_IMG_SOURCES = get_list(os.environ.get("CSP_EXTRA_IMG_SOURCES", ""))

# Orders and email. `make run` prints mails to the console; set EMAIL_HOST (and EMAIL_BACKEND) for SMTP.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST") else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = get_int_from_env("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = get_bool_from_env("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Atelier <orders@atelier.example>")
ORDERS_PAYMENT_PROVIDERS = get_list(os.environ.get("ORDERS_PAYMENT_PROVIDERS", "orders.payments.ManualPaymentProvider"))
ORDERS_BANK_IBAN = os.environ.get("ORDERS_BANK_IBAN", "")
