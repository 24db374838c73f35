"""Settings, all from the environment (see ../shared/CONTRACT.md and the README)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from archive.env import envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}


DEBUG = envbool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

LOCAL_ONLY = set(ALLOWED_HOSTS) <= LOCAL_HOSTS

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or LOCAL_ONLY:
        # Only ever served on this machine: a fixed development key is harmless here.
        SECRET_KEY = "local-development-only-not-secret"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off and the site is served "
            f"to other hosts ({', '.join(ALLOWED_HOSTS)})."
        )

DATABASE_URL = os.environ.get("DATABASE_URL", "") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
if not DATABASE_URL.startswith(("sqlite:", "postgres:", "postgresql:")):
    raise ImproperlyConfigured("DATABASE_URL must start with sqlite:/// or postgres://")


def database(url):
    """One DATABASES entry. On PostgreSQL, Django's psycopg 3 connection pool (per process; off
    with DATABASE_POOL=0), which needs CONN_MAX_AGE=0."""
    if not url.startswith(("sqlite:", "postgres:", "postgresql:")):
        raise ImproperlyConfigured("Database URLs must start with sqlite:/// or postgres://")
    config = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.postgresql" and envbool("DATABASE_POOL", True):
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": envint("DATABASE_POOL_MIN_SIZE", 1),
            "max_size": envint("DATABASE_POOL_MAX_SIZE", 4),
            # Short: while the database is away, a request waits this long before its 503.
            "timeout": envint("DATABASE_POOL_TIMEOUT", 3),
        }
    return config


DATABASES = {"default": database(DATABASE_URL)}
# Read replica: the archive's reader pages read from it; writes, staff sessions, logins and
# migrations stay on the primary (archive/routers.py). Tests use the primary as its mirror.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**database(DATABASE_REPLICA_URL), "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["archive.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# The by-speaker index's INCLUDE columns are PostgreSQL's; SQLite builds the index without them,
# as intended, so its warning (models.W040) is not printed on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "django_filters",
    "csp",
    "axes",
    "simple_history",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "archive.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

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

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one username from one
# address, that pair waits out a cool-off. Never a permanent lockout, and never one that an
# attacker elsewhere can use to lock a curator out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = envint("AXES_PROXY_COUNT", 0)  # trusted proxies in front, if any

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Cache: shared by every app server when CACHE_URL names Redis (redis://host:6379/0) or
# memcached (memcached://host:11211); otherwise in the process's memory.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("memcached://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": CACHE_URL.removeprefix("memcached://").rstrip("/").split(","),
        }
    }
elif CACHE_URL in {"", "locmem://"}:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured("CACHE_URL must start with redis://, rediss:// or memcached://")
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "wsw")
# Reader pages (archive/caching.py): how long browsers and a CDN may keep one; how long a stored
# copy of a heavy page lives (each curation makes new ones); how often the archive's last change
# is read from the database; how long after a change pages are neither stored nor validated
# (replicas may lag behind the primary).
ARCHIVE_HTTP_MAX_AGE = envint("ARCHIVE_HTTP_MAX_AGE", 300)
ARCHIVE_PAGE_CACHE_SECONDS = envint("ARCHIVE_PAGE_CACHE_SECONDS", 600)
ARCHIVE_STAMP_SECONDS = envint("ARCHIVE_STAMP_SECONDS", 10)
# The archive's counts (archive/tallies.py) are kept per version; this only bounds how long an
# unused version's counts stay in the cache.
ARCHIVE_TALLY_SECONDS = envint("ARCHIVE_TALLY_SECONDS", 3600)
ARCHIVE_SETTLE_SECONDS = envint("ARCHIVE_SETTLE_SECONDS", 5 if DATABASE_REPLICA_URL else 0)

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
ARCHIVE_FIXTURES = BASE_DIR / "fixtures"
# The raw captures the fixtures were cleaned from (../shared/seeds beside the checkout).
SEEDS_DIR = Path(os.environ.get("ARCHIVE_SEEDS_DIR", BASE_DIR.parent / "shared" / "seeds"))

# Security. HTTPS settings are on whenever the site is served to other hosts with DEBUG off
# (DJANGO_HTTPS=0 turns them off, e.g. behind a TLS proxy that already redirects).
HTTPS = envbool("DJANGO_HTTPS", default=not DEBUG and not LOCAL_ONLY)
if HTTPS:
    SECURE_SSL_REDIRECT = envbool("DJANGO_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", default=True)
if envbool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 12 * 60 * 60  # staff sessions end within 12 hours
SESSION_COOKIE_HTTPONLY = True

# No inline script anywhere. JSON-LD (<script type="application/ld+json">) is a data block,
# which script-src does not govern, so it needs no nonce and cached pages stay valid.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # django-simple-history's admin history page has one style attribute,
        # style="border-top: 0"; allow exactly that one by its hash, nothing else inline.
        "style-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
        ],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
        "microphone", "payment", "usb",
    ]
}  # fmt: skip
