"""Django settings for NetDept. Operators configure NetDept through ``NETDEPT_*`` variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netdept.config import audit_key, data_dir, env, env_bool, env_int, secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("NETDEPT_DEBUG")
ALLOWED_HOSTS = [h for h in env("NETDEPT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("NETDEPT_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "netdept.core",
    "netdept.tasks",
    "netdept.accounts",
    "netdept.notify",
    "netdept.workcal",
    "netdept.org",
    "netdept.approvals",
    "netdept.duties",
    "netdept.worklog",
    "netdept.workorders",
    "netdept.api",
]

MIDDLEWARE = [
    "netdept.core.middleware.HeadResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "netdept.core.staticfiles.StaticFilesMiddleware",
    "netdept.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "netdept.core.middleware.RequestContextMiddleware",
    "netdept.core.middleware.UserLanguageMiddleware",
    "netdept.core.middleware.HtmxSignInRedirectMiddleware",
    "netdept.accounts.middleware.IdleTimeoutMiddleware",
    "netdept.accounts.middleware.TwoFactorRequiredMiddleware",
    "netdept.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "netdept.urls"
WSGI_APPLICATION = "netdept.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "netdept.core.context_processors.navigation",
            ],
        },
    },
]

# <select>s rendered in Python (same HTML as Django's templates, a fraction of the time)
FORM_RENDERER = "netdept.core.forms_renderer.FormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("NETDEPT_DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "netdept.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the writer work at once; IMMEDIATE takes the write lock at the
        # start of a transaction so that concurrent writers wait (busy timeout) instead of failing.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": env("NETDEPT_TEST_SQLITE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and tasks -----------------------------------------------------------------------
REDIS_URL = env("NETDEPT_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "netdept_cache",
        }
    }

TASK_QUEUES = ["default", "notify", "poller", "backup"]
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600} for name in TASK_QUEUES}
    # Jobs enqueued through django_tasks need its job class (also for a plain `rqworker`).
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
if env_bool("NETDEPT_TASKS_IMMEDIATE"):
    TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": TASK_QUEUES,
        }
    }

# --- Authentication and security ----------------------------------------------------------
AUTH_USER_MODEL = "auth.User"
AUTHENTICATION_BACKENDS = ["netdept.core.auth.ScopedPermissionBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "netdept.accounts.passwords.PolicyLengthValidator"},
    {"NAME": "netdept.accounts.passwords.CharacterClassValidator"},
    {"NAME": "netdept.accounts.passwords.PasswordHistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Behind a reverse proxy that terminates TLS (docs/deploy.md): the proxy tells Django the
# request came over HTTPS with X-Forwarded-Proto (which it must set, overwriting the client's),
# cookies travel over HTTPS only and browsers are told to use HTTPS only (HSTS).
BEHIND_TLS_PROXY = env_bool("NETDEPT_BEHIND_TLS_PROXY")
SESSION_COOKIE_SECURE = BEHIND_TLS_PROXY or env_bool("NETDEPT_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("NETDEPT_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("NETDEPT_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_SSL_REDIRECT = env_bool("NETDEPT_SSL_REDIRECT")
SESSION_ENGINE = "django.contrib.sessions.backends.db"
X_FRAME_OPTIONS = "DENY"
# Trust the first X-Forwarded-For address (only behind a reverse proxy that sets it).
NETDEPT_TRUST_X_FORWARDED_FOR = env_bool("NETDEPT_TRUST_X_FORWARDED_FOR")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
OTP_TOTP_ISSUER = "NetDept"

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("NETDEPT_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True
# django-filter in the page's language: its generated labels are "<field> <lookup>" ("日期 从",
# "Date from", not "日期 is greater than or equal to") and an unset choice filter offers "全部"
# / "All" instead of "---------" (every ChoiceFilter and ModelChoiceFilter that does not name
# its own empty label). The library's own catalogue has no zh_Hans: the words are ours.
FILTERS_EMPTY_CHOICE_LABEL = _("All")
FILTERS_VERBOSE_LOOKUPS = {
    "date": pgettext_lazy("filter lookup", "date"),
    "year": pgettext_lazy("filter lookup", "year"),
    "month": pgettext_lazy("filter lookup", "month"),
    "day": pgettext_lazy("filter lookup", "day"),
    "week_day": pgettext_lazy("filter lookup", "weekday"),
    "hour": pgettext_lazy("filter lookup", "hour"),
    "minute": pgettext_lazy("filter lookup", "minute"),
    "second": pgettext_lazy("filter lookup", "second"),
    "exact": "",
    "iexact": "",
    "contains": pgettext_lazy("filter lookup", "contains"),
    "icontains": pgettext_lazy("filter lookup", "contains"),
    "in": pgettext_lazy("filter lookup", "is one of"),
    "gt": pgettext_lazy("filter lookup", "above"),
    "gte": pgettext_lazy("filter lookup", "from"),
    "lt": pgettext_lazy("filter lookup", "below"),
    "lte": pgettext_lazy("filter lookup", "to"),
    "startswith": pgettext_lazy("filter lookup", "starts with"),
    "istartswith": pgettext_lazy("filter lookup", "starts with"),
    "endswith": pgettext_lazy("filter lookup", "ends with"),
    "iendswith": pgettext_lazy("filter lookup", "ends with"),
    "range": pgettext_lazy("filter lookup", "between"),
    "isnull": pgettext_lazy("filter lookup", "is empty"),
    "regex": pgettext_lazy("filter lookup", "matches the pattern"),
    "iregex": pgettext_lazy("filter lookup", "matches the pattern"),
    "search": pgettext_lazy("filter lookup", "search"),
    "trigram_similar": pgettext_lazy("filter lookup", "search"),
}

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "files"  # outside any web root; served only through permission checks
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("NETDEPT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "netdept.accounts.authentication.TokenAuthentication",
        "netdept.accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["netdept.api.permissions.ScopedModelPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "netdept.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "netdept.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "netdept.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "netdept.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NetDept API",
    "DESCRIPTION": _("NetDept REST API"),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set (the glossary's names), where two fields share or clash.
    "ENUM_NAME_OVERRIDES": {
        "DepartmentKindEnum": "netdept.org.models.DepartmentKind",
        "WorkOrderKindEnum": "netdept.workorders.models.Kind",
        "LevelEnum": "netdept.workorders.models.Level",
        "ApprovalKindEnum": "netdept.approvals.kinds.choices",  # the declared kinds
        "EvidenceKindEnum": "netdept.duties.models.EvidenceKind",
        "OccurrenceStatusEnum": "netdept.duties.models.OccurrenceStatus",
        "LogStatusEnum": "netdept.worklog.models.logs.LogStatus",
        "GoalLevelEnum": "netdept.worklog.models.tasks.GoalLevel",
        "ReportKindEnum": "netdept.worklog.models.reports.ReportKind",
        "MeetingKindEnum": "netdept.worklog.models.meetings.MeetingKind",
        "RewardKindEnum": "netdept.duties.models.RewardKind",
        "SanctionEnum": "netdept.duties.models.Sanction",
        "AttendanceImportSourceEnum": "netdept.worklog.models.leave.ImportSource",
        "SourceEnum": "netdept.workorders.models.Source",  # its name before the import's source
    },
}

# --- Logging ---------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("NETDEPT_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- NetDept ---------------------------------------------------------------------------------
NETDEPT: dict[str, Any] = {
    "AUDIT_RETENTION_MONTHS": max(6, env_int("NETDEPT_AUDIT_RETENTION_MONTHS", 12)),
    # The audit trail's seal key (kept outside the database), where `netdept audit checkpoint`
    # writes the chain head, and whether the daily checkpoint is sent to the auditors.
    "AUDIT_KEY": audit_key(DATA_DIR),
    "AUDIT_CHECKPOINT_DIR": env(
        "NETDEPT_AUDIT_CHECKPOINT_DIR", str(DATA_DIR / "audit-checkpoints")
    ),
    "AUDIT_CHECKPOINT_NOTIFY": env_bool("NETDEPT_AUDIT_CHECKPOINT_NOTIFY", True),
    "LIST_PAGE_SIZE": 25,
    # The built-in system administrator, security administrator and auditor roles are created
    # requiring a TOTP second factor (the security administrator may change it per role).
    "PRIVILEGED_ROLES_REQUIRE_2FA": env_bool("NETDEPT_PRIVILEGED_2FA", True),
    # The address users reach NetDept at: links in emails and robot messages start with it.
    "BASE_URL": env("NETDEPT_BASE_URL", "http://127.0.0.1:8000"),
    # Seconds after which a delivery claimed by a worker that died is sent again.
    "NOTIFY_CLAIM_TIMEOUT": env_int("NETDEPT_NOTIFY_CLAIM_TIMEOUT", 300),
    # Work orders: reopen within / auto-close after this many working days of the resolution;
    # the largest attachment accepted.
    "WORKORDER_REOPEN_DAYS": env_int("NETDEPT_WORKORDER_REOPEN_DAYS", 5),
    "WORKORDER_AUTOCLOSE_DAYS": env_int("NETDEPT_WORKORDER_AUTOCLOSE_DAYS", 3),
    "ATTACHMENT_MAX_BYTES": env_int("NETDEPT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
    # Notifications may be sent to loopback (this machine) only when this is on: off in
    # production (link-local and cloud metadata addresses are refused whatever it says).
    "OUTBOUND_ALLOW_LOOPBACK": env_bool("NETDEPT_OUTBOUND_ALLOW_LOOPBACK", False),
}
