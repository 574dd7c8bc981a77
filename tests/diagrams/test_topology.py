"""Diagrams: the topology model (from a scenario, from a snapshot) and its URL token."""

from __future__ import annotations

import base64
import json
import re
import zlib
from typing import Any

import pytest

from patterns import diagrams
from patterns.sim import PATTERNS, Simulation, load_scenario


def _token(data: Any) -> str:
    packed = zlib.compress(json.dumps(data).encode())
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


# --------------------------------------------------------------------------- topology


@pytest.mark.unit
def test_topology_from_scenario_sample_spreads_tasks_over_azs(sample: dict[str, Any]) -> None:
    topology = sample

    assert [s["name"] for s in topology["services"]] == ["user", "contract", "inventory", "billing"]
    assert topology["services"][2]["tasks"] == [
        {"id": "inventory-1", "az": "ap-northeast-1a"},
        {"id": "inventory-2", "az": "ap-northeast-1c"},
        {"id": "inventory-3", "az": "ap-northeast-1d"},
    ]
    assert topology["calls"] == [
        {"from": "user", "to": "contract"},
        {"from": "contract", "to": "inventory"},
        {"from": "contract", "to": "billing"},
    ]


@pytest.mark.unit
@pytest.mark.parametrize("pattern", PATTERNS)
def test_topology_from_snapshot_at_start_equals_scenario_topology(pattern: str) -> None:
    scenario = load_scenario("steady").to_dict()
    sim = Simulation("steady", pattern=pattern, seed=1)
    sim.advance(1.0)

    from_snapshot = diagrams.topology_from_snapshot(sim.snapshot(), scenario)

    assert from_snapshot == diagrams.topology_from_scenario(scenario)


@pytest.mark.unit
def test_topology_from_snapshot_kill_task_adds_replacement_after_stopped_task() -> None:
    scenario = load_scenario("kill-task").to_dict()
    sim = Simulation("kill-task", pattern="elb", seed=1)
    sim.advance(90.0)

    topology = diagrams.topology_from_snapshot(sim.snapshot(), scenario)

    ids = [t["id"] for t in topology["services"][2]["tasks"]]
    assert ids == ["inventory-1", "inventory-2", "inventory-3", "inventory-4"]


@pytest.mark.unit
def test_topology_from_snapshot_malformed_snapshot_falls_back_to_scenario() -> None:
    scenario = load_scenario("steady").to_dict()

    topology = diagrams.topology_from_snapshot({"services": {"user": "??"}, "alb": 3}, scenario)

    assert topology == diagrams.topology_from_scenario(scenario)


@pytest.mark.unit
def test_engine_names_match_diagram_constants() -> None:
    sim = Simulation("steady", pattern="elb", seed=1)
    sd = Simulation("steady", pattern="service-discovery", seed=1)
    sim.advance(1.0)
    sd.advance(1.0)

    alb = sim.snapshot()["alb"]
    zones = sorted(sd.snapshot()["cloud_map"])

    assert alb["dns_name"] == diagrams.ALB_DNS_NAME
    assert [n["az"] for n in alb["nodes"]] == list(diagrams.REGION_AZS)
    assert zones == sorted(
        f"{name}.{diagrams.NAMESPACE}" for name in ("user", "contract", "inventory", "billing")
    )


@pytest.mark.unit
def test_topology_from_scenario_places_tasks_where_the_engine_does() -> None:
    data = load_scenario("steady").to_dict()
    del data["assumptions"], data["what_if"]
    data["services"][0]["tasks"] = 5
    data["services"][0]["azs"] = ["ap-northeast-1c", "ap-northeast-1a"]
    scenario = load_scenario(data).to_dict()
    sim = Simulation(data, pattern="service-connect", seed=1)
    sim.advance(1.0)

    topology = diagrams.topology_from_scenario(scenario)

    assert topology["services"][0]["tasks"] == [
        {"id": f"user-{n}", "az": az}
        for n, az in enumerate(["ap-northeast-1c", "ap-northeast-1a"] * 2 + ["ap-northeast-1c"], 1)
    ]
    assert topology == diagrams.topology_from_snapshot(sim.snapshot(), scenario)


# --------------------------------------------------------------------------- token


@pytest.mark.unit
def test_topology_token_round_trip_gives_same_topology(sample: dict[str, Any]) -> None:
    topology = sample

    token = diagrams.topology_token(topology)

    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(token) < 400
    assert diagrams.topology_from_token(token) == topology


@pytest.mark.unit
def test_topology_token_thousand_tasks_stays_compact() -> None:
    azs = list(diagrams.REGION_AZS)
    tasks = [{"id": f"big-{n}", "az": azs[(n - 1) % 3]} for n in range(1, 1001)]
    topology = {"azs": azs, "services": [{"name": "big", "azs": azs, "tasks": tasks}], "calls": []}

    token = diagrams.topology_token(topology)

    assert len(token) < diagrams.MAX_TOKEN_CHARS
    assert len(diagrams.topology_from_token(token)["services"][0]["tasks"]) == 1000


