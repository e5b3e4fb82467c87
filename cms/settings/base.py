"""Settings shared by every environment.

Values that differ between machines come from environment variables; only
``dev`` and ``test`` supply defaults. ``production`` refuses to start without them.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE

from cms.i18n.languages import ADMIN_LANGUAGES, DEFAULT_LANGUAGE, django_languages, lang_info

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "cms"
VAR_DIR = Path(os.environ.get("CMS_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSTALLED_APPS = [
    "cms.users",
    "cms.security",
    "cms.operations",
    "cms.i18n",
    "cms.taxonomy",
    "cms.media",
    "cms.content",
    "cms.editorial",
    "cms.stations",
    "cms.archive",
    "cms.search",
    "cms.reports",
    "cms.ingest",
    "cms.channels",
    "cms.feeds",
    "cms.sharing",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.i18n.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cms.security.two_factor.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.security.middleware.SiteCSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.operations.middleware.MissingFieldMiddleware",
    # Sees the finished page: a Chinese page's own font subset (cms/i18n/han_page_font.py).
    "cms.i18n.han_page_font.HanPageFontMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "cms.i18n.context_processors.content_language",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The database task queue and the web server share the file: wait for locks
    # instead of failing, and use WAL so readers do not block the writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
# Every request is one transaction: a request cut off by a database failure leaves nothing
# half-saved (a publish is all or nothing). Kept connections are checked before reuse, so a
# restarted database server is reconnected to instead of failing the next request.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    # Counts failed logins (admin and station portal) and refuses locked-out ones.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages -------------------------------------------------------------
LANGUAGE_CODE = DEFAULT_LANGUAGE
LANGUAGES = django_languages()
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
WAGTAILADMIN_PERMITTED_LANGUAGES = list(ADMIN_LANGUAGES)
# locales/: the public site's catalogs (checked by check_catalogs); cms/i18n/locale/: the
# Vietnamese admin (Wagtail's own vi catalogs are mostly empty), also for the JS catalogs.
LOCALE_PATHS = [BASE_DIR / "locales", BASE_DIR / "cms" / "i18n" / "locale"]
EXTRA_LANG_INFO = lang_info()
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("CMS_MEDIA_ROOT", VAR_DIR / "media"))
# Fonts subset from the OS's Noto fonts by `manage.py build_fonts` (not committed).
FONT_BUILD_DIR = BASE_DIR / "static" / "fonts"
FONT_SOURCE_DIRS = [Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto")]

AWS_STORAGE_BUCKET_NAME = os.environ.get("CMS_S3_BUCKET", "")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "cms.media.storage.UnicodeS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("CMS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("CMS_S3_REGION") or None,
            "location": os.environ.get("CMS_S3_PREFIX", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # Give up on a store that is down within seconds, not minutes (botocore's
            # defaults: 60 s to connect, 60 s per read, 5 attempts): an editor uploading a
            # master gets the form's error instead of a hung page. See UnicodeS3Storage.
            "connect_timeout": float(os.environ.get("CMS_S3_CONNECT_TIMEOUT", "5")),
            "read_timeout": float(os.environ.get("CMS_S3_READ_TIMEOUT", "60")),
            "max_attempts": int(os.environ.get("CMS_S3_MAX_ATTEMPTS", "3")),
        },
    }
else:
    _default_storage = {"BACKEND": "cms.media.storage.UnicodeFileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Upload limits checked before a file is stored or decoded.
CMS_MEDIA: dict[str, Any] = {
    "MAX_UPLOAD_BYTES": int(os.environ.get("CMS_MAX_UPLOAD_BYTES", 4 * 1024**3)),
    "MAX_DURATION_SECONDS": int(os.environ.get("CMS_MAX_DURATION_SECONDS", 4 * 3600)),
    "MAX_IMAGE_PIXELS": int(os.environ.get("CMS_MAX_IMAGE_PIXELS", 80_000_000)),
    "PROFILE_OVERRIDES": {},
    # Schedule and enqueue renditions when a master is uploaded.
    "AUTO_RENDER": True,
}

# --- Wagtail ----------------------------------------------------------------
WAGTAIL_SITE_NAME = "Cổng thông tin tuyên truyền"
WAGTAILADMIN_BASE_URL = os.environ.get("CMS_BASE_URL", "http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "media.CustomImage"
WAGTAILDOCS_DOCUMENT_MODEL = "media.CustomDocument"
WAGTAILIMAGES_MAX_IMAGE_PIXELS = CMS_MEDIA["MAX_IMAGE_PIXELS"]
WAGTAILDOCS_EXTENSIONS = ["srt", "vtt", "pdf", "txt", "docx", "odt"]
# Documents always go through Wagtail's serve view, where the before_serve_document hook
# (cms/content/wagtail_hooks.py) refuses those no public page uses; never a redirect to, or
# a link straight at, the storage URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatar requests to an outside service (weak links, privacy, and the CSP allows none).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ALLOW_UNICODE_SLUGS = True
# Admin dates are shown and typed day/month/year (cms/content/dates.py reads them).
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
# Wagtail's database backend, with diacritic-folded table lookups for snippets (choosers).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search.admin_backend"}}
WAGTAIL_LOCALIZE_DEFAULT_TRANSLATION_MODE = "synced"
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True

# --- Background tasks ---------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "media"],
    }
}

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CMS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Subsetting fonts logs every table and glyph at INFO.
        "fontTools": {"level": "WARNING"},
    },
}

LOGIN_URL = "wagtailadmin_login"

# --- Security -----------------------------------------------------------------
# Login throttling: after AXES_FAILURE_LIMIT failed logins for one user name from one address,
# that pair is refused for AXES_COOLOFF_TIME (HTTP 429, Vietnamese page).
AXES_FAILURE_LIMIT = int(os.environ.get("CMS_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CMS_LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "cms.security.throttle.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "cms.security.throttle.lockout_response"
AXES_VERBOSE = False

# Two-factor sign-in (cms/security/two_factor.py): available to every admin user; with
# CMS_2FA_REQUIRED=1 (the production default) nobody reaches the admin without it.
WAGTAILADMIN_USER_LOGIN_FORM = "cms.security.two_factor.TwoFactorLoginForm"
CMS_2FA_REQUIRED = os.environ.get("CMS_2FA_REQUIRED", "0") == "1"
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME

# Content Security Policy (django-csp); cms.security.middleware relaxes script-src for the
# admin only. Media may come from the S3 endpoint (presigned URLs) when one is configured.
_media_sources = ["'self'", "data:", "blob:"]
if os.environ.get("CMS_S3_ENDPOINT_URL"):
    _media_sources.append(os.environ["CMS_S3_ENDPOINT_URL"].rstrip("/"))
elif AWS_STORAGE_BUCKET_NAME:
    _media_sources.append("https://*.amazonaws.com")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": _media_sources,
        "media-src": _media_sources,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}
