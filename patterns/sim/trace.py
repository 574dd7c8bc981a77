"""Trace events and the outcome codes every pattern shares.

Control-plane events (health checks, registrations, ejections...) are always recorded. Request hops
are recorded only for a deterministic sample (every Nth request, ``trace.request_sample_every``);
metrics count every request, so the sample only thins the animation, never the numbers.
"""

from __future__ import annotations

from typing import Any

from .causes import CAUSES

HTTP_500 = "http_500"
HTTP_502 = "http_502"
HTTP_503 = "http_503"
HTTP_504 = "http_504"
CONNECT_REFUSED = "connect_refused"
CONNECT_TIMEOUT = "connect_timeout"
RESET = "reset"
TIMEOUT = "timeout"
NO_HEALTHY_UPSTREAM = "no_healthy_upstream"
DNS_NXDOMAIN = "dns_nxdomain"

#: Outcome codes with a fixed name; any ``http_<status>`` is also valid.
OUTCOMES: tuple[str, ...] = (
    HTTP_500,
    HTTP_502,
    HTTP_503,
    HTTP_504,
    CONNECT_REFUSED,
    CONNECT_TIMEOUT,
    RESET,
    TIMEOUT,
    NO_HEALTHY_UPSTREAM,
    DNS_NXDOMAIN,
)


def http_reason(status: int) -> str:
    """The outcome code for an HTTP status answered to the caller (``http_503``)."""
    return f"http_{status}"


def is_connect_failure(reason: str) -> bool:
    """True for failures where no request reached the application."""
    return reason in (CONNECT_REFUSED, CONNECT_TIMEOUT)


class Trace:
    """An append-only list of JSON-ready events; time never goes backwards within it."""

    __slots__ = ("events", "sample_every", "_read")

    def __init__(self, sample_every: int) -> None:
        self.events: list[dict[str, Any]] = []
        self.sample_every = sample_every
        self._read = 0

    def add(self, t: float, kind: str, cause: str, **fields: Any) -> None:
        if cause not in CAUSES:  # a programming error, caught by the tests
            raise KeyError(f"unknown cause code {cause!r}")
        event: dict[str, Any] = {"t": round(t, 6), "kind": kind, "cause": cause}
        event.update(fields)
        self.events.append(event)

    def take_new(self) -> list[dict[str, Any]]:
        """Events recorded since the previous call (what ``advance()`` returns)."""
        new = self.events[self._read :]
        self._read = len(self.events)
        return new
