"""Test settings: the real settings in debug-free form, with plain static storage.

pytest-django turns DEBUG off, so the manifest storage would need collectstatic; tests use the
plain storage instead. Everything else (CSP, middleware, i18n) is exactly what production runs.
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "kumoben-test-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from kumoben.settings import *  # noqa: E402,F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Live daphne servers in tests run with DEBUG off; let WhiteNoise find static files without
# collectstatic.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing is collected in tests; finders serve the files
# Tests open connections from many threads (sync_to_async); keeping them would block the
# teardown of the PostgreSQL test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