HOSTILE = [
    ("", "t", "is required"),
    ("x" * (diagrams.MAX_TOKEN_CHARS + 1), "t", "longer than 24000 characters"),
    ("abc$%", "t", "must be base64url (A-Z a-z 0-9 - _)"),
    ("abc", "t", "is not zlib-compressed data"),
    (
        base64.urlsafe_b64encode(zlib.compress(b"\x00" * 5_000_000)).decode().rstrip("="),
        "t",
        "expands beyond 256000 bytes",
    ),
    (
        base64.urlsafe_b64encode(zlib.compress(b"{nope")).decode().rstrip("="),
        "t",
        "does not hold JSON",
    ),
    (_token([1, 2]), "topology", "must be an object"),
    (
        _token({"services": [], "evil": 1}),
        "evil",
        "unknown key; allowed: azs, services, calls, routes",
    ),
    (_token({"services": []}), "services", "needs at least one service"),
    (
        _token({"services": [{"name": "Bad!", "azs": ["ap-northeast-1a"], "tasks": []}]}),
        "services[0].name",
        "must match [a-z][a-z0-9-]{0,39}",
    ),
    (
        _token({"services": [{"name": "a", "azs": ["mars-1"], "tasks": []}]}),
        "services[0].azs[0]",
        "must be an AZ name such as ap-northeast-1a",
    ),
    (
        _token({"services": [{"name": "a", "azs": ["ap-northeast-1a"], "tasks": "many"}]}),
        "services[0].tasks",
        "must be a list",
    ),
    (
        _token(
            {
                "services": [
                    {
                        "name": "a",
                        "azs": ["ap-northeast-1a"],
                        "tasks": [{"id": "b-1", "az": "ap-northeast-1a"}],
                    }
                ]
            }
        ),
        "services[0].tasks[0].id",
        "must be 'a-<n>'",
    ),
    (
        _token(
            {
                "services": [
                    {
                        "name": "a",
                        "azs": ["ap-northeast-1a"],
                        "tasks": [{"id": "a-1", "az": "ap-northeast-1c"}],
                    }
                ]
            }
        ),
        "services[0].tasks[0].az",
        "must be one of the service's azs",
    ),
    (
        _token(
            {
                "services": [{"name": "a", "azs": ["ap-northeast-1a"], "tasks": []}],
                "calls": [{"from": "a", "to": "zz"}],
            }
        ),
        "calls[0].to",
        "must name a service of the topology",
    ),
    (
        _token(
            {
                "services": [{"name": "a", "azs": ["ap-northeast-1a"], "tasks": []}],
                "routes": {"a": [{"virtual_node": "a", "weight": 1e9}]},
            }
        ),
        "routes.a[0].weight",
        "must be a number from 0 to 100",
    ),
    (
        _token(
            {
                "services": [
                    {
                        "name": f"s{i}",
                        "azs": ["ap-northeast-1a"],
                        "tasks": [
                            {"id": f"s{i}-{n}", "az": "ap-northeast-1a"} for n in range(1, 201)
                        ],
                    }
                    for i in range(6)
                ]
            }
        ),
        "services[5].tasks",
        "more than 1000 tasks in total",
    ),
]


@pytest.mark.unit
@pytest.mark.parametrize(("token", "field", "reason"), HOSTILE)
def test_topology_from_token_hostile_input_names_the_field(
    token: str, field: str, reason: str
) -> None:
    with pytest.raises(diagrams.TopologyError) as caught:
        diagrams.topology_from_token(token)

    assert (caught.value.field, caught.value.reason) == (field, reason)


@pytest.mark.unit
@pytest.mark.parametrize("pattern", PATTERNS)
def test_topology_from_snapshot_shows_a_service_added_mid_run(pattern: str) -> None:
    add = {
        "at_s": 5,
        "do": "add_service",
        "service": {"name": "pay", "tasks": 2, "azs": ["ap-northeast-1c"]},
        "traffic": [{"from": "contract", "to": "pay", "rps": 5}],
    }
    loaded = load_scenario({"duration_s": 40, "actions": [add]})
    scenario = loaded.to_dict()
    sim = Simulation(loaded, pattern=pattern, seed=1)
    sim.advance(30.0)

    topology = diagrams.topology_from_snapshot(sim.snapshot(), scenario)

    assert topology["services"][-1] == {
        "name": "pay",
        "azs": ["ap-northeast-1c"],
        "tasks": [
            {"id": "pay-1", "az": "ap-northeast-1c"},
            {"id": "pay-2", "az": "ap-northeast-1c"},
        ],
    }
    assert topology["calls"][-1] == {"from": "contract", "to": "pay"}
    assert "pay-2" in diagrams.build_dot(topology, pattern)
