"""What every run must satisfy, whatever its scenario and actions (the property tests share it)."""

from __future__ import annotations

from typing import Any

from patterns.sim.causes import CAUSES


def assert_run_invariants(result: dict[str, Any], times: list[float]) -> None:
    """Every request is accounted for, event times (in the order ``advance`` returned them) never
    go back, and every event has a known cause."""
    summary = result["summary"]
    assert (
        summary["requests"]
        == summary["ok"] + sum(summary["errors"].values()) + summary["in_flight"]
    )
    assert times == sorted(times)
    assert all(e["cause"] in CAUSES for e in result["events"])
