"""Production: everything from the environment; refuse to start without secrets or with weak
security values (see ``refuse_weak_values``)."""

import logging
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .base import *


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"Environment variable {name} is required in production.")
    return value


DEBUG = False
SECRET_KEY = required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [required("DJANGO_ALLOWED_HOSTS")]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
DATABASES = {"default": dj_database_url.parse(required("DATABASE_URL"), conn_max_age=60)}
DATABASES["default"]["ATOMIC_REQUESTS"] = True  # as in base
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everyone who can reach the admin signs in with a second factor unless explicitly disabled.
CMS_2FA_REQUIRED = os.environ.get("CMS_2FA_REQUIRED", "1") == "1"

# Weak values are refused unless each relaxed check is named in CMS_ALLOW_INSECURE
# (comma-separated; docs/deployment.md), which then only logs a warning.
INSECURE_CHECKS = ("secret_key", "hosts", "2fa", "hsts")
HSTS_MINIMUM_SECONDS = 31536000


def refuse_weak_values() -> None:
    allowed = {name.strip() for name in os.environ.get("CMS_ALLOW_INSECURE", "").split(",")}
    allowed.discard("")
    unknown = sorted(allowed - set(INSECURE_CHECKS))
    if unknown:
        raise ImproperlyConfigured(
            f"CMS_ALLOW_INSECURE names unknown checks {unknown}; "
            f"known: {', '.join(INSECURE_CHECKS)}."
        )
    weak = {
        "secret_key": (
            len(SECRET_KEY) < 50
            or len(set(SECRET_KEY)) < 5
            or SECRET_KEY.startswith("django-insecure")
        )
        and "DJANGO_SECRET_KEY is weak: use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')",
        "hosts": "*" in ALLOWED_HOSTS
        and "DJANGO_ALLOWED_HOSTS contains '*': list the site's host names",
        "2fa": not CMS_2FA_REQUIRED
        and "CMS_2FA_REQUIRED is off: everyone who can reach the admin must use a second factor",
        "hsts": SECURE_HSTS_SECONDS < HSTS_MINIMUM_SECONDS
        and f"DJANGO_HSTS_SECONDS is {SECURE_HSTS_SECONDS}: "
        f"at least {HSTS_MINIMUM_SECONDS} (1 year)",
    }
    for check, problem in weak.items():
        if not problem:
            continue
        if check in allowed:
            logging.getLogger("cms.settings").warning(
                "Insecure production setting accepted (CMS_ALLOW_INSECURE=%s): %s", check, problem
            )
        else:
            raise ImproperlyConfigured(
                f"{problem}. Refusing to start; to accept this deliberately (never on a public "
                f"server) set CMS_ALLOW_INSECURE={check}."
            )


refuse_weak_values()

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cms@localhost")
# Who receives alerts (fixity, package checks): required, as is the archive's contact
# (CMS_ARCHIVE_OAI_ADMIN_EMAILS, else these): system check archive.E001-E003.
ADMINS = [("", address) for address in env_list("DJANGO_ADMINS")]
CMS_ARCHIVE_CONTACTS_REQUIRED = True

CMS_STATIONS = {
    "ACCEL_REDIRECT_PREFIX": os.environ.get("CMS_ACCEL_REDIRECT_PREFIX") or None,
    "ALERT_EMAILS": env_list("CMS_STATIONS_ALERT_EMAILS"),
    # nchan's loopback publisher (deploy/nginx/cms.conf); empty: no push, stations poll.
    "PUSH_PUBLISH_URL": os.environ.get("CMS_STATIONS_PUSH_PUBLISH_URL") or None,
}
# Shared by every gunicorn worker (station token rate limiting); run `createcachetable`.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cms_cache",
        # Django's default (300 entries) is less than one per station: every station's cached
        # package list and failed-token counter would be culled before its next poll.
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CMS_CACHE_MAX_ENTRIES", 50000))},
    }
}

# One JSON object per line on stderr (for journald, Loki, Elasticsearch …); non-ASCII kept.
LOGGING["formatters"]["json"] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    "json_ensure_ascii": False,
}
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("CMS_LOG_FORMAT", "json")
