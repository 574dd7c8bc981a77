from __future__ import annotations

from typing import Any

import pytest

from patterns.diagrams.ids import alb_node_el, edge_id
from patterns.player.playback import (
    Playback,
    PlaybackError,
    default_sample_every,
    fork,
    readout_values,
    sample_label,
)
from patterns.sim import Simulation, load_scenario
from tests.player.scenarios import ONE, TINY

pytestmark = pytest.mark.unit


def _all_frames(playback: Playback) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    while not playback.ended:
        frames.extend(playback.step())
    return frames


def _dots(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dot for frame in frames for dot in frame["dots"]]


def _engine_requests(
    scenario: dict[str, Any], pattern: str, seed: int
) -> list[tuple[float, float]]:
    """(sent, ended) of each request, from an independent engine run of the same scenario."""
    prepared = {**scenario, "settings": {"trace": {"request_sample_every": 1}}}
    events = Simulation(prepared, pattern=pattern, seed=seed).advance(scenario["duration_s"])
    sent = {e["request"]: e["t"] for e in events if e["cause"] == "request_sent"}
    ended = {e["request"]: e["t"] for e in events if e["kind"] == "request_end"}
    return [(sent[r], ended[r]) for r in sorted(ended)]


def test_playback_frame_of_a_tiny_run_is_exactly_the_engines_story() -> None:
    (s0, e0), (s1, e1) = _engine_requests(ONE, "service-connect", 7)
    playback = Playback(ONE, "service-connect", 7, topology_hook=None)

    frames = playback.step()

    # Nearest-rank percentiles of two latencies: p50 is the smaller, p99 the larger.
    latencies = sorted([round((e0 - s0) * 1000, 3), round((e1 - s1) * 1000, 3)])
    assert frames == [
        {
            "type": "frame",
            "run": "",
            "branch": 0,
            "seq": 0,
            "pattern": "service-connect",
            "t0": 0.0,
            "t1": 1.0,
            "dots": [
                {
                    "id": "r0",
                    "t": [0.25, e0],
                    "path": ["edge-front-1--back-1"],
                    "dir": [1],
                    "outcome": "ok",
                    "attempts": 1,
                    "source": "front-1",
                    "to": "back",
                    "causes": ["round_robin"],
                },
                {
                    "id": "r1",
                    "t": [0.75, e1],
                    "path": ["edge-front-1--back-1"],
                    "dir": [1],
                    "outcome": "ok",
                    "attempts": 1,
                    "source": "front-1",
                    "to": "back",
                    "causes": ["round_robin"],
                },
            ],
            "states": [
                {"t": 0.0, "el": "task-front-1", "add": ["state-healthy"], "remove": []},
                {"t": 0.0, "el": "task-back-1", "add": ["state-healthy"], "remove": []},
            ],
            "events": [],
            "metrics": {
                "edges": {
                    "edge-svc-front--svc-back": {
                        "rps": 2.0,
                        "err_pct": 0.0,
                        "p50_ms": pytest.approx(latencies[0], abs=0.0011),
                        "p99_ms": pytest.approx(latencies[1], abs=0.0011),
                    }
                },
                "clients": [
                    {
                        "service": "front",
                        "to": "back",
                        "requests": 2,
                        "ok": 2,
                        "errors": 0,
                        "error_reasons": {},
                        "p50_ms": pytest.approx(latencies[0], abs=0.0011),
                        "p99_ms": pytest.approx(latencies[1], abs=0.0011),
                    }
                ],
                "tasks": {
                    "task-back-1": {"rps": 2.0, "attempts": 2, "ok": 2, "errors": 0, "err_pct": 0.0}
                },
            },
            "sample": {"every": 1, "label": "all requests shown"},
        }
    ]
    assert (s0, s1) == (0.25, 0.75)
    assert playback.ended


def test_edge_ids_drop_the_task_prefix_and_name_alb_nodes_by_az() -> None:
    assert edge_id("task-contract-1", "alb-node-1a") == "edge-contract-1--alb-node-1a"
    assert edge_id("alb-node-1a", "task-inventory-2") == "edge-alb-node-1a--inventory-2"
    assert alb_node_el("alb-ap-northeast-1d") == "alb-node-1d"


