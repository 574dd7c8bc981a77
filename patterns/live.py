"""Validation of incoming WebSocket frames, shared by every consumer.

A frame is a JSON object with a string "type". Anything else — binary data, invalid JSON, an
oversized text, a missing or unknown type — becomes a FrameError whose message names the field
and the reason, so the consumer can answer with an error frame and keep the connection open.
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

from django.conf import settings
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

from patterns.errors import FieldError

MAX_FRAME_BYTES = 4096


class FrameError(FieldError):
    """Refused input; see ``FieldError``."""


def parse_frame(
    text_data: str | None, bytes_data: bytes | None, allowed_types: frozenset[str]
) -> dict[str, Any]:
    if text_data is None:
        raise FrameError("frame", "binary frames are not accepted; send JSON text")
    if len(text_data.encode()) > MAX_FRAME_BYTES:
        raise FrameError("frame", f"larger than {MAX_FRAME_BYTES} bytes")
    try:
        data = json.loads(text_data)
    except ValueError:
        raise FrameError("frame", "not valid JSON") from None
    if not isinstance(data, dict):
        raise FrameError("frame", "expected a JSON object")
    kind = data.get("type")
    if not isinstance(kind, str):
        raise FrameError("type", "missing or not a string")
    if kind not in allowed_types:
        raise FrameError(
            "type", f"unknown type {kind[:40]!r}; expected one of {sorted(allowed_types)}"
        )
    return data


def scope_language(scope: dict[str, Any]) -> str:
    """A socket's page language (for its error texts): the language cookie, else
    Accept-Language, else the site's default."""
    chosen = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    candidates = [chosen] if chosen else []
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            candidates += [lang for lang, _q in parse_accept_lang_header(value.decode("latin-1"))]
    for candidate in candidates:
        with contextlib.suppress(LookupError):
            return get_supported_language_variant(candidate)
    return str(settings.LANGUAGE_CODE)


class RateLimiter:
    """A token bucket per connection: `rate` frames a second, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int, clock: Any = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()

    def allow(self) -> bool:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False
