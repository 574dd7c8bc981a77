"""Run a deployment-strategy scenario and record who each request reached (tests only)."""

from __future__ import annotations

from typing import Any

from patterns.sim import Simulation
from patterns.sim.topology import Request, Task

WEIGHT_CAUSES = ("listener_rule_weights", "sc_route_weights")


def scenario(actions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """front (2 tasks) calls api (3 tasks) at 20 requests/s, plus 2 requests/s of test traffic."""
    data: dict[str, Any] = {
        "seed": 5,
        "duration_s": 400,
        "services": [{"name": "front", "tasks": 2}, {"name": "api", "tasks": 3}],
        "traffic": [
            {"from": "front", "to": "api", "rps": 20},
            {"from": "front", "to": "api", "rps": 2, "test": True},
        ],
        "settings": {"alb": {"deregistration_delay_s": 30}},
        "actions": actions,
    }
    data.update(extra)
    return data


class Recorded:
    """A finished run with every first attempt: (time, reached green, test traffic)."""

    def __init__(self, data: dict[str, Any], pattern: str) -> None:
        self.sim = Simulation(data, pattern=pattern)
        world = self.sim.world
        self.green_versions: set[int] = set()
        self.attempts: list[tuple[float, bool, bool]] = []
        original = world.attempt

        def attempt(req: Request, task: Task, connect_timeout_s: float, timeout_s: float) -> None:
            if req.tries == 0:
                green = task.version > 0 and task.version == max(
                    t.version for t in task.service.tasks
                )
                self.attempts.append((world.engine.now, green, req.edge.test))
            original(req, task, connect_timeout_s, timeout_s)

        world.attempt = attempt  # type: ignore[method-assign]
        self.sim.advance(self.sim.scenario.duration_s)
        self.result = self.sim.result()
        self.events = self.result["events"]

    def times(self, cause: str) -> list[float]:
        return [e["t"] for e in self.events if e["cause"] == cause]

    def weights(self) -> list[tuple[float, float, bool]]:
        """(time, green percent, test to green) of each data-plane weight change."""
        return [
            (e["t"], e["green_percent"], e["test_to_green"])
            for e in self.events
            if e["cause"] in WEIGHT_CAUSES
        ]

    def share(self, start: float, end: float, test: bool = False) -> tuple[int, int]:
        """(requests reaching green, all requests) of production (or test) traffic in [start, end)."""
        window = [g for t, g, is_test in self.attempts if start <= t < end and is_test is test]
        return sum(window), len(window)

    def windows(self, end: float, test: bool = False) -> list[tuple[int, int]]:
        """The share of each interval between weight changes, from the first change to ``end``."""
        times = [t for t, _, _ in self.weights()] + [end]
        return [self.share(a, b, test) for a, b in zip(times, times[1:], strict=False)]
