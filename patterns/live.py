"""Validation of incoming WebSocket frames, shared by every consumer.

A frame is a JSON object with a string "type". Anything else — binary data, invalid JSON, an
oversized text, a missing or unknown type — becomes a FrameError whose message names the field
and the reason, so the consumer can answer with an error frame and keep the connection open.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from django.conf import settings
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

from patterns import untrusted
from patterns.errors import FieldError

MAX_FRAME_BYTES = 4096


class FrameError(FieldError):
    """Refused input; see ``FieldError``."""


def parse_frame(
    text_data: str | None, bytes_data: bytes | None, allowed_types: frozenset[str]
) -> dict[str, Any]:
    if text_data is None:
        raise FrameError("frame", "binary frames are not accepted; send JSON text")
    if len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise FrameError("frame", f"larger than {MAX_FRAME_BYTES} bytes")
    try:
        data = untrusted.load(text_data)
    except untrusted.UntrustedJSON as refused:
        raise FrameError("frame", str(refused)) from None
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


# --------------------------------------------------------------------------- work budgets (D4)


def client_address(peer: str, forwarded_for: str) -> str:
    """The address a client's work and joins are counted against: the socket's peer, or behind
    KUMOBEN_PROXY_HOPS trusted proxies the address the outermost of them saw (with two,
    ``X-Forwarded-For: spoofed, 203.0.113.7, 10.0.0.5`` gives 203.0.113.7: a client can prepend
    anything, but not past the proxies). A missing or malformed header leaves the peer."""
    hops = int(getattr(settings, "KUMOBEN_PROXY_HOPS", 0))
    if hops <= 0:
        return peer
    forwarded = [a.strip() for a in forwarded_for.split(",")]
    forwarded = [a for a in forwarded if a]
    if not forwarded:
        return peer
    candidate = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer


def scope_address(scope: dict[str, Any]) -> str:
    """``client_address`` of a socket's or an ASGI request's scope."""
    peer = str((scope.get("client") or ("0.0.0.0", 0))[0])
    forwarded = ""
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":
            forwarded = value.decode("latin-1")
    return client_address(peer, forwarded)


def check_budget(estimate_s: float, budget_s: float, setting: str, field: str = "scenario") -> None:
    """Refuse work estimated (``patterns.sim.cost``) above the budget, before any of it runs."""
    if estimate_s > budget_s:
        raise FrameError(
            field,
            f"this run would cost about {estimate_s:.1f} s of server time, over the limit of "
            f"{budget_s:g} s a request ({setting}); shorten it, or lower its traffic or tasks",
        )


class RunsBusy(FrameError):
    """Every run slot of this address is taken (and stayed so for ``RUN_WAIT_S``)."""


#: How long a run waits for one of its address's slots before it is refused.
RUN_WAIT_S = 20.0


class RunSlots:
    """At most KUMOBEN_RUNS_PER_ADDRESS engine computations (an instant run, the rebuild of a
    resume or fork) of one address at once in this process. A further one waits its turn (a
    class behind one NAT address presses Play together), at most ``RUN_WAIT_S``."""

    def __init__(self) -> None:
        self.running: Counter[str] = Counter()
        self.freed: dict[str, asyncio.Event] = {}

    def limit(self) -> int:
        return int(getattr(settings, "KUMOBEN_RUNS_PER_ADDRESS", 2))

    def full(self, address: str) -> bool:
        """Every slot of ``address`` is taken: a further run would wait."""
        return self.running[address] >= self.limit()

    @contextlib.asynccontextmanager
    async def slot(self, address: str, wait_s: float | None = None) -> AsyncIterator[None]:
        """Hold one of ``address``'s slots; wait at most ``wait_s`` (RUN_WAIT_S) for one."""
        deadline = time.monotonic() + (RUN_WAIT_S if wait_s is None else wait_s)
        while self.running[address] >= self.limit():
            freed = self.freed.setdefault(address, asyncio.Event())
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise asyncio.TimeoutError
                await asyncio.wait_for(freed.wait(), timeout=None if math.isinf(left) else left)
            except asyncio.TimeoutError:
                raise RunsBusy(
                    "run",
                    f"at most {self.limit()} runs at once from one address; try again when one "
                    "has finished",
                ) from None
        self.running[address] += 1
        try:
            yield
        finally:
            self.running[address] -= 1
            if self.running[address] <= 0:
                del self.running[address]
            freed = self.freed.pop(address, None)
            if freed is not None:
                freed.set()  # every waiter looks again; those still over the limit wait anew


#: This process's run slots (the playground's socket and its instant-run endpoint share them).
RUN_SLOTS = RunSlots()
