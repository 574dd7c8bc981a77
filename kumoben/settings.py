"""Kumoben settings: one file, driven by environment variables.

The helpers below refuse a malformed value with ImproperlyConfigured rather than guessing,
so a typo in production fails at start-up, not at the first request.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def envint(name: str, default: int, minimum: int = 0, maximum: int = 2**31) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value}: expected {minimum}..{maximum}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envurl(name: str, schemes: tuple[str, ...]) -> str | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name}: expected a URL starting with {' or '.join(s + '://' for s in schemes)}"
            " and naming a host"
        )
    return raw


def secret_key_from_file(path: Path) -> str:
    """The key kept in `path`, made on first use: readable by its owner only (0600), so a
    restarted classroom server keeps its sign-ins and a second user of the machine cannot forge
    them."""
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"SECRET_KEY file {path}: cannot read it ({error})") from None
    if key:
        return key
    key = secrets.token_urlsafe(50)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


DEBUG = envbool("KUMOBEN_DEBUG", False)
# Classroom mode (`make run`): plain HTTP on a school or home network, where there is no
# certificate for a LAN address. No HTTPS redirect, no Secure-only cookies, no HSTS; the key
# lives in var/secret_key and the machine's LAN addresses are allowed hosts.
# `manage.py check --deploy` still lists what that gives up (kumoben.W001 and Django's own).
CLASSROOM = envbool("KUMOBEN_CLASSROOM", False)
# Where phones open the join page when a proxy stands in front (https://kumoben.example.org).
PUBLIC_URL = envurl("KUMOBEN_PUBLIC_URL", ("http", "https"))
SECRET_KEY_FILE = Path(os.environ.get("KUMOBEN_SECRET_KEY_FILE") or BASE_DIR / "var" / "secret_key")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if CLASSROOM:
        SECRET_KEY = secret_key_from_file(SECRET_KEY_FILE)
    elif not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when KUMOBEN_DEBUG is off (or set KUMOBEN_CLASSROOM=1 to keep"
            " a generated key in var/secret_key)"
        )
    else:
        SECRET_KEY = "kumoben-insecure-development-key-only-for-debug-mode"

_LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
if CLASSROOM:
    from kumoben.lan import lan_hosts

    _DEFAULT_HOSTS = [*_LOCAL_HOSTS, *lan_hosts()]
else:
    _DEFAULT_HOSTS = _LOCAL_HOSTS if DEBUG else []
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", _DEFAULT_HOSTS)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
if PUBLIC_URL:
    _public = urlsplit(PUBLIC_URL)
    _public_host = (
        f"[{_public.hostname}]" if ":" in str(_public.hostname) else str(_public.hostname)
    )
    if _public_host not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(_public_host)
    if f"{_public.scheme}://{_public.netloc}" not in CSRF_TRUSTED_ORIGINS:
        CSRF_TRUSTED_ORIGINS.append(f"{_public.scheme}://{_public.netloc}")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "csp",
    "patterns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so a throttled sign-in's 429 page still gets the session, language and CSP above.
    "kumoben.signin.SignInThrottleMiddleware",
]

ROOT_URLCONF = "kumoben.urls"
ASGI_APPLICATION = "kumoben.asgi.application"
WSGI_APPLICATION = None

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
    }
]

DATABASE_URL = envurl("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("KUMOBEN_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Kept open like PostgreSQL's: every database trip of a socket (Channels runs them on
            # one thread) otherwise opens and closes the file, which a burst of 2,000 students
            # joining a room queues behind (bench/sessions_bench.py).
            "CONN_MAX_AGE": 60,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envurl("REDIS_URL", ("redis", "rediss"))
if REDIS_URL:
    CHANNEL_PREFIX = os.environ.get("KUMOBEN_CHANNEL_PREFIX", "asgi").strip() or "asgi"
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", CHANNEL_PREFIX):
        raise ImproperlyConfigured(
            f"KUMOBEN_CHANNEL_PREFIX={CHANNEL_PREFIX!r}: expected 1-64 of A-Z a-z 0-9 _ . : -"
        )
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 gives sockets a 5 s read timeout by default, which cuts channels-redis's
            # blocking receive on a quiet group (django/channels_redis#422); reads must wait.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                # Key prefix in Redis: deployments (or test runs) sharing one Redis database
                # keep apart by giving each its own.
                "prefix": CHANNEL_PREFIX,
            },
        }
    }
else:
    # Single process only: groups do not cross process boundaries.
    CHANNEL_LAYERS = {"default": {"BACKEND": "kumoben.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# No inline script or style anywhere: every page loads ES modules and CSS files from 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Reverse proxies in front of the app that append the address they saw to X-Forwarded-For. With
# 0 the socket's peer address is the client (join-code guessing is throttled per client address).
KUMOBEN_PROXY_HOPS = envint("KUMOBEN_PROXY_HOPS", 0, maximum=10)
# WebSockets one address may hold open on a process (kumoben/ws_limits.py).
KUMOBEN_SOCKETS_PER_ADDRESS = envint("KUMOBEN_SOCKETS_PER_ADDRESS", 400, minimum=1)
# Work budgets (patterns/live.py, patterns/sim/cost.py): the engine seconds one request may ask
# for up front, estimated from its scenario before any of it runs (an instant run: the whole run;
# a resume or fork of a live run: the part it skips), and the engine computations one address may
# have going at once on a process (a further one waits its turn, then is refused).
KUMOBEN_INSTANT_BUDGET_S = envint("KUMOBEN_INSTANT_BUDGET_S", 4, minimum=1, maximum=3600)
KUMOBEN_RUN_BUDGET_S = envint("KUMOBEN_RUN_BUDGET_S", 8, minimum=1, maximum=3600)
KUMOBEN_RUNS_PER_ADDRESS = envint("KUMOBEN_RUNS_PER_ADDRESS", 2, minimum=1)
# Joining a study session (patterns/sessions/joining.py): wrong codes an address may send in 5
# minutes (a school behind one NAT address shares this budget) and one browser may send; joins a
# session takes in a minute from everyone and from one address.
KUMOBEN_JOIN_FAILURES_PER_IP = envint("KUMOBEN_JOIN_FAILURES_PER_IP", 200, minimum=1)
KUMOBEN_JOIN_FAILURES_PER_BROWSER = envint("KUMOBEN_JOIN_FAILURES_PER_BROWSER", 10, minimum=1)
KUMOBEN_JOINS_PER_SESSION_MINUTE = envint("KUMOBEN_JOINS_PER_SESSION_MINUTE", 300, minimum=1)
KUMOBEN_JOINS_PER_IP_SESSION_MINUTE = envint("KUMOBEN_JOINS_PER_IP_SESSION_MINUTE", 100, minimum=1)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from <body hx-headers>, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if CLASSROOM:
    # Browsers ignore Cross-Origin-Opener-Policy on a plain-HTTP LAN origin and log an error on
    # every page saying so; there is nothing for it to protect there.
    SECURE_CROSS_ORIGIN_OPENER_POLICY = None
if not DEBUG and not CLASSROOM:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KUMOBEN_LOG_LEVEL", "INFO")},
}
