"""Blue/green family deployments in the player's frames, and "change a setting now" sub-paths.

Figures are the engine's for the seeded scenario below (front -> back, 2 back tasks, ELB, seed 1):
the canary's green tasks (back-3, back-4) launch at 1.0 s and are all healthy (their first passing
container check) in the window ending at 42 s; each later stage follows STAGE_S (10 s) after the one
before.
"""

from __future__ import annotations

from typing import Any

import pytest

from patterns.player.playback import Playback, PlaybackError, fork, instant_frames
from patterns.player.states import element_classes
from tests.scenarios import two_services

SCENARIO = two_services(duration_s=120)
CANARY = {
    "do": "deploy",
    "service": "back",
    "strategy": "canary",
    "canary_percent": 20,
    "canary_bake_time_min": 0,
    "bake_time_min": 1,
    "alarm": {"error_rate_percent": 50, "for_s": 10},
}


def _deployment_changes(frames: list[dict[str, Any]]) -> list[tuple[float, Any]]:
    """(t1, deployments) of each frame whose deployments differ from the frame before."""
    out: list[tuple[float, Any]] = []
    for frame in frames:
        if "deployments" not in frame:
            continue
        slim = [
            (d.get("stage"), d.get("green_percent"), d.get("test_to_green"), d.get("outcome"))
            for d in frame["deployments"]
        ]
        if not out or out[-1][1] != slim:
            out.append((frame["t1"], slim))
    return out


def test_frames_carry_the_engines_canary_stages_and_green_share() -> None:
    frames = instant_frames(SCENARIO, "elb", 1, log=[{**CANARY, "at_s": 1.0}])["frames"]

    assert _deployment_changes(frames) == [
        (2.0, [("SCALE_UP", 0.0, False, None)]),
        (42.0, [("TEST_TRAFFIC_SHIFT", 0.0, True, None)]),
        (52.0, [("PRODUCTION_TRAFFIC_SHIFT", 20.0, True, None)]),
        (62.0, [("PRODUCTION_TRAFFIC_SHIFT", 100.0, True, None)]),
        (72.0, [("BAKE_TIME", 100.0, True, None)]),
    ]
    baking = next(f for f in frames if f["t1"] == 72.0)["deployments"][0]
    assert baking == {
        "service": "back",
        "strategy": "canary",
        "stage": "BAKE_TIME",
        "blue": 0,
        "green": 1,
        "green_percent": 100.0,
        "test_to_green": True,
        "bake_time_min": 1,
        "alarm": {"error_rate_percent": 50.0, "for_s": 10},
        "bake_remaining_s": 59.0,  # bake_time_started.until 131.0 less 72.0
    }
    # No frame before the deploy carries the key: a run without one is unchanged.
    assert "deployments" not in frames[0]
    greened = [(s["t"], s["el"]) for f in frames for s in f["states"] if "state-green" in s["add"]]
    assert greened == [(1.0, "task-back-3"), (1.0, "task-back-4")]


def test_a_rollback_ends_the_entry_and_removes_the_green_class() -> None:
    log = [{**CANARY, "at_s": 1.0}, {"do": "rollback", "service": "back", "at_s": 55.0}]
    frames = instant_frames(SCENARIO, "elb", 1, log=log)["frames"]

    changes = _deployment_changes(frames)
    assert changes[-2:] == [
        (52.0, [("PRODUCTION_TRAFFIC_SHIFT", 20.0, True, None)]),
        (56.0, [("PRODUCTION_TRAFFIC_SHIFT", 20.0, None, "rolled_back")]),
    ]
    ended = next(f for f in frames if f["t1"] == 56.0)["deployments"]
    assert ended == [
        {
            "service": "back",
            "outcome": "rolled_back",
            "t": 55.0,
            "by": "action",
            "stage": "PRODUCTION_TRAFFIC_SHIFT",
            "green_percent": 20.0,
        }
    ]
    assert all("deployments" not in f for f in frames if f["t1"] > 56.0)
    removed = [
        (s["t"], s["el"]) for f in frames for s in f["states"] if "state-green" in s["remove"]
    ]
    assert removed == [(55.0, "task-back-3"), (55.0, "task-back-4")]