@pytest.mark.parametrize("pattern", ["elb", "app-mesh", "service-discovery", "service-connect"])
def test_window_metrics_equal_the_engines_buckets(pattern: str) -> None:
    scenario = {
        **TINY,
        "arrivals": "poisson",
        "traffic": [{"from": "front", "to": "back", "rps": 40}],
    }
    playback = Playback(scenario, pattern, 3, topology_hook=None)
    playback.apply({"do": "fail_task", "task": "back-1", "status": 503, "probability": 0.5})
    sim = playback.streams[0].sim

    for _ in range(int(scenario["duration_s"])):
        frame = playback.step()[0]
        result = sim.result()
        sec = int(frame["t0"])
        engine_clients = [r for r in result["client_timeline"] if r["t"] == sec]
        engine_tasks = {f"task-{r['task']}": r for r in result["timeline"] if r["t"] == sec}

        assert [
            {k: v for k, v in c.items() if k not in ("errors", "error_reasons")}
            | {"errors": c["error_reasons"]}
            for c in frame["metrics"]["clients"]
        ] == [{k: v for k, v in r.items() if k != "t"} for r in engine_clients]
        assert {
            k: (v["attempts"], v["ok"], v["errors"]) for k, v in frame["metrics"]["tasks"].items()
        } == {
            k: (r["attempts"], r["ok"], sum(r["errors"].values())) for k, r in engine_tasks.items()
        }


def test_metrics_count_every_request_while_dots_show_a_sample() -> None:
    scenario = {**TINY, "traffic": [{"from": "front", "to": "back", "rps": 500}]}
    playback = Playback(scenario, "service-connect", 1, topology_hook=None)

    frames = _all_frames(playback)

    ended = [
        e["request"]
        for e in playback.streams[0].sim.result()["events"]
        if e["kind"] == "request_end"
    ]
    assert frames[0]["sample"] == {"every": 10, "label": "1 in 10 requests shown"}
    assert frames[0]["metrics"]["clients"][0]["requests"] == 500
    assert sorted(int(d["id"][1:]) for d in _dots(frames)) == sorted(ended)
    assert all(r % 10 == 0 for r in ended)


def test_sample_every_targets_fifty_dots_a_second() -> None:
    busy = load_scenario({"traffic": [{"from": "user", "to": "contract", "rps": 1000}]})
    sample = load_scenario({})

    assert default_sample_every(busy) == 20
    assert default_sample_every(sample) == 1
    assert sample_label(20, "ja") == "20 件に 1 件のリクエストを表示"
    assert sample_label(1, "en") == "all requests shown"


def test_state_classes_follow_a_killed_task_and_an_az_outage() -> None:
    playback = Playback(TINY, "elb", 1, topology_hook=None)
    playback.step()
    playback.apply({"do": "kill_task", "task": "back-2"})
    playback.apply({"do": "az_outage", "az": "ap-northeast-1c"})

    frame = playback.step()[0]

    changes = {s["el"]: (s["t"], s["add"], s["remove"]) for s in frame["states"]}
    assert changes["task-back-2"] == (1.0, ["state-stopped"], ["state-healthy"])
    assert changes["alb-node-1c"] == (1.0, ["state-az-out"], [])
    assert changes["svc-back-az-1c"] == (1.0, ["state-az-out"], [])


def test_stale_dns_cache_is_marked_while_it_holds_a_removed_ip() -> None:
    scenario = {**TINY, "duration_s": 90, "settings": {"cloud_map": {"dns_ttl_s": 20}}}
    playback = Playback(scenario, "service-discovery", 1, topology_hook=None)
    playback.step()
    playback.apply({"do": "stop_task", "task": "back-1"})

    frames = _all_frames(playback)

    stale = [(f["t0"], s) for f in frames for s in f["states"] if s["el"] == "dns-cache-front"]
    assert stale[0][1]["add"] == ["state-stale"]
    assert len(stale) == 2
    assert stale[1][1]["remove"] == ["state-stale"]


def test_rebuilt_playback_continues_with_identical_frames() -> None:
    log = [{"at_s": 3.0, "do": "refuse_task", "task": "back-1"}]
    whole = _all_frames(Playback(TINY, "all", 5, log=log, topology_hook=None))
    rebuilt = Playback(TINY, "all", 5, log=log, topology_hook=None)

    first = rebuilt.frames_after(22)
    rest = _all_frames(rebuilt)

    assert [f["seq"] for f in first] == [23]
    assert first + rest == whole[23:]


