"""Diagrams: topology, token, DOT determinism, SVG ids, cache, and the export endpoints."""

from __future__ import annotations

import base64
import json
import re
import zlib
from typing import Any

import pytest
from django.test import Client, override_settings

from patterns import diagrams
from patterns.diagrams import ids
from patterns.sim import PATTERNS, Simulation, load_scenario


def _sample() -> dict[str, Any]:
    return diagrams.topology_from_scenario(load_scenario("steady").to_dict())


def _ids(svg: str) -> list[str]:
    return re.findall(r' id="([^"]+)"', svg)


def _x_of(svg: str, element_id: str) -> float:
    """Left edge of an element's outline in the SVG (graphviz coordinates)."""
    start = svg.index(f'id="{element_id}"')
    chunk = svg[start : start + 4000]
    numbers = [float(n) for n in re.findall(r'(?:d="M|points=")(-?[\d.]+)', chunk)]
    return numbers[0]


def _token(data: Any) -> str:
    packed = zlib.compress(json.dumps(data).encode())
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


# --------------------------------------------------------------------------- topology


@pytest.mark.unit
def test_topology_from_scenario_sample_spreads_tasks_over_azs() -> None:
    topology = _sample()

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


# --------------------------------------------------------------------------- token


@pytest.mark.unit
def test_topology_token_round_trip_gives_same_topology() -> None:
    topology = _sample()

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


# --------------------------------------------------------------------------- DOT + SVG


@pytest.mark.unit
@pytest.mark.parametrize("pattern", PATTERNS)
def test_build_dot_same_topology_is_byte_identical(pattern: str) -> None:
    first = diagrams.build_dot(_sample(), pattern)

    second = diagrams.build_dot(json.loads(json.dumps(_sample())), pattern)

    assert first == second


@pytest.mark.unit
def test_build_dot_unknown_pattern_is_topology_error() -> None:
    with pytest.raises(diagrams.TopologyError) as caught:
        diagrams.build_dot(_sample(), "consul")

    assert caught.value.field == "pattern"


SAMPLE_COMMON = [
    *(f"task-{s}-{n}" for s in ("user", "contract", "inventory", "billing") for n in (1, 2, 3)),
    *(f"svc-{s}" for s in ("user", "contract", "inventory", "billing")),
    *(
        f"svc-{s}-az-{az}"
        for s in ("user", "contract", "inventory", "billing")
        for az in ("1a", "1c", "1d")
    ),
]
SAMPLE_IDS = {
    "elb": [
        "alb",
        "alb-dns",
        "alb-node-1a",
        "alb-node-1c",
        "alb-node-1d",
        "tg-contract",
        "tg-inventory",
        "tg-billing",
        "edge-contract-1--alb-node-1a",
        "edge-alb-node-1a--inventory-2",
        "edge-user-3--alb-node-1d",
    ],
    "app-mesh": [
        "appmesh-cp",
        "cloud-map",
        "vs-contract",
        "vs-inventory",
        "vs-billing",
        "vr-contract",
        "vr-inventory",
        "vr-billing",
        "vn-user",
        "vn-contract",
        "vn-inventory",
        "vn-billing",
        "edge-contract-1--inventory-2",
    ],
    "service-discovery": [
        "cloud-map",
        "r53-zone",
        "dns-cache-user",
        "dns-cache-contract",
        "edge-contract-1--r53-zone",
        "edge-contract-1--inventory-2",
        "edge-cloud-map--r53-zone",
    ],
    "service-connect": ["sc-namespace", "edge-contract-1--inventory-2", "edge-user-2--contract-3"],
}


@pytest.mark.parametrize("pattern", PATTERNS)
def test_render_svg_sample_system_has_every_contract_id_once(pattern: str) -> None:
    svg = diagrams.diagram_svg(_sample(), pattern)

    ids = _ids(svg)

    assert [i for i in SAMPLE_COMMON + SAMPLE_IDS[pattern] if i not in ids] == []
    assert len(ids) == len(set(ids))
    assert not [i for i in ids if i.startswith(("a_", "node", "edge&"))]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_render_svg_is_inline_safe(pattern: str) -> None:
    svg = diagrams.diagram_svg(_sample(), pattern)

    head = svg[: svg.index(">")]

    assert svg.startswith("<svg ")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    assert " width=" not in head and " height=" not in head and "viewBox=" in head
    assert "<a " not in svg and "<script" not in svg and "xlink:href" not in svg
    assert '<pattern id="kb-hatch"' in svg


def test_render_svg_task_carries_class_data_and_badge() -> None:
    svg = diagrams.diagram_svg(_sample(), "service-connect")

    start = svg.index('id="task-inventory-2"')
    group = svg[svg.rindex("<g", 0, start) : svg.index("</g>", start)]

    assert group.startswith(
        '<g id="task-inventory-2" class="node task" data-svc="inventory" data-az="1c">'
    )
    assert "<title>ECS task inventory-2 · ap-northeast-1c · SC agent</title>" in group
    assert 'class="shape-fill"' in group and 'class="shape"' in group
    assert 'class="badge"' in group


