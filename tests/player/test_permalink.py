from __future__ import annotations

import base64
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patterns.player.permalink import (
    MAX_JSON_BYTES,
    MAX_LOG_ACTIONS,
    MAX_TOKEN_CHARS,
    Permalink,
    PermalinkError,
    canonical_json,
    decode,
    encode,
)
from patterns.player.playback import Playback

pytestmark = pytest.mark.unit

SCENARIO: dict[str, Any] = {
    "name": "mine",
    "duration_s": 30,
    "services": [{"name": "front", "tasks": 1}, {"name": "back", "tasks": 2}],
    "traffic": [{"from": "front", "to": "back", "rps": 5}],
    "settings": {"alb": {"deregistration_delay_s": 10}},
}
LOG = [
    {"at_s": 4.0, "do": "kill_task", "task": "back-1"},
    {"at_s": 9.0, "do": "slow_task", "task": "back-2", "delay_ms": 200},
]


def _token_of(body: bytes) -> str:
    return "1" + base64.urlsafe_b64encode(zlib.compress(body)).decode().rstrip("=")


def test_permalink_round_trips_scenario_seed_pattern_and_log() -> None:
    token = encode(SCENARIO, 42, "all", LOG)

    opened = decode(token)

    assert opened == Permalink(scenario=SCENARIO, seed=42, pattern="all", log=LOG)
    assert token[0] == "1"
    assert set(token[1:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_permalink_is_canonical_whatever_the_key_order() -> None:
    shuffled = dict(reversed(list(SCENARIO.items())))

    assert encode(shuffled, 1, "elb", LOG) == encode(SCENARIO, 1, "elb", LOG)
    assert canonical_json({"b": 1, "a": [2, {"d": 3, "c": 4}]}) == '{"a":[2,{"c":4,"d":3}],"b":1}'


def test_permalink_reproduces_the_same_run() -> None:
    opened = decode(encode(SCENARIO, 3, "elb", LOG))
    original = Playback(SCENARIO, "elb", 3, log=LOG, topology_hook=None)
    reopened = Playback(
        opened.scenario, opened.pattern, opened.seed, log=opened.log, topology_hook=None
    )

    first = [original.step() for _ in range(30)]
    second = [reopened.step() for _ in range(30)]

    assert first == second


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**63 - 1),
    pattern=st.sampled_from(["elb", "app-mesh", "service-discovery", "service-connect", "all"]),
    kills=st.lists(st.integers(min_value=1, max_value=2), max_size=5),
)
def test_permalink_round_trips_any_seed_pattern_and_log(
    seed: int, pattern: str, kills: list[int]
) -> None:
    log = [{"at_s": float(i), "do": "kill_task", "task": f"back-{n}"} for i, n in enumerate(kills)]

    opened = decode(encode(SCENARIO, seed, pattern, log))

    assert (opened.seed, opened.pattern, opened.log) == (seed, pattern, log)


@pytest.mark.parametrize(
    ("token", "field", "reason"),
    [
        (None, "token", "missing or not a string"),
        ("", "token", "missing or not a string"),
        ("2abc", "token", "unknown format version '2'"),
        ("1abc$", "token", "not base64url text"),
        ("1" + "A" * (MAX_TOKEN_CHARS), "token", f"longer than {MAX_TOKEN_CHARS} characters"),
        ("1AAAA", "token", "not a compressed run (it may have been cut short)"),
        (
            encode(SCENARIO, 1, "elb", LOG)[:-8],
            "token",
            "not a compressed run (it may have been cut short)",
        ),
        (_token_of(b"\\xff\\xfe"), "token", "does not hold valid JSON"),
        (_token_of(b"[1, 2]"), "token", "does not hold a JSON object"),
        (
            _token_of(b" " * (MAX_JSON_BYTES + 10)),
            "token",
            f"expands beyond {MAX_JSON_BYTES} bytes",
        ),
        (
            _token_of(b'{"seed": 1, "pattern": "elb", "log": []}'),
            "scenario",
            "missing or not an object",
        ),
        (encode(SCENARIO, -1, "elb", []), "seed", "must be a whole number from 0 to 2**63 - 1"),
        (
            encode(SCENARIO, 1, "mesh", []),
            "pattern",
            "must be one of elb, app-mesh, service-discovery, service-connect, all",
        ),
        (
            _token_of(b'{"scenario": {}, "seed": 1, "pattern": "elb", "log": {}}'),
            "log",
            "must be a list of action objects",
        ),
        (
            encode(SCENARIO, 1, "elb", [{}] * (MAX_LOG_ACTIONS + 1)),
            "log",
            f"more than {MAX_LOG_ACTIONS} actions",
        ),
        (
            encode({"duration_s": -5}, 1, "elb", []),
            "scenario.duration_s",
            "must be between 0 and 86400, got -5",
        ),
        (
            encode(SCENARIO, 1, "elb", [{"at_s": 1, "do": "kill_task", "task": "ghost-1"}]),
            "scenario.actions[0].task",
            "must be '<service>-<n>' of a known service, got 'ghost-1'",
        ),
    ],
)
def test_permalink_refuses_a_hostile_token_with_a_clear_reason(
    token: Any, field: str, reason: str
) -> None:
    with pytest.raises(PermalinkError) as error:
        decode(token)

    assert (error.value.field, error.value.reason) == (field, reason)
