"""Simulation engine benchmark: the standard load under every pattern against a minimal baseline.

Standard load: the sample system (user, contract, inventory, billing; 3 tasks each), 200 requests/s
in total over its three calls, 600 virtual seconds (about 120,000 requests). Beside it, in the same
process, a minimal hand-written heapq round-robin model of the same traffic (Poisson arrivals,
round robin over the callee's tasks, a completion event per request, per-second counts and
latencies) is the baseline.

Prints, per pattern: simulated requests per second of wall time, the ratio to the baseline's time,
and the cost of ``advance()`` in 1-second slices against one whole run (each timing the best of 3
runs); then the peak RSS.
Bars (issue 11 section 4, raised from issue 3's 30,000/s and 6x): >= 100,000 simulated requests/s
per pattern, <= 3x the baseline's time, peak RSS < 300 MB, sliced advance <= 10 % over the whole
run. Exit status 1 if a bar is missed.

Run: .venv/bin/python bench/sim_bench.py [--quick]
"""

from __future__ import annotations

import heapq
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from patterns.sim import PATTERNS, Simulation  # noqa: E402
from patterns.sim.scenario import sample_traffic  # noqa: E402

REPEAT = 3  # each timing is the best of this many runs, to damp noise on a shared machine
TOTAL_RPS = 200.0
DURATION_S = 600.0
SEED = 42

BAR_RATE = 100_000.0
BAR_RATIO = 3.0
BAR_RSS_MB = 300.0
BAR_SLICED = 0.10


def standard_scenario(duration_s: float) -> dict[str, Any]:
    return {
        "name": "bench",
        "seed": SEED,
        "duration_s": duration_s,
        "traffic": sample_traffic(TOTAL_RPS / 3.0),
    }


def baseline(duration_s: float) -> tuple[int, float]:
    """A minimal heapq round-robin model of the same traffic; returns (requests, seconds)."""
    rng = random.Random(SEED)
    tasks = {
        name: [f"{name}-{n}" for n in (1, 2, 3)] for name in ("contract", "inventory", "billing")
    }
    edges = [(e["to"], e["rps"]) for e in sample_traffic(TOTAL_RPS / 3.0)]
    cursor = dict.fromkeys(tasks, 0)
    per_task: dict[tuple[int, str], int] = {}
    latencies: dict[tuple[int, str], list[float]] = {}
    queue: list[tuple[float, int, int, Any]] = []
    seq = 0
    for i, (_callee, rps) in enumerate(edges):
        seq += 1
        heapq.heappush(queue, (rng.expovariate(rps), seq, 0, i))
    requests = 0
    started = time.perf_counter()
    while queue and queue[0][0] < duration_s:
        t, _seq, kind, data = heapq.heappop(queue)
        if kind == 0:  # arrival: schedule the next one, pick a task, schedule the completion
            callee, rps = edges[data]
            seq += 1
            heapq.heappush(queue, (t + rng.expovariate(rps), seq, 0, data))
            index = cursor[callee]
            cursor[callee] = index + 1
            task = tasks[callee][index % 3]
            latency = 0.02 * (0.5 + rng.random())
            seq += 1
            heapq.heappush(queue, (t + latency, seq, 1, (task, callee, t)))
            requests += 1
        else:  # completion: count it per second and task, keep the latency per callee
            task, callee, t0 = data
            key = (int(t0), task)
            per_task[key] = per_task.get(key, 0) + 1
            lat_key = (int(t0), callee)
            bucket = latencies.get(lat_key)
            if bucket is None:
                bucket = latencies[lat_key] = []
            bucket.append(t - t0)
    return requests, time.perf_counter() - started


def whole_run(pattern: str, duration_s: float) -> tuple[int, float, dict[str, Any]]:
    sim = Simulation(standard_scenario(duration_s), pattern=pattern)
    started = time.perf_counter()
    sim.advance(duration_s)
    elapsed = time.perf_counter() - started
    summary = sim.result()["summary"]
    return summary["requests"], elapsed, summary


def sliced_run(pattern: str, duration_s: float) -> tuple[float, dict[str, Any]]:
    sim = Simulation(standard_scenario(duration_s), pattern=pattern)
    started = time.perf_counter()
    t = 0.0
    while t < duration_s:
        t = min(t + 1.0, duration_s)
        sim.advance(t)
    elapsed = time.perf_counter() - started
    return elapsed, sim.result()["summary"]


def main() -> int:
    duration = 60.0 if "--quick" in sys.argv else DURATION_S
    base_requests, base_s = min((baseline(duration) for _ in range(REPEAT)), key=lambda r: r[1])
    print(
        f"standard load: sample system, {TOTAL_RPS:g} rps total, {duration:g} virtual s, seed {SEED}"
    )
    print(
        f"baseline (heapq round robin): {base_requests} requests in {base_s:.3f} s = {base_requests / base_s:,.0f}/s"
    )
    print(
        f"{'pattern':<18}{'requests':>9}{'whole s':>9}{'sim req/s':>11}{'x base':>8}{'sliced s':>10}{'slice +%':>9}"
    )
    failures = []
    for pattern in PATTERNS:
        requests, whole_s, summary = min(
            (whole_run(pattern, duration) for _ in range(REPEAT)), key=lambda r: r[1]
        )
        sliced_s, sliced_summary = min(
            (sliced_run(pattern, duration) for _ in range(REPEAT)), key=lambda r: r[0]
        )
        rate = requests / whole_s
        ratio = whole_s / base_s
        overhead = sliced_s / whole_s - 1.0
        print(
            f"{pattern:<18}{requests:>9}{whole_s:>9.3f}{rate:>11,.0f}{ratio:>8.2f}"
            f"{sliced_s:>10.3f}{overhead * 100:>+9.1f}"
        )
        if sliced_summary != summary:
            failures.append(f"{pattern}: sliced run differs from the whole run")
        if rate < BAR_RATE:
            failures.append(f"{pattern}: {rate:,.0f} simulated requests/s < {BAR_RATE:,.0f}")
        if ratio > BAR_RATIO:
            failures.append(f"{pattern}: {ratio:.2f}x the baseline > {BAR_RATIO:g}x")
        if overhead > BAR_SLICED:
            failures.append(
                f"{pattern}: sliced advance +{overhead * 100:.1f} % > {BAR_SLICED * 100:g} %"
            )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"peak RSS: {rss_mb:.1f} MB")
    if rss_mb >= BAR_RSS_MB:
        failures.append(f"peak RSS {rss_mb:.1f} MB >= {BAR_RSS_MB:g} MB")
    for failure in failures:
        print(f"BAR MISSED: {failure}")
    if not failures:
        print("all bars met")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
