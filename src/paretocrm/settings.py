"""Django settings, read from the environment with safe defaults.

Environment variables:
    DATABASE_URL          e.g. postgresql://postgres@127.0.0.1:5432/paretocrm; default SQLite
    PARETOCRM_DATA_DIR    where the SQLite database, uploads and reports live
    SECRET_KEY            required when DEBUG is off and PARETOCRM_ENV=production
    PARETOCRM_DEBUG       "1" to turn on Django debug pages (never in production)
    PARETOCRM_LANGUAGE    default interface language: zh-hans, zh-hant or en
    PARETOCRM_ENV         "production" turns on the hardened profile
    PARETOCRM_ALLOWED_HOSTS comma-separated host names
    PARETOCRM_SCORING_AT  daily time of the scheduled scoring run (HH:MM, local) or "off"
    PARETOCRM_DIGEST_AT   daily time of each person's digest e-mail (HH:MM, local) or "off"
    PARETOCRM_KEEP_SCORE_RUNS  if set, successful score runs kept in full (at least 1);
                          unset (default): the score history is kept for ever
    PARETOCRM_KEEP_MONTHLY_SCORE_RUNS  with a limit set, months for which one run per month
                          is also kept (default 12, 0 = none); see
                          insights.services.prune_score_runs
    PARETOCRM_MIN_DATE, PARETOCRM_MAX_DATE, PARETOCRM_MAX_AMOUNT, PARETOCRM_MAX_QUANTITY
                          business ranges of dates, amounts and quantities (core.bounds)
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes"}


def default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "paretocrm"


DATA_DIR = Path(os.environ.get("PARETOCRM_DATA_DIR") or default_data_dir())
PRODUCTION = os.environ.get("PARETOCRM_ENV", "").lower() == "production"
DEBUG = _env_bool("PARETOCRM_DEBUG") and not PRODUCTION

_PLACEHOLDER_SECRET = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PARETOCRM_ENV=production.")
    SECRET_KEY = _PLACEHOLDER_SECRET
elif PRODUCTION and (SECRET_KEY == _PLACEHOLDER_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY is a placeholder or shorter than 50 characters.")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("PARETOCRM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "paretocrm.users.admin_apps.PolicyAdminConfig",  # django.contrib.admin asking the role policy
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "paretocrm.core",
    "paretocrm.users",
    "paretocrm.customers",
    "paretocrm.sales",
    "paretocrm.service",
    "paretocrm.marketing",
    "paretocrm.knowledge",
    "paretocrm.imports",
    "paretocrm.insights",
    "paretocrm.audit",
    "paretocrm.work",
    "paretocrm.demo",
    "paretocrm.portal",
    "paretocrm.jobs",
    "paretocrm.assistant",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the 503 middleware, so that the database-down page gets the policy too.
    "paretocrm.core.middleware.ContentSecurityPolicyMiddleware",
    "paretocrm.core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "paretocrm.users.middleware.IdleTimeoutMiddleware",
    "paretocrm.audit.middleware.AuditContextMiddleware",
    # Portal users (customers) never reach staff pages or the staff API (issue 8).
    "paretocrm.portal.middleware.PortalBoundaryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Content-Security-Policy of every answer (core.middleware): scripts only from this server
# and never inline; styles may be inline (style attributes, Plotly's and htmx's styles);
# images also as data: URIs (Swagger UI, Plotly's exports). Nothing loads from a CDN.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

ROOT_URLCONF = "paretocrm.urls"
WSGI_APPLICATION = "paretocrm.wsgi.application"

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

# SQLite pragmas: WAL lets pages read while a scoring run writes; synchronous=FULL keeps
# committed orders through a power cut; IMMEDIATE transactions take the write lock up front
# so two writers queue on busy_timeout instead of failing with "database is locked".
SQLITE_INIT_COMMAND = (
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
    "PRAGMA busy_timeout=30000;"
)


def database_config(url: str | None) -> dict[str, object]:
    """Database settings for a DATABASE_URL, or embedded SQLite in DATA_DIR."""
    if not url:
        url = f"sqlite:///{DATA_DIR / 'paretocrm.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": SQLITE_INIT_COMMAND,
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    else:
        config["CONN_MAX_AGE"] = int(os.environ.get("PARETOCRM_CONN_MAX_AGE", "60"))
        config["CONN_HEALTH_CHECKS"] = True
        # PostgreSQL's JIT compiler pays off for long analytical queries, not for a page's
        # short ones: on the 100k-customer list it spent 50 ms compiling a 20 ms count (B7).
        # The scoring run reads the database through ADBC, with its own connection.
        options = dict(config.get("OPTIONS") or {})
        options.setdefault("options", "-c jit=off")
        config["OPTIONS"] = options
    return config


DATABASES = {"default": database_config(os.environ.get("DATABASE_URL"))}

# Background jobs: a queue table in the same database, run by `paretocrm worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job renews its lease this often over; one whose process is gone is failed
# (jobs.services.sweep_lost_jobs). Same host: at once, by its pid; another host: on expiry.
JOB_LEASE_SECONDS = int(os.environ.get("PARETOCRM_JOB_LEASE_SECONDS", "40"))


def _daily_time(value: str, name: str = "PARETOCRM_SCORING_AT") -> dt.time | None:
    """A daily time setting: "HH:MM" local time, or "off" for none."""
    if value.strip().lower() in {"", "off", "none"}:
        return None
    try:
        return dt.time.fromisoformat(value.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be HH:MM or off, not {value!r}") from error


SCORING_AT = _daily_time(os.environ.get("PARETOCRM_SCORING_AT", "02:00"))
# Each person's daily digest e-mail (work.digest); after the night's scoring run.
DIGEST_AT = _daily_time(os.environ.get("PARETOCRM_DIGEST_AT", "07:30"), "PARETOCRM_DIGEST_AT")


def _env_count(name: str, default: int | None, minimum: int) -> int | None:
    """A whole number of at least ``minimum`` from the environment variable ``name``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number >= {minimum}, not {value!r}")
    return number