def test_render_svg_same_dot_twice_from_graphviz_is_identical() -> None:
    dot = diagrams.build_dot(_sample(), "elb")
    diagrams.clear_cache()
    first = diagrams.render_svg(dot)
    diagrams.clear_cache()

    second = diagrams.render_svg(dot)

    assert first == second


@pytest.mark.parametrize("pattern", PATTERNS)
def test_render_svg_scale_out_keeps_existing_task_order(pattern: str) -> None:
    topology = _sample()
    scaled = json.loads(json.dumps(topology))
    scaled["services"][2]["tasks"] += [
        {"id": "inventory-4", "az": "ap-northeast-1a"},
        {"id": "inventory-5", "az": "ap-northeast-1c"},
        {"id": "inventory-6", "az": "ap-northeast-1d"},
    ]
    before = diagrams.diagram_svg(topology, pattern)

    after = diagrams.diagram_svg(scaled, pattern)

    for service in ("user", "contract", "inventory", "billing"):
        ids = [f"task-{service}-{n}" for n in (1, 2, 3)]
        assert sorted(ids, key=lambda i: _x_of(before, i)) == ids
        assert sorted(ids, key=lambda i: _x_of(after, i)) == ids
    new_order = [
        "inventory-1",
        "inventory-4",
        "inventory-2",
        "inventory-5",
        "inventory-3",
        "inventory-6",
    ]
    assert sorted(new_order, key=lambda i: _x_of(after, f"task-{i}")) == new_order


# --------------------------------------------------------------------------- cache


def test_render_svg_second_call_is_a_cache_hit() -> None:
    dot = diagrams.build_dot(_sample(), "app-mesh")
    diagrams.clear_cache()
    first = diagrams.render_svg(dot)

    second = diagrams.render_svg(dot)

    assert second is first
    assert (diagrams.stats["svg_renders"], diagrams.stats["svg_hits"]) == (1, 1)


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "diagrams-test",
        }
    }
)
def test_render_svg_configured_django_cache_serves_after_process_cache_is_cleared() -> None:
    dot = diagrams.build_dot(_sample(), "service-discovery")
    diagrams.clear_cache()
    first = diagrams.render_svg(dot)
    diagrams.clear_cache()

    second = diagrams.render_svg(dot)

    assert second == first
    assert (diagrams.stats["svg_renders"], diagrams.stats["svg_hits"]) == (0, 1)


def test_run_dot_missing_graphviz_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(diagrams.GraphvizError) as caught:
        diagrams.run_dot("digraph { a }", "svg")

    assert str(caught.value) == "graphviz 'dot' is not installed (Debian: apt-get install graphviz)"


# --------------------------------------------------------------------------- endpoints


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("svg", "image/svg+xml; charset=utf-8", b"<svg "),
        ("png", "image/png", b"\x89PNG"),
        ("dot", "text/vnd.graphviz; charset=utf-8", b'digraph "kumoben-elb"'),
    ],
)
def test_diagram_view_exports_each_format(
    client: Client, fmt: str, content_type: str, magic: bytes
) -> None:
    token = diagrams.topology_token(_sample())

    response = client.get(f"/diagrams/elb.{fmt}", {"t": token})

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    assert response["ETag"] == f'"{diagrams.dot_hash(diagrams.build_dot(_sample(), "elb"))[:32]}"'


def test_diagram_view_without_token_draws_sample_system(client: Client) -> None:
    response = client.get("/diagrams/service-connect.dot")

    assert response.content.decode() == diagrams.build_dot(_sample(), "service-connect")


def test_diagram_view_download_sets_attachment(client: Client) -> None:
    response = client.get("/diagrams/app-mesh.svg", {"download": "1"})

    assert response["Content-Disposition"] == 'attachment; filename="kumoben-app-mesh.svg"'


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "/diagrams/consul.svg",
            "pattern: must be one of elb, app-mesh, service-discovery, service-connect\n",
        ),
        ("/diagrams/elb.svg?t=abc", "t: is not zlib-compressed data\n"),
        (
            "/diagrams/elb.png?t=" + _token({"services": [{"name": "X"}]}),
            "services[0].name: must match [a-z][a-z0-9-]{0,39}\n",
        ),
        ("/diagrams/elb.dot?t=" + "A" * 30000, "t: longer than 24000 characters\n"),
    ],
)
def test_diagram_view_bad_input_is_400_naming_the_field(
    client: Client, url: str, message: str
) -> None:
    response = client.get(url)

    assert response.status_code == 400
    assert response.content.decode() == message


def test_diagram_view_post_is_405(client: Client) -> None:
    response = client.post("/diagrams/elb.svg")

    assert response.status_code == 405


@pytest.mark.parametrize(
    ("view_box", "expected"),
    [
        ("0 0 600 10", "kb-w-600"),
        ("0 0 600.5 10", "kb-w-800"),
        ("0 0 1500 9", "kb-w-1500"),
        ("0 0 1501 9", "kb-w-max"),
    ],
)
def test_width_class_buckets_by_viewbox_width(view_box: str, expected: str) -> None:
    assert diagrams.width_class(view_box) == expected


