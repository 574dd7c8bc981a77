"""Small scenarios the player's tests share (constants, not fixtures: they feed parametrize too)."""

from __future__ import annotations

from typing import Any

from tests.scenarios import two_services

# One caller task, one callee task in one AZ, two requests a second at fixed instants: a frame
# small enough to write out whole.
ONE: dict[str, Any] = {
    "name": "one",
    "duration_s": 1,
    "arrivals": "uniform",
    "services": [
        {"name": "front", "tasks": 1},
        {"name": "back", "tasks": 1, "azs": ["ap-northeast-1a"]},
    ],
    "traffic": [{"from": "front", "to": "back", "rps": 2}],
}
# One caller task and three callee tasks for 12 s.
TINY: dict[str, Any] = two_services(duration_s=12, back_tasks=3, rps=2)
