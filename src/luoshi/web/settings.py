"""Django settings, read once from `LUOSHI_…` environment variables (see .env.example)."""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext

from luoshi.web.config import Env, default_data_dir, load_or_create_secret_key, parse_database_url

django_stubs_ext.monkeypatch()  # lets admin.ModelAdmin[Model] etc. be subscripted at run time

env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.path("LUOSHI_DATA_DIR", default_data_dir())
DATA_DIR.mkdir(parents=True, exist_ok=True)

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
    "luoshi.web",
    "luoshi.orgs",
    "luoshi.ledger",
    "luoshi.audit",
    "luoshi.notices",
    "luoshi.recurrence",
    "luoshi.indicators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "luoshi.web.middleware.RequestScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

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

# Sessions live in the database and are read through the cache: a page view costs no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.boolean("LUOSHI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Rules are settings: the common practice as defaults.
LUOSHI_DUE_SOON_DAYS = env.integer("LUOSHI_DUE_SOON_DAYS", 7, minimum=0)
LUOSHI_MAX_UPLOAD_MB = env.integer("LUOSHI_MAX_UPLOAD_MB", 20, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = LUOSHI_MAX_UPLOAD_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.text("LUOSHI_LOG_LEVEL", "WARNING")},
}
