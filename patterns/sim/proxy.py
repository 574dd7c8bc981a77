"""Envoy data-plane model shared by App Mesh and Service Connect.

One client-side Envoy holds one :class:`EnvoyCluster` per upstream cluster; two proxies never share
outlier state (checkable fact 27). Every behaviour has three roles, as Envoy does: a frozen config
with named defaults, a small per-host monitor, and a policy that owns caps and back-off.

API (times are virtual seconds, ``rng`` is the run's ``random.Random``)::

    OutlierDetectionConfig(consecutive_5xx=5, interval_s=10.0, base_ejection_time_s=30.0,
                           max_ejection_time_s=None -> max(300.0, base), max_ejection_percent=10.0,
                           enforcing_consecutive_5xx=100.0, failure_window_s=0.0)
        # failure_window_s 0: Envoy's consecutive-5xx rule (a success resets the count).
        # failure_window_s > 0: the host is detected once consecutive_5xx errors fall within
        # that many seconds, successes in between or not (Service Connect's documented rule).
    RetryPolicy(num_retries=1, retry_on=("5xx",), retriable_status_codes=(),
                backoff_base_s=0.025, backoff_max_s=None -> 10 x base,
                avoid_previous_hosts=False)   # Envoy's previous_hosts retry host predicate
        .retriable(reason) -> bool            # reason: an outcome code such as "http_503", "reset"
        .backoff_s(retry_number, rng) -> float
        .decide(reason, retries_done, now, deadline, rng) -> RetryDecision | None
    MESH_DEFAULT_RETRY_POLICY                 # App Mesh's default route retry policy (2 retries)
    EnvoyClusterConfig(lb_policy="round_robin", panic_threshold_percent=50.0,
                       outlier_detection=None, route_timeout_s=15.0, idle_timeout_s=300.0,
                       retry_policy=None)
        .deadline(start_s) -> float           # when the route (or idle) timeout ends a request
    EnvoyCluster(config, rng, hosts=(), now=0.0)
        .set_hosts(hosts, now)                # EDS update; keeps outlier state of hosts that stay
        .pick(now) -> (host | None, cause)    # round_robin / least_request_p2c / random_pick /
                                              # panic_mode / no_healthy_upstream
        .pick_retry(now, tried, last) -> (host | None, cause, skipped)   # previous_hosts predicate
        .on_start(host)                       # an attempt to host begins (least request counts it)
        .on_finish(host, now, reason) -> list[ProxyEvent]   # reason None = success
        .sweep(now) -> list[ProxyEvent]       # runs every interval tick <= now, each at its time
        .next_sweep_s -> float | None         # the next tick (None without outlier detection)
        .ejected() -> dict[host, earliest return time]
        .counters -> OutlierCounters(detected, enforced, refused, not_enforced)
        .snapshot() -> dict                   # JSON-ready state for diagrams
    ProxyEvent(t, kind, cause, host, detail)  # (kind, cause) pairs:
        # outlier_ejected / outlier_ejected            detected and enforced (inline, Nth error)
        # outlier_ejection_refused / max_ejection_percent_refused   detected, cap refused it
        # outlier_not_enforced / consecutive_5xx       detected, enforcing_consecutive_5xx roll lost
        # outlier_returned / outlier_returned          ejection time over, back at a sweep

The caller must run ``sweep(now)`` before ``pick(now)`` (or at each ``next_sweep_s``); both are cheap
when nothing is due. Outlier errors in the default, non-split mode are any ``http_5xx`` plus the
local-origin failures ``connect_refused``, ``connect_timeout``, ``reset`` and ``timeout``.
Sources: aws-semantics.md section 5 (ENV-OD, ENV-LB, ENV-PANIC, ENV-RTR, ENV-ROUTE) and Envoy's
``source/common/upstream/outlier_detection_impl.cc``.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .trace import CONNECT_REFUSED, CONNECT_TIMEOUT, HTTP_503, RESET, TIMEOUT

# Outlier detection (envoy.config.cluster.v3.OutlierDetection).
DEFAULT_CONSECUTIVE_5XX = 5
DEFAULT_INTERVAL_S = 10.0
DEFAULT_BASE_EJECTION_TIME_S = 30.0
DEFAULT_MAX_EJECTION_TIME_S = 300.0
DEFAULT_MAX_EJECTION_PERCENT = 10.0
DEFAULT_ENFORCING_CONSECUTIVE_5XX = 100.0
# Load balancing and routing.
DEFAULT_PANIC_THRESHOLD_PERCENT = 50.0
DEFAULT_ROUTE_TIMEOUT_S = 15.0
DEFAULT_IDLE_TIMEOUT_S = 300.0
# Retries: Envoy retries once when a policy names no count; back-off cap is 10 x base.
DEFAULT_NUM_RETRIES = 1
DEFAULT_RETRY_BACKOFF_BASE_S = 0.025
DEFAULT_RETRY_BACKOFF_MAX_FACTOR = 10

LB_ROUND_ROBIN = "round_robin"
LB_LEAST_REQUEST = "least_request"
LB_RANDOM = "random"
LB_POLICIES = (LB_ROUND_ROBIN, LB_LEAST_REQUEST, LB_RANDOM)

RETRY_ON_NAMES = (
    "5xx",
    "gateway-error",
    "reset",
    "connect-failure",
    "refused-stream",
    "retriable-4xx",
    "retriable-status-codes",
)

# Cause codes this module puts on picks and events (keys of causes.CAUSES).
CAUSE_ROUND_ROBIN = "round_robin"
CAUSE_LEAST_REQUEST = "least_request_p2c"
CAUSE_RANDOM = "random_pick"
CAUSE_PANIC = "panic_mode"
CAUSE_NO_HEALTHY_UPSTREAM = "no_healthy_upstream"
CAUSE_CONSECUTIVE_5XX = "consecutive_5xx"  # detected, not (yet) enforced
CAUSE_OUTLIER_EJECTED = "outlier_ejected"  # detected and enforced
CAUSE_OUTLIER_RETURNED = "outlier_returned"
CAUSE_MAX_EJECTION_PERCENT_REFUSED = "max_ejection_percent_refused"
CAUSE_RETRY_ON_503 = "retry_on_503"
CAUSE_RETRY_ON_5XX = "retry_on_5xx"
CAUSE_RETRY_ON_CONNECT_FAILURE = "retry_on_connect_failure"
CAUSE_RETRY_ON_RESET = "retry_on_reset"
CAUSE_RETRY_ON_TIMEOUT = "retry_on_timeout"
CAUSE_RETRY_ON_STATUS = "retry_on_status"
CAUSE_RETRIES_EXHAUSTED = "retry_budget_exhausted"
CAUSE_ROUTE_TIMEOUT = "route_timeout"

KIND_EJECTED = "outlier_ejected"
KIND_RETURNED = "outlier_returned"
KIND_REFUSED = "outlier_ejection_refused"
KIND_NOT_ENFORCED = "outlier_not_enforced"

_CONNECT_FAILURES = frozenset({CONNECT_REFUSED, CONNECT_TIMEOUT})
_LOCAL_ORIGIN_ERRORS = frozenset({CONNECT_REFUSED, CONNECT_TIMEOUT, RESET, TIMEOUT})
_LB_CAUSES = {
    LB_ROUND_ROBIN: CAUSE_ROUND_ROBIN,
    LB_LEAST_REQUEST: CAUSE_LEAST_REQUEST,
    LB_RANDOM: CAUSE_RANDOM,
}
# Sweep ticks are computed as start + k * interval; float subtraction can land a hair short of a
# boundary (30.1 - 0.1 = 29.999...), so elapsed-time comparisons allow this much slack.
_EPS = 1e-9


def is_outlier_error(reason: str | None) -> bool:
    """Whether an attempt outcome counts as a 5xx for outlier detection (non-split mode)."""
    if reason is None:
        return False
    return reason in _LOCAL_ORIGIN_ERRORS or reason.startswith("http_5")


def _status_of(reason: str) -> int | None:
    if reason.startswith("http_") and reason[5:].isdigit():
        return int(reason[5:])
    return None


# --- configs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutlierDetectionConfig:
    """Outlier detection with Envoy's defaults (ENV-OD).

    ``failure_window_s`` 0 is Envoy's consecutive-5xx rule. Above 0 the threshold counts errors
    inside a sliding window instead (a success does not reset it): Service Connect documents
    "5 or more failures to one task within 30 s" (aws-facts-2026 3.9).
    """

    consecutive_5xx: int = DEFAULT_CONSECUTIVE_5XX
    interval_s: float = DEFAULT_INTERVAL_S
    base_ejection_time_s: float = DEFAULT_BASE_EJECTION_TIME_S
    max_ejection_time_s: float | None = None
    max_ejection_percent: float = DEFAULT_MAX_EJECTION_PERCENT
    enforcing_consecutive_5xx: float = DEFAULT_ENFORCING_CONSECUTIVE_5XX
    failure_window_s: float = 0.0

    def __post_init__(self) -> None:
        if self.failure_window_s < 0:
            raise ValueError("failure_window_s: must be zero (consecutive errors) or positive")
        if self.consecutive_5xx < 1:
            raise ValueError("consecutive_5xx: must be at least 1")
        if self.interval_s <= 0:
            raise ValueError("interval_s: must be positive")
        if self.base_ejection_time_s <= 0:
            raise ValueError("base_ejection_time_s: must be positive")
        if self.max_ejection_time_s is not None and (
            self.max_ejection_time_s < self.base_ejection_time_s
        ):
            raise ValueError("max_ejection_time_s: cannot be smaller than base_ejection_time_s")
        if not 0 <= self.max_ejection_percent <= 100:
            raise ValueError("max_ejection_percent: must be between 0 and 100")
        if not 0 <= self.enforcing_consecutive_5xx <= 100:
            raise ValueError("enforcing_consecutive_5xx: must be between 0 and 100")

    @property
    def effective_max_ejection_time_s(self) -> float:
        """Envoy uses max(300 s, base) when max_ejection_time is not set."""
        if self.max_ejection_time_s is not None:
            return self.max_ejection_time_s
        return max(DEFAULT_MAX_EJECTION_TIME_S, self.base_ejection_time_s)

    def ejection_time_s(self, multiplier: int) -> float:
        """How long an ejection lasts at a given multiplier (times ejected in a row).

        base x multiplier capped at max: with the defaults 1 -> 30 s, 2 -> 60 s, 3 -> 90 s,
        10 -> 300 s and 11 -> 300 s.
        """
        return min(self.base_ejection_time_s * multiplier, self.effective_max_ejection_time_s)


@dataclass(frozen=True, slots=True)
class RetryDecision:
    """What the router does after a failed attempt.

    ``retry`` True: start attempt number ``retries_done + 1`` at ``at_s``. False: the request ends
    at ``at_s`` (``cause`` route_timeout: the route timeout fired during the back-off, so the
    caller gets a 504 ``timeout``; retry_budget_exhausted: it ends with the attempt's reason).
    """

    retry: bool
    at_s: float
    cause: str


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """An Envoy route retry policy (ENV-RTR): which outcomes to retry, how often, back-off."""

    num_retries: int = DEFAULT_NUM_RETRIES
    retry_on: tuple[str, ...] = ("5xx",)
    retriable_status_codes: tuple[int, ...] = ()
    backoff_base_s: float = DEFAULT_RETRY_BACKOFF_BASE_S
    backoff_max_s: float | None = None
    # Envoy's previous_hosts retry host predicate: a retry re-picks rather than go to a host this
    # request already tried (Service Connect: "a retry avoids the host that just failed").
    avoid_previous_hosts: bool = False

    def __post_init__(self) -> None:
        if self.num_retries < 0:
            raise ValueError("num_retries: must be zero or more")
        unknown = [name for name in self.retry_on if name not in RETRY_ON_NAMES]
        if unknown:
            raise ValueError(f"retry_on: unknown retry condition {unknown[0]!r}")
        if self.backoff_base_s <= 0:
            raise ValueError("backoff_base_s: must be positive")
        if self.backoff_max_s is not None and self.backoff_max_s < self.backoff_base_s:
            raise ValueError("backoff_max_s: cannot be smaller than backoff_base_s")

    @property
    def effective_backoff_max_s(self) -> float:
        if self.backoff_max_s is not None:
            return self.backoff_max_s
        return self.backoff_base_s * DEFAULT_RETRY_BACKOFF_MAX_FACTOR

    def retriable(self, reason: str) -> bool:
        """Whether an attempt that ended with outcome ``reason`` may be retried."""
        on = self.retry_on
        status = _status_of(reason)
        if status is not None:
            if "5xx" in on and 500 <= status <= 599:
                return True
            if "gateway-error" in on and status in (502, 503, 504):
                return True
            if "retriable-4xx" in on and status == 409:
                return True
            return "retriable-status-codes" in on and status in self.retriable_status_codes
        if reason in _CONNECT_FAILURES:
            return any(name in on for name in ("5xx", "gateway-error", "reset", "connect-failure"))
        if reason in (RESET, TIMEOUT):
            # A reset or a per-try timeout is a reset of the upstream stream for Envoy.
            return any(name in on for name in ("5xx", "gateway-error", "reset"))
        return False

    def backoff_s(self, retry_number: int, rng: random.Random) -> float:
        """Fully jittered exponential back-off before retry ``retry_number`` (1-based).

        Retry N waits U[0, (2^N - 1) x base), the upper bound capped at max (10 x base). With
        the 25 ms base: retry 1 -> [0, 25 ms), 2 -> [0, 75 ms), 3 -> [0, 175 ms), 4 and later
        -> [0, 250 ms) because 375 ms is over the 250 ms cap.
        """
        if retry_number < 1:
            raise ValueError("retry_number: must be at least 1")
        exponent = min(retry_number, 32)
        upper = min(((1 << exponent) - 1) * self.backoff_base_s, self.effective_backoff_max_s)
        return rng.random() * upper

    def decide(
        self, reason: str, retries_done: int, now: float, deadline: float, rng: random.Random
    ) -> RetryDecision | None:
        """Decide on a failed attempt; None when the policy does not cover ``reason``."""
        if not self.retriable(reason):
            return None
        if retries_done >= self.num_retries:
            return RetryDecision(False, now, CAUSE_RETRIES_EXHAUSTED)
        at = now + self.backoff_s(retries_done + 1, rng)
        if at >= deadline:
            return RetryDecision(False, deadline, CAUSE_ROUTE_TIMEOUT)
        return RetryDecision(True, at, retry_cause(reason))


def retry_cause(reason: str) -> str:
    """The cause code for retrying an attempt that ended with ``reason``."""
    if reason == HTTP_503:
        return CAUSE_RETRY_ON_503
    if reason in _CONNECT_FAILURES:
        return CAUSE_RETRY_ON_CONNECT_FAILURE
    if reason == RESET:
        return CAUSE_RETRY_ON_RESET
    if reason == TIMEOUT:
        return CAUSE_RETRY_ON_TIMEOUT
    if reason.startswith("http_5"):
        return CAUSE_RETRY_ON_5XX
    return CAUSE_RETRY_ON_STATUS


# App Mesh's default route policy (AM-DEF): 2 retries on HTTP 503, connect-failure, refused-stream
# and reset. gRPC UNAVAILABLE is not modelled because the sample system speaks HTTP.
MESH_DEFAULT_RETRY_POLICY = RetryPolicy(
    num_retries=2,
    retry_on=("retriable-status-codes", "connect-failure", "refused-stream", "reset"),
    retriable_status_codes=(503,),
)


@dataclass(frozen=True, slots=True)
class EnvoyClusterConfig:
    """One upstream cluster as a client-side Envoy sees it (routing + load balancing)."""

    lb_policy: str = LB_ROUND_ROBIN
    panic_threshold_percent: float = DEFAULT_PANIC_THRESHOLD_PERCENT
    outlier_detection: OutlierDetectionConfig | None = None
    route_timeout_s: float = DEFAULT_ROUTE_TIMEOUT_S
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S
    retry_policy: RetryPolicy | None = None

    def __post_init__(self) -> None:
        if self.lb_policy not in LB_POLICIES:
            raise ValueError(f"lb_policy: must be one of {', '.join(LB_POLICIES)}")
        if not 0 <= self.panic_threshold_percent <= 100:
            raise ValueError("panic_threshold_percent: must be between 0 and 100")
        if self.route_timeout_s < 0:
            raise ValueError("route_timeout_s: must be zero (off) or positive")
        if self.idle_timeout_s < 0:
            raise ValueError("idle_timeout_s: must be zero (off) or positive")

    def deadline(self, start_s: float) -> float:
        """When a request started at ``start_s`` is ended by a timeout (inf if none applies).

        The route timeout covers every attempt and back-off; 0 turns it off, and then only the
        stream idle timeout (which a hung upstream also trips) is left.
        """
        if self.route_timeout_s > 0:
            return start_s + self.route_timeout_s
        if self.idle_timeout_s > 0:
            return start_s + self.idle_timeout_s
        return math.inf


# --- events and counters -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProxyEvent:
    """Something a proxy's outlier detector did; the engine turns it into a trace event."""

    t: float
    kind: str
    cause: str
    host: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class OutlierCounters:
    """Detected vs enforced vs refused, as Envoy's outlier_detection.* stats split them."""

    detected: int = 0
    enforced: int = 0
    refused: int = 0
    not_enforced: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "detected": self.detected,
            "enforced": self.enforced,
            "refused": self.refused,
            "not_enforced": self.not_enforced,
        }


