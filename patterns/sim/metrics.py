"""Per-second metrics from every request (never sampled) and the summary built from them.

Buckets are keyed by the second a request (or attempt) *started*, so a bucket's ``requests`` may
exceed ``ok + errors`` while some of its requests are still in flight.
"""

from __future__ import annotations

import math
from typing import Any


def percentile_ms(sorted_latencies_s: list[float], p: float) -> float | None:
    """Nearest-rank percentile in milliseconds of an ascending list of seconds.

    Example: for [0.010, 0.020, 0.030, 0.040] the p50 is the 2nd value (ceil(0.5*4) = 2), 20 ms,
    and the p99 the 4th (ceil(0.99*4) = 4), 40 ms.
    """
    n = len(sorted_latencies_s)
    if n == 0:
        return None
    rank = max(1, math.ceil(p / 100.0 * n))
    return round(sorted_latencies_s[rank - 1] * 1000.0, 3)


class EdgeMetrics:
    """Client-side numbers for one caller service -> callee name."""

    __slots__ = ("caller", "callee", "buckets", "errors", "retries")

    def __init__(self, caller: str, callee: str) -> None:
        self.caller = caller
        self.callee = callee
        # second -> [requests, ok, {reason: n}, [latency_s, ...]]
        self.buckets: dict[int, list[Any]] = {}
        self.errors: dict[str, int] = {}
        self.retries = 0

    # The request and success totals are the sums of the per-second buckets, added up when read
    # (the request path counts each request once, in its bucket, instead of twice).

    @property
    def requests(self) -> int:
        return sum(bucket[0] for bucket in self.buckets.values())

    @property
    def ok(self) -> int:
        return sum(bucket[1] for bucket in self.buckets.values())

    @property
    def finished(self) -> int:
        """Requests that ended, ok or not: each left its latency in its bucket."""
        return sum(len(bucket[3]) for bucket in self.buckets.values())

    def bucket(self, sec: int) -> list[Any]:
        bucket = self.buckets.get(sec)
        if bucket is None:
            bucket = self.buckets[sec] = [0, 0, {}, []]
        return bucket

    def latencies(self) -> list[float]:
        out: list[float] = []
        for sec in sorted(self.buckets):
            out.extend(self.buckets[sec][3])
        return out

    def timeline(self) -> list[dict[str, Any]]:
        rows = []
        for sec in sorted(self.buckets):
            requests, ok, errors, lats = self.buckets[sec]
            ordered = sorted(lats)
            rows.append(
                {
                    "t": sec,
                    "service": self.caller,
                    "to": self.callee,
                    "requests": requests,
                    "ok": ok,
                    "errors": dict(sorted(errors.items())),
                    "p50_ms": percentile_ms(ordered, 50),
                    "p99_ms": percentile_ms(ordered, 99),
                }
            )
        return rows


def task_timeline(
    task_id: str, service: str, az: str, buckets: dict[int, list[Any]]
) -> list[dict[str, Any]]:
    """Rows of the per-destination-task timeline from a task's buckets."""
    rows = []
    for sec in sorted(buckets):
        attempts, ok, errors = buckets[sec]
        rows.append(
            {
                "t": sec,
                "task": task_id,
                "service": service,
                "az": az,
                "attempts": attempts,
                "ok": ok,
                "errors": dict(sorted(errors.items())),
            }
        )
    return rows


def error_windows(per_second_errors: dict[int, int], gap_s: int = 5) -> list[dict[str, Any]]:
    """Group seconds with client errors into windows; a quiet gap longer than ``gap_s`` splits them.

    Example: errors {60: 3, 61: 2, 70: 1, 74: 4} with gap 5: 61 -> 70 is 9 s apart, so a new
    window starts; 70 -> 74 is 4 s apart, so it joins: [60, 62) count 5 and [70, 75) count 5.
    """
    windows: list[dict[str, Any]] = []
    for sec in sorted(per_second_errors):
        count = per_second_errors[sec]
        if count <= 0:
            continue
        if windows and sec - (windows[-1]["to_t"] - 1) <= gap_s:
            windows[-1]["to_t"] = sec + 1
            windows[-1]["count"] += count
        else:
            windows.append(
                {"kind": "client_error_window", "from_t": sec, "to_t": sec + 1, "count": count}
            )
    return windows
