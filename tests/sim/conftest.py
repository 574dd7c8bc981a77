"""Shared builders for the engine tests: a small system and helpers to read a result."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

SMALL_SYSTEM: dict[str, Any] = {
    "seed": 3,
    "duration_s": 200,
    "arrivals": "uniform",
    "services": [{"name": "client", "tasks": 1}, {"name": "api", "tasks": 3}],
    "traffic": [{"from": "client", "to": "api", "rps": 20}],
}


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@pytest.fixture
def small() -> Callable[..., dict[str, Any]]:
    """A client calling a 3-task ``api`` service at 20 rps (uniform), every request traced.

    Keyword arguments override top-level keys; ``settings`` is merged per component.
    """

    def build(**overrides: Any) -> dict[str, Any]:
        base = _merge(SMALL_SYSTEM, {"settings": {"trace": {"request_sample_every": 1}}})
        return _merge(base, overrides)

    return build


def events(result: dict[str, Any], cause: str, **match: Any) -> list[dict[str, Any]]:
    """Events of ``result`` with the given cause whose fields equal ``match``."""
    return [
        e
        for e in result["events"]
        if e["cause"] == cause and all(e.get(k) == v for k, v in match.items())
    ]


def attempts_to(result: dict[str, Any], task: str) -> list[dict[str, Any]]:
    """Timeline rows of one destination task with at least one attempt."""
    return [row for row in result["timeline"] if row["task"] == task and row["attempts"]]


@pytest.fixture
def find() -> Callable[..., list[dict[str, Any]]]:
    return events


@pytest.fixture
def rows_for() -> Callable[[dict[str, Any], str], list[dict[str, Any]]]:
    return attempts_to