def test_green_class_needs_a_deployment_of_that_revision() -> None:
    task = {"task": "b-3", "ip": "10.0.0.3", "az": "us-east-1a", "state": "RUNNING"}
    snapshot = {
        "services": {"b": {"tasks": [{**task, "version": 1, "healthy": True, "ready": True}]}},
        "azs": {"us-east-1a": True},
    }

    assert element_classes(snapshot, "service-connect")["task-b-3"] == ("state-healthy",)
    snapshot["deployments"] = {"b": {"green": 1}}
    assert element_classes(snapshot, "service-connect")["task-b-3"] == (
        "state-green",
        "state-healthy",
    )


# --------------------------------------------------------------------------- set sub-paths

RETRY = {
    "num_retries": 2,
    "retry_on": ["connect-failure", "refused-stream", "retriable-status-codes"],
    "retriable_status_codes": [503],
    "avoid_previous_hosts": True,
}


def _at(playback: Playback, windows: int) -> Playback:
    for _ in range(windows):
        playback.step()
    return playback


def test_a_setting_field_is_applied_as_the_whole_object_with_that_field_changed() -> None:
    playback = _at(Playback(SCENARIO, "service-connect", 1, topology_hook=None), 3)

    applied = playback.apply({"do": "set", "setting": "envoy.retry_policy.num_retries", "value": 5})

    assert applied == {
        "at_s": 3.0,
        "do": "set",
        "setting": "envoy.retry_policy",
        "value": {**RETRY, "num_retries": 5},
    }
    assert playback.streams[0].sim.world.settings["envoy"]["retry_policy"]["num_retries"] == 5
    # A second field change keeps the first one.
    again = playback.apply(
        {"do": "set", "setting": "envoy.retry_policy.retriable_status_codes", "value": [502, 503]}
    )
    assert again["value"] == {**RETRY, "num_retries": 5, "retriable_status_codes": [502, 503]}


def test_a_bad_setting_field_names_its_path() -> None:
    playback = _at(Playback(SCENARIO, "service-connect", 1, topology_hook=None), 1)

    with pytest.raises(PlaybackError) as bad:
        playback.apply({"do": "set", "setting": "envoy.retry_policy.num_retries", "value": 11})
    assert (bad.value.field, bad.value.reason) == (
        "action.value.num_retries",
        "must be between 0 and 10, got 11",
    )
    with pytest.raises(PlaybackError) as unknown:
        playback.apply({"do": "set", "setting": "envoy.retry_policy.retries", "value": 1})
    assert (unknown.value.field, unknown.value.reason) == (
        "action.setting",
        "unknown setting 'envoy.retry_policy.retries'",
    )
    assert playback.log == []


def test_a_fork_with_a_setting_field_takes_the_value_at_the_fork_time() -> None:
    parent = _at(Playback(SCENARIO, "service-connect", 1, topology_hook=None), 4)
    parent.apply({"do": "set", "setting": "envoy.retry_policy.num_retries", "value": 0})
    _at(parent, 2)

    child = fork(
        parent,
        5.0,
        {"do": "set", "setting": "envoy.retry_policy.avoid_previous_hosts", "value": False},
        1,
    )
    early = fork(
        parent,
        2.0,
        {"do": "set", "setting": "envoy.retry_policy.avoid_previous_hosts", "value": False},
        2,
    )

    assert child.log[-1]["value"] == {**RETRY, "num_retries": 0, "avoid_previous_hosts": False}
    assert early.log == [
        {
            "do": "set",
            "setting": "envoy.retry_policy",
            "value": {**RETRY, "avoid_previous_hosts": False},
            "at_s": 2.0,
        }
    ]