# Score snapshots are history (append-only, ARCHITECTURE.md): kept for ever unless the
# operator sets a limit; then insights.services.prune_score_runs keeps the last
# KEEP_SCORE_RUNS successful runs plus the last run of each of KEEP_MONTHLY_SCORE_RUNS months.
KEEP_SCORE_RUNS = _env_count("PARETOCRM_KEEP_SCORE_RUNS", None, minimum=1)
KEEP_MONTHLY_SCORE_RUNS = _env_count("PARETOCRM_KEEP_MONTHLY_SCORE_RUNS", 12, minimum=0) or 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
# Locks an account after repeated failures (and an address after more), same answer as a
# wrong password (QUALITY.md AUTHN-3).
AUTHENTICATION_BACKENDS = ["paretocrm.users.backends.ThrottledModelBackend"]
SESSION_COOKIE_AGE = int(os.environ.get("PARETOCRM_SESSION_IDLE_SECONDS", "1800"))
# The age above is an idle timeout, not a fixed lifetime: users.middleware.IdleTimeoutMiddleware
# pushes a signed-in session's expiry forward at most once a minute (instead of a database
# write on every request, which is what SESSION_SAVE_EVERY_REQUEST would do).
SESSION_SAVE_EVERY_REQUEST = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = os.environ.get("PARETOCRM_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("PARETOCRM_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_THOUSAND_SEPARATOR = True  # 10,951,430 reads at a glance; 10951430 does not
FORMAT_MODULE_PATH = ["paretocrm.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True

BASE_CURRENCY = os.environ.get("PARETOCRM_BASE_CURRENCY", "CNY")

# Business ranges every write path checks (paretocrm.core.bounds): dates (YYYY-MM-DD,
# inclusive), the largest money amount or unit price, the largest quantity.
MIN_BUSINESS_DATE = os.environ.get("PARETOCRM_MIN_DATE", "1900-01-01")
MAX_BUSINESS_DATE = os.environ.get("PARETOCRM_MAX_DATE", "2100-12-31")
MAX_AMOUNT = os.environ.get("PARETOCRM_MAX_AMOUNT", "1000000000000")
MAX_QUANTITY = os.environ.get("PARETOCRM_MAX_QUANTITY", "1000000000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "paretocrm.core.errors.csrf_failure"  # translated page in the layout
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("PARETOCRM_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "paretocrm.users.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # drf-spectacular's AutoSchema plus the shared error answers (400/401/403/404/...).
    "DEFAULT_SCHEMA_CLASS": "paretocrm.core.api.schema.ErrorDocumentingAutoSchema",
    # A service's DomainError that a view did not catch: a 400 naming the field.
    "EXCEPTION_HANDLER": "paretocrm.core.api.views.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "paretocrm.core.api.throttling.AnonWindowThrottle",
        "paretocrm.core.api.throttling.UserWindowThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("PARETOCRM_API_ANON_RATE", "60/min"),
        "user": os.environ.get("PARETOCRM_API_USER_RATE", "6000/min"),
    },
}
# The empty choice of list filters (django-filter): a word in the reader's language instead
# of "---------".
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("any")

SPECTACULAR_SETTINGS = {
    "TITLE": "Pareto CRM API",
    "DESCRIPTION": "One customer database and explainable core-customer analysis.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The audit log's "channel" (web/API/import/...) must not collide with sales channels.
    "ENUM_NAME_OVERRIDES": {"ChangeChannelEnum": "paretocrm.customers.choices.ChangeChannel"},
    # The default enum hook, then the shared error responses (core.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "paretocrm.core.api.schema.add_error_components",
    ],
}

# Notifications (task digests, survey invitations). The console backend prints mails
# instead of sending them until a real server is configured, with the links' secrets
# (portal invitations, survey answers) redacted (AUD-4).
EMAIL_BACKEND = os.environ.get(
    "PARETOCRM_EMAIL_BACKEND", "paretocrm.core.mail.RedactingConsoleBackend"
)
EMAIL_HOST = os.environ.get("PARETOCRM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PARETOCRM_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PARETOCRM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PARETOCRM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("PARETOCRM_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("PARETOCRM_EMAIL_FROM", "Pareto CRM <crm@localhost>")
# Absolute links in e-mails (survey and concept-survey answers), e.g. https://crm.example.com;
# empty: the mails carry the path only.
PUBLIC_BASE_URL = os.environ.get("PARETOCRM_PUBLIC_BASE_URL", "")

# Customer portal (issue 8): invitation lifetime, upload limits, inbound e-mail (off by default).
PORTAL_COMPANY_NAME = os.environ.get("PARETOCRM_COMPANY_NAME", "Pareto CRM")
PORTAL_INVITATION_HOURS = int(os.environ.get("PARETOCRM_PORTAL_INVITATION_HOURS", "72"))
PORTAL_ATTACHMENT_MAX_BYTES = int(os.environ.get("PARETOCRM_PORTAL_MAX_UPLOAD", str(5 * 2**20)))
PORTAL_ATTACHMENT_MAX_FILES = 5
PORTAL_INBOUND_EMAIL = _env_bool("PARETOCRM_INBOUND_EMAIL")
PORTAL_INBOUND_IMAP_HOST = os.environ.get("PARETOCRM_INBOUND_IMAP_HOST", "")
PORTAL_INBOUND_IMAP_USER = os.environ.get("PARETOCRM_INBOUND_IMAP_USER", "")
PORTAL_INBOUND_IMAP_PASSWORD = os.environ.get("PARETOCRM_INBOUND_IMAP_PASSWORD", "")
PORTAL_INBOUND_IMAP_FOLDER = os.environ.get("PARETOCRM_INBOUND_IMAP_FOLDER", "INBOX")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No token of a link (invitations, surveys) reaches the log, e.g. "Not Found: <path>".
    "filters": {"redact_secrets": {"()": "paretocrm.core.tokens.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARETOCRM_LOG_LEVEL", "WARNING")},
}