# --- outlier detection: per-host monitor and the detector policy ---------------------------------


class HostMonitor:
    """Error counter (consecutive, or the times of recent errors) and ejection history of one host."""

    __slots__ = (
        "threshold",
        "window_s",
        "error_times",
        "consecutive_errors",
        "ejected",
        "ejected_at",
        "multiplier",
        "times_ejected",
        "last_returned_at",
    )

    def __init__(self, threshold: int, window_s: float = 0.0) -> None:
        self.threshold = threshold
        self.window_s = window_s
        self.error_times: deque[float] | None = deque() if window_s > 0 else None
        self.consecutive_errors = 0
        self.ejected = False
        self.ejected_at = 0.0
        self.multiplier = 0
        self.times_ejected = 0
        self.last_returned_at: float | None = None

    def on_error(self, now: float = 0.0) -> bool:
        """Count an error; True exactly when the count reaches the threshold.

        In window mode the count is the errors at most ``window_s`` before ``now`` (this one
        included); ``consecutive_errors`` then holds that count.
        """
        times = self.error_times
        if times is None:
            self.consecutive_errors += 1
            return self.consecutive_errors == self.threshold
        times.append(now)
        oldest = now - self.window_s - _EPS
        while times[0] < oldest:
            times.popleft()
        self.consecutive_errors = len(times)
        return self.consecutive_errors == self.threshold

    def on_success(self) -> None:
        if self.error_times is None:
            self.consecutive_errors = 0

    def clear_errors(self) -> None:
        self.consecutive_errors = 0
        if self.error_times is not None:
            self.error_times.clear()


