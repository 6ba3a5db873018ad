"""Django settings, read once from `LUOSHI_…` environment variables (see .env.example)."""

from __future__ import annotations

import datetime
from pathlib import Path

import django_stubs_ext

from luoshi.meetings import step_offsets as _step_offsets
from luoshi.web.config import (
    Env,
    default_data_dir,
    load_or_create_secret_key,
    parse_database_url,
    secure_data_dir,
)

django_stubs_ext.monkeypatch()  # lets admin.ModelAdmin[Model] etc. be subscripted at run time

env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.path("LUOSHI_DATA_DIR", default_data_dir())
SQLITE_FILES = [DATA_DIR / name for name in ("luoshi.sqlite3", "luoshi.sqlite3-wal", "luoshi.sqlite3-shm")]
secure_data_dir(DATA_DIR, [*SQLITE_FILES, DATA_DIR / "secret_key"])  # umask 077; files 0600, dirs 0700

DEBUG = env.boolean("LUOSHI_DEBUG", False)
SECRET_KEY = env.secret("LUOSHI_SECRET_KEY") or load_or_create_secret_key(DATA_DIR)
ALLOWED_HOSTS = env.items("LUOSHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.items("LUOSHI_CSRF_TRUSTED_ORIGINS", [])

# An empty value means the default, as an unset one does (`LUOSHI_DATABASE_URL= make …`).
DATABASES = {
    "default": parse_database_url(
        env.text("LUOSHI_DATABASE_URL", "") or f"sqlite:///{DATA_DIR / 'luoshi.sqlite3'}"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "luoshi.web",
    "luoshi.accounts",
    "luoshi.orgs",
    "luoshi.ledger",
    "luoshi.audit",
    "luoshi.notices",
    "luoshi.recurrence",
    "luoshi.reports",
    "luoshi.indicators",
    "luoshi.meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "luoshi.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "luoshi.web.middleware.RequestScopeMiddleware",
    "luoshi.web.uploads.ControlCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "luoshi.accounts.middleware.SessionLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "luoshi.web.urls"
WSGI_APPLICATION = "luoshi.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "luoshi.web.context_processors.navigation",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "luoshi.accounts.validators.ChineseMinimumLengthValidator",
        "OPTIONS": {"min_length": env.integer("LUOSHI_PASSWORD_MIN_LENGTH", 8, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after LUOSHI_LOGIN_FAILURE_LIMIT failures for one account, or from
# one client address, logins are refused (even the right password) for LUOSHI_LOGIN_LOCKOUT_MINUTES;
# the login page and /admin/login/ alike. Behind a reverse proxy the client address is the header it
# sets (LUOSHI_CLIENT_IP_HEADER, e.g. X-Real-IP); without one it is REMOTE_ADDR.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "luoshi.accounts.backends.UserBackend",  # the user and their roles in one query
    "django.contrib.auth.backends.ModelBackend",  # sessions signed in before UserBackend existed
]
LUOSHI_LOGIN_FAILURE_LIMIT = env.integer("LUOSHI_LOGIN_FAILURE_LIMIT", 10, minimum=1)
LUOSHI_LOGIN_LOCKOUT_MINUTES = env.integer("LUOSHI_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
LUOSHI_CLIENT_IP_HEADER = env.text("LUOSHI_CLIENT_IP_HEADER", "").strip()
AXES_FAILURE_LIMIT = LUOSHI_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LUOSHI_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "luoshi.accounts.signals.axes_client_ip"
AXES_USERNAME_CALLABLE = "luoshi.accounts.signals.axes_username"
AXES_LOCKOUT_CALLABLE = "luoshi.accounts.views.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # logins are in the audit log
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = env.text("LUOSHI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing directory before collectstatic
# Uploaded evidence lives outside the web root and is served only through a permission-checked view.
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files-not-served-directly/"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Served from the package directories when collectstatic has not run (development, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database and every request reads them there (one plain query), so logging
# out ends a session on every server process at once; no per-process copy outlives it.
SESSION_ENGINE = "luoshi.web.sessions"
SESSION_COOKIE_HTTPONLY = True
# A session ends LUOSHI_SESSION_MAX_HOURS after signing in, and earlier after
# LUOSHI_SESSION_IDLE_MINUTES without a request (0: no idle limit); see luoshi.accounts.middleware.
LUOSHI_SESSION_MAX_HOURS = env.integer("LUOSHI_SESSION_MAX_HOURS", 12, minimum=1)
LUOSHI_SESSION_IDLE_MINUTES = env.integer("LUOSHI_SESSION_IDLE_MINUTES", 30, minimum=0)
SESSION_COOKIE_AGE = LUOSHI_SESSION_MAX_HOURS * 3600
SESSION_COOKIE_SECURE = env.boolean("LUOSHI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Scripts, styles, images and fonts from our own static files only (luoshi.web.security).
LUOSHI_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# Rules are settings: the common practice as defaults.
LUOSHI_DUE_SOON_DAYS = env.integer("LUOSHI_DUE_SOON_DAYS", 7, minimum=0)
LUOSHI_MAX_UPLOAD_MB = env.integer("LUOSHI_MAX_UPLOAD_MB", 20, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = LUOSHI_MAX_UPLOAD_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Each uploaded file is cut one byte past LUOSHI_MAX_UPLOAD_MB as it arrives (the view refuses it).
FILE_UPLOAD_HANDLERS = [
    "luoshi.web.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# What one import may hold: problems, causes and measures of a document; rows of a ledger .xlsx.
LUOSHI_IMPORT_MAX_ITEMS = env.integer("LUOSHI_IMPORT_MAX_ITEMS", 2000, minimum=1)
LUOSHI_IMPORT_MAX_ROWS = env.integer("LUOSHI_IMPORT_MAX_ROWS", 5000, minimum=1)

# Opinions (征求意见, luoshi.meetings): the longest opinion accepted, in characters, and how many
# opinions one client may send through the public links per clock hour (counted in the cache under
# a keyed hash whose secret lives only for that hour; nothing else about the client is kept).
LUOSHI_OPINION_MAX_CHARS = env.integer("LUOSHI_OPINION_MAX_CHARS", 2000, minimum=50)
LUOSHI_OPINION_PER_HOUR = env.integer("LUOSHI_OPINION_PER_HOUR", 5, minimum=1)

# Rendered ledger and dashboard fragments, per process, keyed by the round's audit version (see
# luoshi.ledger.fragments); 0 turns the cache off.
# Optional semantic matching of recurring problems (luoshi.text.match.embedding): empty, or "e5".
LUOSHI_EMBEDDING = env.choice("LUOSHI_EMBEDDING", "", ["none", "lexical", "off", "e5"])
LUOSHI_FRAGMENT_CACHE_SECONDS = env.integer("LUOSHI_FRAGMENT_CACHE_SECONDS", 600, minimum=0)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "luoshi",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# Reminders, 催办 and 督办 (luoshi.notices): when rules fire, with common practice as defaults; a
# round's reminder policy (admin) overrides the per-measure ones.
LUOSHI_REMIND_BEFORE_DAYS = sorted(set(env.integers("LUOSHI_REMIND_BEFORE_DAYS", [7, 3, 1])), reverse=True)
LUOSHI_REMIND_OVERDUE_EVERY_DAYS = env.integer("LUOSHI_REMIND_OVERDUE_EVERY_DAYS", 7, minimum=1)
LUOSHI_REMIND_CATCH_UP_DAYS = env.integer("LUOSHI_REMIND_CATCH_UP_DAYS", 2, minimum=1)
LUOSHI_REMIND_REVIEW_DAYS = env.integer("LUOSHI_REMIND_REVIEW_DAYS", 5, minimum=1)
LUOSHI_REMIND_EXTENSION_DAYS = env.integer("LUOSHI_REMIND_EXTENSION_DAYS", 3, minimum=1)
LUOSHI_REMIND_RETURNED_DAYS = env.integer("LUOSHI_REMIND_RETURNED_DAYS", 7, minimum=1)
LUOSHI_REMIND_UPDATE_DAY = env.integer("LUOSHI_REMIND_UPDATE_DAY", 25, minimum=1)
# A quantified commitment's period ending within this many days, target not yet met: remind.
LUOSHI_REMIND_INDICATOR_DAYS = env.integer("LUOSHI_REMIND_INDICATOR_DAYS", 3, minimum=0)
LUOSHI_REMIND_ESCALATE_DAYS = env.integer("LUOSHI_REMIND_ESCALATE_DAYS", 15, minimum=1)
LUOSHI_REMIND_ACK_DAYS = env.integer("LUOSHI_REMIND_ACK_DAYS", 2, minimum=1)
LUOSHI_REMIND_REPLY_DAYS = env.integer("LUOSHI_REMIND_REPLY_DAYS", 5, minimum=1)
LUOSHI_REMIND_DIGEST_TIME = env.clock("LUOSHI_REMIND_DIGEST_TIME", "08:00")
LUOSHI_REMIND_QUIET_HOURS = env.clock("LUOSHI_REMIND_QUIET_HOURS", "22:00-07:30")
LUOSHI_REMIND_EVERY_MINUTES = env.integer("LUOSHI_REMIND_EVERY_MINUTES", 15, minimum=0)
LUOSHI_REMIND_MAX_ATTEMPTS = env.integer("LUOSHI_REMIND_MAX_ATTEMPTS", 6, minimum=1)
# Round steps and talks (luoshi.meetings): each step's deadline counted from the meeting date, or
# for an inspection/audit/supervision round from the day its feedback arrived ("-15" = 15 days
# before, "15" after, "2m" two months after); which talk pairs the coverage matrix requires
# (secretary: the secretary with each member; members: members with each other; units: each member
# with the heads of the units they oversee).
LUOSHI_MEETING_STEP_OFFSETS = _step_offsets.parse_offsets(
    "LUOSHI_MEETING_STEP_OFFSETS",
    env.text("LUOSHI_MEETING_STEP_OFFSETS", _step_offsets.MEETING_DEFAULT),
    _step_offsets.MEETING_STEPS,
)
LUOSHI_FEEDBACK_STEP_OFFSETS = _step_offsets.parse_offsets(
    "LUOSHI_FEEDBACK_STEP_OFFSETS",
    env.text("LUOSHI_FEEDBACK_STEP_OFFSETS", _step_offsets.FEEDBACK_DEFAULT),
    _step_offsets.FEEDBACK_STEPS,
)
LUOSHI_TALK_PAIRS = _step_offsets.parse_pair_kinds(
    "LUOSHI_TALK_PAIRS", env.items("LUOSHI_TALK_PAIRS", list(_step_offsets.TALK_PAIR_KINDS))
)
# The meeting (民主生活会, luoshi.meetings): the share of the expected attendees (the team's active
# members) who must be present; below it the meeting is recorded as held only if the organizer confirms.
LUOSHI_MEETING_QUORUM = env.share("LUOSHI_MEETING_QUORUM", "2/3")
LUOSHI_BASE_URL = env.text("LUOSHI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_TIMEOUT = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.text("LUOSHI_LOG_LEVEL", "WARNING")},
}
