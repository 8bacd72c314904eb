"""Settings of the live-commerce recommendation platform.

Everything comes from environment variables through the typed readers in
``console.env``. The defaults give the embedded run: SQLite, an in-process cache and a
Celery transport on the file system, so a new machine needs no service at all.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from console.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)

# Only ever used with DEBUG on; production refuses to start without SECRET_KEY.
_DEV_SECRET = "embedded-debug-only-secret-key-never-used-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else None, required=not DEBUG)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured(
        "Environment variable SECRET_KEY must be set in production."
    )

# Viewers are known to the engine only by HMAC(platform user id, this key) (clause 7.2).
PSEUDONYM_KEY = env_str(
    "PSEUDONYM_KEY",
    "embedded-debug-pseudonym-key" if DEBUG else None,
    required=not DEBUG,
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "recengine",
    "recengine.trust",
    "recengine.moderation",
    "audits",
    "console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "recengine.markers.MarkerScopeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", DATA_DIR / "platform.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file rather than memory, so that servers a test starts see the test database;
    # the pid keeps concurrent test runs on one machine apart.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"lcr-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS = env_redis("REDIS_URL")
if REDIS:
    CACHES = {
        "default": {
            "BACKEND": "console.cache.RedisCache",
            "LOCATION": REDIS.url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.js comes from the installed plotly package, so pages work offline.
    "console.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "recengine.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "recengine.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Live-commerce recommendation API",
    "DESCRIPTION": "Integration, recommendation and viewer-rights endpoints (T/CMBN).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ModerationContentKindEnum": "recengine.moderation.models.ContentKind",
        "ModerationCaseStatusEnum": "recengine.moderation.models.CaseStatus",
        "ModerationAppealStatusEnum": "recengine.moderation.models.AppealStatus",
        "AigcCaseStatusEnum": "recengine.moderation.models.AigcCaseStatus",
        "ItemKindEnum": ["live_room", "product"],
        "TrustTargetKindEnum": "recengine.trust.models.TargetKind",
        "ViolationKindEnum": "recengine.trust.models.ViolationKind",
    },
}

# An event batch larger than this is refused whole with a clear 400.
EVENT_BATCH_MAX_ROWS = env_int("EVENT_BATCH_MAX_ROWS", 5000, minimum=1)

# "Not interested" (clause 6.3.3): days a rejected item stays hidden from the viewer,
# and the half-life in days over which its anchor, merchant and category recover.
NOT_INTERESTED_DAYS = env_int("NOT_INTERESTED_DAYS", 30, minimum=1)
NOT_INTERESTED_HALF_LIFE_DAYS = env_int("NOT_INTERESTED_HALF_LIFE_DAYS", 7, minimum=1)

# Key of the HMAC that signs implicit AIGC labels over the content hash (clause 6.4,
# GB 45438-2025). Changing it turns every stored signature into "tampered".
AIGC_SIGNING_KEY = env_str(
    "AIGC_SIGNING_KEY",
    "embedded-debug-aigc-signing-key" if DEBUG else None,
    required=not DEBUG,
)
# Largest file the AIGC declaration tool accepts; larger uploads are refused whole.
AIGC_MAX_UPLOAD_BYTES = env_int("AIGC_MAX_UPLOAD_BYTES", 2 * 1024 * 1024, minimum=1)

# Callables that each return a governance PolicyPart; the publisher merges them.
POLICY_SOURCES = [
    "recengine.trust.policy_source.collect",
    "recengine.moderation.policy_source.collect",
]

# Exposures of served responses wait in memory at most this long before a background
# thread writes them in one batch, so a request never waits for the database. A crash
# of a web worker loses at most this window of exposures; 0 writes them with each
# response instead.
EXPOSURE_FLUSH_MS = env_int("EXPOSURE_FLUSH_MS", 500, minimum=0)

# Celery: Redis when configured, otherwise a broker on the local file system.
_BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", REDIS.url if REDIS else "filesystem://"
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        # Without it kombu keeps its broadcast mailboxes in the working directory.
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SYNC_EVERY = 1

# Security: strict unless debugging; each can be relaxed by its variable.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Load balancers and container probes speak plain HTTP to the health check.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