class OutlierDetector:
    """The policy: ejection caps, ejection time back-off and the interval sweep (ENV-OD).

    Ejection time is base x multiplier, capped at max. The multiplier rises by one on each
    ejection (while multiplier x base < max + base) and falls by one at each sweep that finds the
    host in service and returned at least one interval ago, so only ejections "in a row" grow.
    Worked example (defaults, sweeps at 10, 20, 30 ...): a host ejected at 12.3 s (multiplier 1,
    30 s) is still out at the 40 s sweep (27.7 s elapsed) and back at the 50 s sweep (37.7 s).
    Ejected again at 51.0 s, before the 60 s sweep could lower the multiplier, it gets 2 x 30 =
    60 s: still out at 110 s (59.0 s elapsed), back at 120 s.
    """

    def __init__(self, config: OutlierDetectionConfig, rng: random.Random, now: float) -> None:
        self.config = config
        self.counters = OutlierCounters()
        self._rng = rng
        self._start = now
        self._ticks_done = 0
        self._monitors: dict[str, HostMonitor] = {}
        self._ejected_count = 0

    @property
    def ejected_count(self) -> int:
        return self._ejected_count

    @property
    def next_sweep_s(self) -> float:
        return self._start + (self._ticks_done + 1) * self.config.interval_s

    def monitor(self, host: str) -> HostMonitor | None:
        return self._monitors.get(host)

    def set_hosts(self, hosts: Sequence[str]) -> None:
        """Keep monitors of hosts that stay, start fresh ones for new hosts, forget the rest."""
        old = self._monitors
        fresh: dict[str, HostMonitor] = {}
        for host in hosts:
            fresh[host] = old.get(host) or HostMonitor(
                self.config.consecutive_5xx, self.config.failure_window_s
            )
        self._monitors = fresh
        self._ejected_count = sum(1 for monitor in fresh.values() if monitor.ejected)

    def is_ejected(self, host: str) -> bool:
        monitor = self._monitors.get(host)
        return monitor is not None and monitor.ejected

    def record(self, host: str, now: float, reason: str | None) -> list[ProxyEvent]:
        """Account one attempt's outcome; ejects inline on the Nth consecutive error."""
        monitor = self._monitors.get(host)
        if monitor is None:
            return []
        if not is_outlier_error(reason):
            monitor.on_success()
            return []
        if not monitor.on_error(now) or monitor.ejected:
            return []
        self.counters.detected += 1
        event = self._try_eject(host, monitor, now)
        # Envoy clears the counter after a detection whether or not it ejected, so a refused
        # host needs another full run of errors before the next attempt.
        monitor.clear_errors()
        return [event]

    def _ejection_allowed(self) -> bool:
        # At most max_ejection_percent of hosts, but one host can always be ejected (Envoy with
        # always_eject_one_host): with 10 % and 10 hosts, a 2nd ejection would be 20 % > 10 %.
        hosts = len(self._monitors)
        ejected = self._ejected_count
        return ejected == 0 or 100.0 * (ejected + 1) <= self.config.max_ejection_percent * hosts

    def _try_eject(self, host: str, monitor: HostMonitor, now: float) -> ProxyEvent:
        detail: dict[str, Any] = {
            "consecutive_errors": self.config.consecutive_5xx,
            "ejected_hosts": self._ejected_count,
            "hosts": len(self._monitors),
        }
        if self.config.failure_window_s:
            detail["failure_window_s"] = self.config.failure_window_s
        if not self._ejection_allowed():
            self.counters.refused += 1
            detail["max_ejection_percent"] = self.config.max_ejection_percent
            return ProxyEvent(now, KIND_REFUSED, CAUSE_MAX_EJECTION_PERCENT_REFUSED, host, detail)
        enforcing = self.config.enforcing_consecutive_5xx
        if enforcing < 100 and self._rng.random() * 100 >= enforcing:
            self.counters.not_enforced += 1
            detail["enforcing_percent"] = enforcing
            return ProxyEvent(now, KIND_NOT_ENFORCED, CAUSE_CONSECUTIVE_5XX, host, detail)
        self.counters.enforced += 1
        self._eject(monitor, now)
        duration = self.config.ejection_time_s(monitor.multiplier)
        detail.update(
            {
                "ejected_hosts": self._ejected_count,
                "multiplier": monitor.multiplier,
                "times_ejected": monitor.times_ejected,
                "ejection_time_s": duration,
                "until": now + duration,
            }
        )
        return ProxyEvent(now, KIND_EJECTED, CAUSE_OUTLIER_EJECTED, host, detail)

    def _eject(self, monitor: HostMonitor, now: float) -> None:
        config = self.config
        monitor.ejected = True
        monitor.ejected_at = now
        monitor.times_ejected += 1
        if monitor.multiplier * config.base_ejection_time_s < (
            config.effective_max_ejection_time_s + config.base_ejection_time_s
        ):
            monitor.multiplier += 1
        self._ejected_count += 1

    def _idle(self) -> bool:
        return self._ejected_count == 0 and all(
            monitor.multiplier == 0 for monitor in self._monitors.values()
        )

    def sweep(self, now: float) -> list[ProxyEvent]:
        """Run every interval tick at or before ``now``, each at its own time."""
        interval = self.config.interval_s
        due = math.floor((now - self._start) / interval + _EPS)
        if due <= self._ticks_done:
            return []
        if self._idle():
            self._ticks_done = due
            return []
        events: list[ProxyEvent] = []
        while self._ticks_done < due:
            self._ticks_done += 1
            events.extend(self._tick(self._start + self._ticks_done * interval))
        return events

    def _tick(self, tick: float) -> list[ProxyEvent]:
        config = self.config
        events: list[ProxyEvent] = []
        for host, monitor in self._monitors.items():
            if not monitor.ejected:
                continue
            duration = config.ejection_time_s(monitor.multiplier)
            if tick - monitor.ejected_at + _EPS >= duration:
                monitor.ejected = False
                monitor.clear_errors()
                monitor.last_returned_at = tick
                self._ejected_count -= 1
                detail = {"ejected_at": monitor.ejected_at, "ejection_time_s": duration}
                events.append(ProxyEvent(tick, KIND_RETURNED, CAUSE_OUTLIER_RETURNED, host, detail))
        for monitor in self._monitors.values():
            returned = monitor.last_returned_at
            if (
                not monitor.ejected
                and monitor.multiplier > 0
                and returned is not None
                and tick - returned + _EPS >= config.interval_s
            ):
                monitor.multiplier -= 1
        return events

    def ejected(self) -> dict[str, float]:
        """Ejected hosts and the earliest time each can return (the next sweep after it)."""
        return {
            host: monitor.ejected_at + self.config.ejection_time_s(monitor.multiplier)
            for host, monitor in self._monitors.items()
            if monitor.ejected
        }