def test_live_action_and_replayed_log_give_the_same_frames() -> None:
    live = Playback(TINY, "elb", 2, topology_hook=None)
    frames = live.step() + live.step()
    live.apply({"do": "blackhole_task", "task": "back-3"})
    frames += _all_frames(live)

    replayed = _all_frames(Playback(TINY, "elb", 2, log=live.log, topology_hook=None))

    assert live.log == [{"at_s": 2.0, "do": "blackhole_task", "task": "back-3"}]
    assert replayed == frames


def test_fork_keeps_earlier_actions_and_adds_its_own_at_the_fork_time() -> None:
    parent = Playback(TINY, "elb", 2, topology_hook=None)
    parent.step()
    parent.apply({"do": "slow_task", "task": "back-1", "delay_ms": 50})
    _all_frames(parent)

    child = fork(parent, 4.5, {"do": "kill_task", "task": "back-2"}, branch=1)

    assert child.log == [
        {"at_s": 1.0, "do": "slow_task", "task": "back-1", "delay_ms": 50.0, "health_check": False},
        {"do": "kill_task", "task": "back-2", "at_s": 4.5},
    ]
    assert child.step()[0]["seq"] == 4
    assert child.branch == 1


@pytest.mark.parametrize(
    ("at", "action", "field", "reason"),
    [
        (13, None, "at", "must be between 0 and the current time 12"),
        (float("nan"), None, "at", "must be a number of seconds"),
        ("5", None, "at", "must be a number of seconds"),
        (
            2,
            {"do": "kill_task", "task": "nobody-1"},
            "action.task",
            "must be '<service>-<n>' of a known service, got 'nobody-1'",
        ),
        (
            2,
            {"do": "kill_task", "task": "back-1", "at_s": 1},
            "action.at_s",
            "is set by the server to the fork time",
        ),
    ],
)
def test_fork_refuses_bad_input(at: Any, action: Any, field: str, reason: str) -> None:
    parent = Playback(TINY, "elb", 2, topology_hook=None)
    _all_frames(parent)

    with pytest.raises(PlaybackError) as error:
        fork(parent, at, action, branch=1)

    assert (error.value.field, error.value.reason) == (field, reason)


def test_readouts_come_from_the_engine_result() -> None:
    playback = Playback({**TINY, "duration_s": 30}, "elb", 1, topology_hook=None)
    playback.step()
    playback.apply({"do": "kill_task", "task": "back-2"})
    _all_frames(playback)
    result = playback.streams[0].sim.result()

    values = playback.readouts()[0]["values"]

    summary = result["summary"]
    last = next(m for m in summary["key_moments"] if m["kind"] == "last_request_to_task")
    assert values == readout_values(result)
    assert values["failed_requests"] == sum(summary["errors"].values())
    assert values["retries"] == summary["retries"]
    assert values["faults"] == [
        {
            "task": "back-2",
            "do": "kill_task",
            "t": 1.0,
            "last_request_t": last["t"],
            "requests_stopped_after_s": round(last["t"] - 1.0, 6),
            "still_receiving": False,
        }
    ]


def test_stale_dns_window_readout_spans_stop_to_last_request() -> None:
    playback = Playback({**TINY, "duration_s": 60}, "service-discovery", 1, topology_hook=None)
    playback.step()
    playback.apply({"do": "kill_task", "task": "back-2"})
    _all_frames(playback)
    moments = playback.streams[0].sim.result()["summary"]["key_moments"]

    stale = playback.readouts()[0]["values"]["stale_dns"]

    stopped = next(m["t"] for m in moments if m["kind"] == "task_stopped")
    last = next(m["t"] for m in moments if m["kind"] == "last_request_to_task")
    assert stale == [
        {"task": "back-2", "from_t": stopped, "to_t": last, "window_s": round(last - stopped, 6)}
    ]


@pytest.mark.parametrize(
    ("scenario", "pattern", "seed", "field", "reason"),
    [
        (
            {},
            "mesh",
            1,
            "pattern",
            "must be one of elb, app-mesh, service-discovery, service-connect, all",
        ),
        ({}, "elb", True, "seed", "must be a whole number from 0 to 2**63 - 1"),
        ([], "elb", 1, "scenario", "must be an object"),
        ({"duration_s": 4000}, "elb", 1, "scenario.duration_s", "at most 3600 s in the playground"),
        (
            {"traffic": [{"from": "user", "to": "contract", "rps": 2000}]},
            "elb",
            1,
            "scenario.traffic",
            "at most 1000 requests/s in total",
        ),
        (
            {"services": [{"name": "Bad", "tasks": 1}]},
            "elb",
            1,
            "scenario.services[0].name",
            "must be lower-case letters, digits and '-', starting with a letter",
        ),
    ],
)
def test_playback_refuses_bad_input_with_field_and_reason(
    scenario: Any, pattern: Any, seed: Any, field: str, reason: str
) -> None:
    with pytest.raises(PlaybackError) as error:
        Playback(scenario, pattern, seed)

    assert (error.value.field, error.value.reason) == (field, reason)


