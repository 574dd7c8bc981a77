"""Small scenarios that tests of several packages share: a ``front`` service calling ``back``."""

from __future__ import annotations

from typing import Any


def two_services(
    *, name: str = "tiny", duration_s: int = 5, back_tasks: int = 2, rps: float = 4
) -> dict[str, Any]:
    """One ``front`` task calling ``back`` at ``rps`` with uniform arrivals: a run whose every
    window holds the same handful of requests, so frames can be asserted exactly."""
    return {
        "name": name,
        "duration_s": duration_s,
        "arrivals": "uniform",
        "services": [{"name": "front", "tasks": 1}, {"name": "back", "tasks": back_tasks}],
        "traffic": [{"from": "front", "to": "back", "rps": rps}],
    }


# Two services, one call: 5 windows with a handful of requests each.
TINY: dict[str, Any] = two_services()


def at_the_caps(duration_s: float, sample_every: int | None = None) -> dict[str, Any]:
    """200 tasks in 4 services, 1,000 requests/s: the playground's caps, the costliest run an
    anonymous visitor may ask for (the work budgets' tests and bench/attack_bench.py)."""
    scenario: dict[str, Any] = {
        "name": "flood",
        "duration_s": duration_s,
        "services": [{"name": f"s{i}", "tasks": 50} for i in range(4)],
        "traffic": [{"from": "s0", "to": f"s{i}", "rps": 333.3} for i in range(1, 4)],
    }
    if sample_every is not None:
        scenario["settings"] = {"trace": {"request_sample_every": sample_every}}
    return scenario