# --- the cluster: load balancing over the hosts one proxy knows ----------------------------------


class EnvoyCluster:
    """One client proxy's view of one upstream cluster: hosts, load balancer, outlier state."""

    def __init__(
        self,
        config: EnvoyClusterConfig,
        rng: random.Random,
        hosts: Iterable[str] = (),
        now: float = 0.0,
    ) -> None:
        self.config = config
        self._rng = rng
        self._random = rng.random
        self._detector = (
            OutlierDetector(config.outlier_detection, rng, now)
            if config.outlier_detection is not None
            else None
        )
        self._hosts: list[str] = []
        self._active: dict[str, int] = {}
        self._pool: list[str] = []
        self._pool_cause = CAUSE_NO_HEALTHY_UPSTREAM
        self._lb_cause = _LB_CAUSES[config.lb_policy]
        self._policy = config.lb_policy
        # Start round robin at a random host so that proxies do not all hit the same host first.
        self._rr_next = int(self._random() * 1024)
        self.set_hosts(hosts, now)

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(self._hosts)

    @property
    def counters(self) -> OutlierCounters:
        return self._detector.counters if self._detector is not None else OutlierCounters()

    @property
    def next_sweep_s(self) -> float | None:
        return self._detector.next_sweep_s if self._detector is not None else None

    def active(self, host: str) -> int:
        return self._active.get(host, 0)

    def set_hosts(self, hosts: Iterable[str], now: float) -> None:
        """Replace the endpoint set (an EDS push); in-flight counts survive for hosts that stay."""
        del now  # accepted for symmetry with the other calls; an EDS update has no timer
        self._hosts = list(dict.fromkeys(hosts))
        self._active = {host: self._active.get(host, 0) for host in self._hosts}
        if self._detector is not None:
            self._detector.set_hosts(self._hosts)
        self._rebuild_pool()

    def _rebuild_pool(self) -> None:
        # Called only when membership or ejections change, so pick() never builds a list.
        hosts = self._hosts
        detector = self._detector
        available = hosts if detector is None else [h for h in hosts if not detector.is_ejected(h)]
        threshold = self.config.panic_threshold_percent
        if hosts and len(available) * 100.0 < threshold * len(hosts):
            self._pool, self._pool_cause = hosts, CAUSE_PANIC
        elif available:
            self._pool, self._pool_cause = available, self._lb_cause
        else:
            self._pool, self._pool_cause = [], CAUSE_NO_HEALTHY_UPSTREAM

    def pick(self, now: float) -> tuple[str | None, str]:
        """Choose the host for one attempt, with the cause code of the choice."""
        pool = self._pool
        size = len(pool)
        if size == 0:
            return None, CAUSE_NO_HEALTHY_UPSTREAM
        policy = self._policy
        if policy == LB_ROUND_ROBIN:
            index = self._rr_next
            self._rr_next = index + 1
            return pool[index % size], self._pool_cause
        if policy == LB_RANDOM:
            return pool[int(self._random() * size)], self._pool_cause
        # Least request, equal weights: two random draws (with replacement), fewer active wins,
        # the first draw wins a tie.
        first = pool[int(self._random() * size)]
        second = pool[int(self._random() * size)]
        active = self._active
        if active[second] < active[first]:
            return second, self._pool_cause
        return first, self._pool_cause

    def pick_retry(
        self, now: float, tried: Sequence[str], last: str
    ) -> tuple[str | None, str, list[str]]:
        """Pick for a retry with Envoy's previous_hosts predicate: skip hosts in ``tried``.

        Re-picks up to once per host in the pool (round robin then visits each host once), so a
        host not yet tried is found when one exists; otherwise the first pick that is not
        ``last`` (the host that just failed), and only a pool of that one host picks it again.
        Returns the host, the cause of the pick and the hosts skipped on the way.
        """
        chosen: tuple[str, str] | None = None
        skipped: list[str] = []
        for _ in range(len(self._pool)):
            host, cause = self.pick(now)
            if host is None:
                break
            if host not in tried:
                return host, cause, skipped
            skipped.append(host)
            if chosen is None or (chosen[0] == last and host != last):
                chosen = (host, cause)
        if chosen is None:
            return None, CAUSE_NO_HEALTHY_UPSTREAM, skipped
        return chosen[0], chosen[1], skipped

    def on_start(self, host: str) -> None:
        if host in self._active:
            self._active[host] += 1

    def on_finish(self, host: str, now: float, reason: str | None) -> list[ProxyEvent]:
        """An attempt to ``host`` ended at ``now`` with ``reason`` (None = success)."""
        count = self._active.get(host)
        if count:
            self._active[host] = count - 1
        detector = self._detector
        if detector is None:
            return []
        events = detector.record(host, now, reason)
        if events and events[0].kind == KIND_EJECTED:
            self._rebuild_pool()
        return events

    def sweep(self, now: float) -> list[ProxyEvent]:
        """Run the outlier detector's interval sweeps due by ``now``; returns un-ejections."""
        if self._detector is None:
            return []
        events = self._detector.sweep(now)
        if events:
            self._rebuild_pool()
        return events

    def ejected(self) -> dict[str, float]:
        return self._detector.ejected() if self._detector is not None else {}

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready state: hosts, in-flight counts, ejections, multipliers, counters."""
        multipliers: dict[str, int] = {}
        if self._detector is not None:
            for host in self._hosts:
                monitor = self._detector.monitor(host)
                if monitor is not None and monitor.multiplier:
                    multipliers[host] = monitor.multiplier
        return {
            "hosts": list(self._hosts),
            "active": {host: n for host, n in self._active.items() if n},
            "ejected": self.ejected(),
            "multipliers": multipliers,
            "panic": self._pool_cause == CAUSE_PANIC,
            "counters": self.counters.as_dict(),
        }