def test_playback_caps_the_live_action_log() -> None:
    log = [{"at_s": 0.0, "do": "recover_task", "task": "back-1"}] * 500
    playback = Playback(TINY, "elb", 1, log=log, topology_hook=None)

    with pytest.raises(PlaybackError) as error:
        playback.apply({"do": "recover_task", "task": "back-1"})

    assert (error.value.field, error.value.reason) == ("action", "at most 500 actions a run")


@pytest.mark.parametrize("pattern", ["elb", "all"])
def test_extended_log_gives_the_frames_of_a_run_built_with_it(pattern: str) -> None:
    # A scenario action at 6 s, the log's first action, then two added at the window reached
    # (one at the very start of it, tied with nothing; one inside a later window).
    scenario = {**TINY, "actions": [{"at_s": 6.0, "do": "kill_task", "task": "back-3"}]}
    first = {"at_s": 2.5, "do": "slow_task", "task": "back-1", "delay_ms": 300}
    added = [
        {"at_s": 4.0, "do": "refuse_task", "task": "back-2"},
        {"at_s": 6.0, "do": "recover_task", "task": "back-2"},
    ]
    built = Playback(scenario, pattern, 3, log=[first, *added], topology_hook=None)
    built.skip_to_window(4)

    extended = Playback(scenario, pattern, 3, log=[first], topology_hook=None)
    _before = [extended.step() for _ in range(4)]
    extended.extend_log([dict(extended.log[0]), *added])

    assert extended.log == built.log
    assert _all_frames(extended) == _all_frames(built)
    assert extended.readouts() == built.readouts()


def test_extended_log_cannot_change_the_past() -> None:
    playback = Playback(TINY, "elb", 3, log=[], topology_hook=None)
    playback.skip_to_window(5)

    with pytest.raises(PlaybackError) as early:
        playback.extend_log([{"at_s": 4.5, "do": "kill_task", "task": "back-1"}])
    with pytest.raises(PlaybackError) as rewritten:
        Playback(
            TINY, "elb", 3, log=[{"at_s": 1.0, "do": "kill_task", "task": "back-1"}]
        ).extend_log([{"at_s": 7.0, "do": "kill_task", "task": "back-2"}])

    assert (early.value.field, early.value.reason) == (
        "log",
        "an added action is before the current time 5",
    )
    assert (rewritten.value.field, rewritten.value.reason) == (
        "log",
        "must extend the current log",
    )


@pytest.mark.parametrize("pattern", ["elb", "service-connect"])
def test_a_service_added_live_gets_states_and_a_new_topology(pattern: str) -> None:
    topologies: list[Any] = []
    playback = Playback(TINY, pattern, 1, topology_hook=lambda *args: topologies.append(args))
    playback.step()
    playback.apply(
        {
            "do": "add_service",
            "service": {"name": "pay", "tasks": 1},
            "traffic": [{"from": "front", "to": "pay", "rps": 2}],
        }
    )

    frames = _all_frames(playback)

    assert "task-pay-1" in {s["el"] for f in frames for s in f["states"]}
    assert topologies


def test_added_services_count_towards_the_playground_caps() -> None:
    too_many = {"do": "add_service", "service": {"name": "pay", "tasks": 198}}
    too_fast = {
        "do": "add_service",
        "service": {"name": "pay", "tasks": 1},
        "traffic": [{"from": "front", "to": "pay", "rps": 999}],
    }
    live = Playback(TINY, "elb", 1, topology_hook=None)
    live.step()

    refused = []
    for action in (too_many, too_fast):
        with pytest.raises(PlaybackError) as caught:
            live.apply(action)
        refused.append((caught.value.field, caught.value.reason))
    with pytest.raises(PlaybackError) as scheduled:
        Playback({**TINY, "actions": [{**too_many, "at_s": 3}]}, "elb", 1, topology_hook=None)

    assert refused == [
        ("action.service.tasks", "at most 200 tasks in total"),
        ("action.traffic", "at most 1000 requests/s in total"),
    ]
    assert live.log == []
    assert scheduled.value.field == "scenario.actions[0].service.tasks"
