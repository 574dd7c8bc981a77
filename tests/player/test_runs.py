from __future__ import annotations

from typing import Any

import pytest

from patterns.errors import FieldError
from patterns.player.permalink import MAX_LOG_ACTIONS, PermalinkError, encode
from patterns.player.playback import INSTANT_LIMITS, LIVE_LIMITS, PlaybackError, instant_frames
from patterns.player.runs import RunRequest
from patterns.sim import BUILTIN_SCENARIOS
from tests.scenarios import TINY

pytestmark = pytest.mark.unit

KILL = {"at_s": 2.0, "do": "kill_task", "task": "back-1"}


def test_run_request_from_a_scenario_object_takes_its_defaults() -> None:
    request = RunRequest.parse({"scenario": TINY})

    assert request == RunRequest(scenario=TINY, pattern="elb", seed=1, log=[], lang="en")


def test_run_request_from_a_scenario_object_drops_its_output_only_assumptions() -> None:
    sent_back = {**TINY, "pattern": "service-connect", "seed": 9, "assumptions": ["x"]}

    request = RunRequest.parse({"scenario": sent_back, "log": [KILL], "lang": "ja"})

    assert request == RunRequest(
        scenario={**TINY, "pattern": "service-connect", "seed": 9},
        pattern="service-connect",
        seed=9,
        log=[KILL],
        lang="ja",
    )


def test_run_request_fields_override_the_scenario_own_pattern_and_seed() -> None:
    request = RunRequest.parse(
        {"scenario": {**TINY, "pattern": "elb", "seed": 9}, "pattern": "all", "seed": 3}
    )

    assert (request.pattern, request.seed) == ("all", 3)


def test_run_request_from_a_built_in_name_keeps_the_name() -> None:
    request = RunRequest.parse({"scenario": "kill-task", "pattern": "app-mesh"})

    assert request == RunRequest(
        scenario=dict(BUILTIN_SCENARIOS["kill-task"]),
        pattern="app-mesh",
        seed=1,
        log=[],
        name="kill-task",
    )


def test_run_request_from_a_permalink_takes_its_run_and_ignores_the_other_fields() -> None:
    token = encode(TINY, 42, "all", [KILL])

    request = RunRequest.parse(
        {"permalink": token, "scenario": "steady", "pattern": "elb", "seed": 1, "lang": "ja"}
    )

    assert request == RunRequest(
        scenario=TINY, pattern="all", seed=42, log=[KILL], lang="ja", token=token
    )


def test_run_request_default_language_applies_only_when_none_is_sent() -> None:
    assert RunRequest.parse({"scenario": TINY}, lang="ja").lang == "ja"
    assert RunRequest.parse({"scenario": TINY, "lang": "en"}, lang="ja").lang == "en"


def test_run_request_without_log_ignores_the_sent_log_but_not_the_permalink_one() -> None:
    token = encode(TINY, 1, "elb", [KILL])

    fresh = RunRequest.parse({"scenario": TINY, "log": "not even a list"}, log=False)
    linked = RunRequest.parse({"permalink": token}, log=False)

    assert fresh.log == []
    assert linked.log == [KILL]


def test_run_request_without_permalink_reads_the_scenario_instead() -> None:
    request = RunRequest.parse({"permalink": "1%%%", "scenario": "steady"}, permalink=False)

    assert (request.name, request.token) == ("steady", None)


def test_run_request_playback_gives_the_frames_of_the_same_run() -> None:
    request = RunRequest.parse({"scenario": TINY, "log": [KILL]})

    playback = request.playback(run="instant", limits=INSTANT_LIMITS)
    frames = []
    while not playback.ended:
        frames.extend(playback.step())

    assert frames == instant_frames(TINY, "elb", 1, log=[KILL])["frames"]


def test_run_request_playback_checks_the_scenario_with_the_limits() -> None:
    request = RunRequest.parse({"scenario": {"duration_s": 1800}})

    assert request.playback(limits=LIVE_LIMITS, topology_hook=None).duration_s == 1800
    with pytest.raises(PlaybackError) as caught:
        request.playback(limits=INSTANT_LIMITS, topology_hook=None)
    assert (caught.value.field, caught.value.reason) == (
        "scenario.duration_s",
        "at most 900 s in the playground",
    )


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ({}, "scenario", "must be an object or the name of a built-in scenario"),
        ({"scenario": 7}, "scenario", "must be an object or the name of a built-in scenario"),
        ({"scenario": ["a"]}, "scenario", "must be an object or the name of a built-in scenario"),
        ({"scenario": "nope"}, "scenario", "unknown built-in scenario 'nope'"),
        ({"scenario": "x" * 60}, "scenario", f"unknown built-in scenario {'x' * 40!r}"),
        ({"scenario": TINY, "log": {}}, "log", "must be a list of action objects"),
        ({"scenario": TINY, "log": [1]}, "log", "must be a list of action objects"),
        (
            {"scenario": TINY, "log": [KILL] * (MAX_LOG_ACTIONS + 1)},
            "log",
            f"more than {MAX_LOG_ACTIONS} actions",
        ),
        ({"scenario": TINY, "lang": "fr"}, "lang", "must be one of en, ja"),
        (
            {"scenario": TINY, "pattern": "mesh"},
            "pattern",
            "must be one of elb, app-mesh, service-discovery, service-connect, all",
        ),
        (
            {"scenario": {**TINY, "pattern": "mesh"}},
            "pattern",
            "must be one of elb, app-mesh, service-discovery, service-connect, all",
        ),
        ({"scenario": TINY, "seed": -1}, "seed", "must be a whole number from 0 to 2**63 - 1"),
        ({"scenario": TINY, "seed": 2**63}, "seed", "must be a whole number from 0 to 2**63 - 1"),
        ({"scenario": TINY, "seed": True}, "seed", "must be a whole number from 0 to 2**63 - 1"),
        ({"scenario": TINY, "seed": 1.0}, "seed", "must be a whole number from 0 to 2**63 - 1"),
        (
            {"scenario": {**TINY, "seed": "one"}},
            "seed",
            "must be a whole number from 0 to 2**63 - 1",
        ),
        ({"permalink": "1%%%"}, "token", "not base64url text"),
        ({"permalink": None}, "token", "missing or not a string"),
        ({"permalink": encode(TINY, 1, "elb", []), "lang": "de"}, "lang", "must be one of en, ja"),
    ],
)
def test_run_request_refuses_bad_input_naming_the_field(
    data: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(FieldError) as caught:
        RunRequest.parse(data)

    assert (caught.value.field, caught.value.reason) == (field, reason)
    assert isinstance(caught.value, (PlaybackError, PermalinkError))


def test_run_request_checks_the_source_before_the_log_and_the_log_before_the_language() -> None:
    with pytest.raises(FieldError) as bad_source:
        RunRequest.parse({"scenario": 7, "log": 7, "lang": "fr"})
    with pytest.raises(FieldError) as bad_log:
        RunRequest.parse({"scenario": TINY, "log": 7, "lang": "fr"})

    assert bad_source.value.field == "scenario"
    assert bad_log.value.field == "log"


def test_run_request_is_frozen() -> None:
    request = RunRequest.parse({"scenario": TINY})

    with pytest.raises(AttributeError):
        request.seed = 2  # type: ignore[misc]
