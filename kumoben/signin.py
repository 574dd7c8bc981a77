"""Sign-in throttling (review D8): failed sign-ins are counted per client address.

Each attempt costs a PBKDF2 hash (about 0.3 CPU-s), and Django leaves throttling to the
deployment. Here an address gets ``KUMOBEN_SIGNIN_FAILURES`` failed sign-ins per
``KUMOBEN_SIGNIN_WINDOW_S`` seconds on ``/accounts/login/`` and the admin's login; after that its
sign-in POSTs are answered with 429 and the wait, before any password is hashed. Only failures
count, so a class behind one school address is never stopped by its instructor signing in, and
only addresses are counted, never user names, so nobody can lock an instructor out from elsewhere.

Counters live in Redis when ``REDIS_URL`` is set (every process sees the same count) and in the
process otherwise.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from patterns.sessions.joining import client_ip


def _limit() -> int:
    return int(getattr(settings, "KUMOBEN_SIGNIN_FAILURES", 10))


def _window() -> int:
    return int(getattr(settings, "KUMOBEN_SIGNIN_WINDOW_S", 900))


class _MemoryCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def incr(self, key: str, ttl: int) -> None:
        now = time.monotonic()
        with self._lock:
            count, expires = self._counts.get(key, (0, now + ttl))
            if expires <= now:
                count, expires = 0, now + ttl
            self._counts[key] = (count + 1, expires)
            if len(self._counts) > 10_000:  # forget expired addresses
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}

    def get(self, key: str) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            count, expires = self._counts.get(key, (0, now))
        if expires <= now:
            return 0, 0
        return count, max(1, int(expires - now + 0.999))


class _RedisCounter:
    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=2)
        self._prefix = f"{prefix}:signin-failures:"

    def incr(self, key: str, ttl: int) -> None:
        name = self._prefix + key
        with self._client.pipeline() as pipe:
            pipe.incr(name)
            pipe.expire(name, ttl, nx=True)
            pipe.execute()

    def get(self, key: str) -> tuple[int, int]:
        name = self._prefix + key
        with self._client.pipeline() as pipe:
            pipe.get(name)
            pipe.ttl(name)
            raw, ttl = pipe.execute()
        return int(raw or 0), max(int(ttl), 0)


_counter: Any = None
_counter_lock = threading.Lock()


def counter() -> Any:
    global _counter
    with _counter_lock:
        if _counter is None:
            url = getattr(settings, "REDIS_URL", None)
            _counter = (
                _RedisCounter(url, getattr(settings, "CHANNEL_PREFIX", "asgi"))
                if url
                else _MemoryCounter()
            )
        return _counter


def reset_counter() -> None:
    """Forget every count (tests, and settings changes)."""
    global _counter
    with _counter_lock:
        _counter = None


def wait_seconds(ip: str) -> int:
    """0 when ``ip`` may try to sign in; else the seconds until it may try again."""
    try:
        count, ttl = counter().get(ip)
    except Exception:  # noqa: BLE001 - a broken counter must not stop sign-in
        return 0
    return ttl if count >= _limit() else 0


@receiver(user_login_failed)
def _count_failure(sender: Any, credentials: Any, request: HttpRequest | None = None, **_: Any):
    if request is None:
        return
    try:
        counter().incr(client_ip(request), _window())
    except Exception:  # noqa: BLE001 - counting is best effort; sign-in still works
        return


class SignInThrottleMiddleware:
    """Answers a throttled address's sign-in POST with 429 before the password is checked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in (reverse("login"), reverse("admin:login")):
            wait = wait_seconds(client_ip(request))
            if wait:
                minutes = (wait + 59) // 60
                response = TemplateResponse(
                    request,
                    "registration/throttled.html",
                    {"minutes": minutes, "limit": _limit(), "window_minutes": _window() // 60},
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response.render()
        return self.get_response(request)