# --------------------------------------------------------------------------- layout rules


def _services(*specs: tuple[str, int]) -> list[dict[str, Any]]:
    azs = list(diagrams.REGION_AZS)
    return [
        {
            "name": name,
            "azs": azs,
            "tasks": [{"id": f"{name}-{n}", "az": azs[(n - 1) % 3]} for n in range(1, count + 1)],
        }
        for name, count in specs
    ]


@pytest.mark.unit
def test_rows_by_depth_sample_system_puts_callers_above_callees() -> None:
    rows = diagrams.rows_by_depth(_sample(), "service-connect")

    assert rows == [["user"], ["contract"], ["inventory", "billing"]]


@pytest.mark.unit
def test_rows_by_depth_cycle_is_cut_at_the_closing_call() -> None:
    topology = {
        "services": _services(("a", 1), ("b", 1)),
        "calls": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}],
    }

    rows = diagrams.rows_by_depth(diagrams.validate_topology(topology), "app-mesh")

    assert rows == [["a"], ["b"]]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_render_svg_cycle_and_empty_service_render_with_unique_ids(pattern: str) -> None:
    topology = {
        "services": _services(("a", 2), ("b", 2), ("c", 0)),
        "calls": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}],
    }

    ids = _ids(diagrams.diagram_svg(topology, pattern))

    assert len(ids) == len(set(ids))
    assert {"svc-c", "svc-c-az-1a", "task-a-2", "task-b-1"} <= set(ids)


@pytest.mark.unit
def test_hop_edge_small_services_names_the_task_pair() -> None:
    edge = ids.hop_edge(_sample(), "service-connect", "task-contract-1", "task-inventory-2")

    assert edge == "edge-contract-1--inventory-2"


@pytest.mark.unit
def test_hop_edge_elb_and_dns_hops_keep_element_ids() -> None:
    topology = _sample()

    assert (
        ids.hop_edge(topology, "elb", "task-contract-1", "alb-node-1a")
        == "edge-contract-1--alb-node-1a"
    )
    assert (
        ids.hop_edge(topology, "service-discovery", "task-contract-1", "r53-zone")
        == "edge-contract-1--r53-zone"
    )


def test_render_svg_dense_call_draws_one_aggregated_edge_that_hop_edge_names() -> None:
    # 13 x 12 = 156 task pairs > MAX_PAIR_EDGES (144): one service-level edge stands for them.
    topology = diagrams.validate_topology(
        {
            "services": _services(("front", 13), ("back", 12)),
            "calls": [{"from": "front", "to": "back"}],
        }
    )

    svg = diagrams.diagram_svg(topology, "service-connect")
    edge = ids.hop_edge(topology, "service-connect", "task-front-13", "task-back-1")

    assert edge == "edge-svc-front--svc-back"
    assert [i for i in _ids(svg) if i.startswith("edge-")] == [edge]
    assert "> 156 task pairs<" in svg


def test_render_svg_canary_routes_reach_both_virtual_nodes() -> None:
    topology = diagrams.topology_from_scenario(load_scenario("canary-90-10").to_dict())

    svg = diagrams.diagram_svg(topology, "app-mesh")

    ids = set(_ids(svg))
    assert {
        "vn-inventory",
        "vn-inventory-v2",
        "edge-contract-1--inventory-v2-3",
        "edge-contract-2--inventory-1",
    } <= ids
    assert "edge-contract-1--inventory-v2-3" in ids and ">90 % <" in svg and ">10 % <" in svg


# --------------------------------------------------------------------------- legend


LEGEND_STATES = [
    "state-pending",
    "state-initial",
    "state-healthy",
    "state-draining",
    "state-unhealthy",
    "state-ejected",
    "state-stopped",
    "state-slow",
    "state-failing",
    "state-refusing",
    "state-blackholed",
    "state-az-out",
    "state-stale",
    "highlight",
]


def test_diagram_legend_shows_every_contract_state() -> None:
    from django.template.loader import render_to_string

    html = render_to_string("playground/_diagram_legend.html")

    assert re.findall(r'class="node task ([a-z-]+)"', html) == LEGEND_STATES


def test_diagram_legend_every_string_has_a_japanese_translation() -> None:
    from pathlib import Path

    template = Path(__file__).resolve().parents[2] / "templates/playground/_diagram_legend.html"
    msgids = re.findall(r'\{% translate "([^"]+)" %\}', template.read_text())
    from django.utils import translation

    with translation.override("ja"):
        untranslated = [m for m in msgids if translation.gettext(m) == m]

    assert len(msgids) == 30
    assert untranslated == []


def test_render_svg_labels_diagram_and_edges_for_assistive_tech() -> None:
    svg = diagrams.diagram_svg(_sample(), "elb")

    start = svg.index('id="edge-contract-1--alb-node-1a"')

    assert 'aria-label="elb diagram: 4 ECS services, 12 tasks"' in svg[: svg.index(">")]
    assert (
        svg[start : start + 200].split("<title>")[1].startswith("contract-1 → alb-node-1a</title>")
    )
