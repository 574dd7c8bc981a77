"""Topology diagrams: a topology + a pattern -> DOT text (pure) -> SVG/PNG (graphviz), cached.

A *topology* is the structure a diagram draws, never its state (states are classes the browser puts
on the stable ids, so no state change waits for ``dot``)::

    {"azs": ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],   # the ALB's AZs
     "services": [{"name": "inventory", "azs": [...],
                   "tasks": [{"id": "inventory-1", "az": "ap-northeast-1a"}, ...]}, ...],
     "calls": [{"from": "contract", "to": "inventory"}, ...],
     "routes": {"inventory": [{"virtual_node": "inventory", "weight": 90}, ...]}}   # App Mesh

Element ids follow the player protocol (``patterns/player/PROTOCOL.md``): ``task-<task>``,
``svc-<service>``, ``svc-<service>-az-<1a>``, ``alb``, ``alb-node-<1a>``, ``tg-<service>``,
``alb-dns``, ``appmesh-cp``, ``cloud-map``, ``vs-/vr-/vn-<name>``, ``r53-zone``,
``dns-cache-<caller>``, ``sc-namespace`` and ``edge-<a>--<b>`` with ``task-`` dropped from a and b.

Everything here except :func:`render_svg`/:func:`render_png` is pure and deterministic: the same
topology gives byte-identical DOT, and the SVG cache is keyed by the DOT's SHA-256.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import subprocess
import threading
import xml.etree.ElementTree as ET
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from patterns.diagrams.ids import (
    aggregated,
    az_suffix,
    edge_id,
)
from patterns.errors import FieldError
from patterns.sim import PATTERNS

# The engine's region: every ALB has one node in each of these AZs (patterns/sim/elb.py builds
# one node per AZ of the scenario module). A test pins this against a live snapshot.
REGION_AZS: tuple[str, ...] = ("ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d")
# Names the engine uses; tests pin both against snapshots so a drift shows up as a failure.
ALB_DNS_NAME = "internal-kumoben-alb.ap-northeast-1.elb.amazonaws.com"
NAMESPACE = "local"

MAX_TASKS = 1000
MAX_SERVICES = 50
MAX_CALLS = 500
MAX_TOKEN_CHARS = 24_000
MAX_TOKEN_JSON_BYTES = 256_000
DOT_TIMEOUT_S = 10.0

_NAME_RE = re.compile(r"[a-z][a-z0-9-]{0,39}")
_AZ_RE = re.compile(r"[a-z]{2}-[a-z]+-[0-9][a-z]")
_TASK_RE = re.compile(r"([a-z][a-z0-9-]{0,39})-([1-9][0-9]{0,5})")
_TOPOLOGY_KEYS = ("azs", "services", "calls", "routes")


class TopologyError(FieldError):
    """A topology (or its token) is invalid; ``field`` names where, ``reason`` says what."""


class GraphvizError(RuntimeError):
    """``dot`` is missing, timed out or failed."""


# --------------------------------------------------------------------------- topology


def _task_number(task_id: str) -> int:
    return int(task_id.rsplit("-", 1)[1])


def _place_initial(count: int, azs: list[str]) -> list[str]:
    # The engine spreads a new service's tasks over its AZs in order (fewest tasks first, ties
    # by AZ order), so task n lands in azs[(n - 1) % len(azs)]: 4 tasks over 1a/1c/1d -> 1a 1c 1d 1a.
    return [azs[i % len(azs)] for i in range(count)]


def _routes_of(scenario: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    settings = scenario.get("settings") or {}
    mesh = settings.get("app_mesh") or {} if isinstance(settings, Mapping) else {}
    routes = mesh.get("routes") or {} if isinstance(mesh, Mapping) else {}
    out: dict[str, list[dict[str, Any]]] = {}
    if isinstance(routes, Mapping):
        for vs, targets in routes.items():
            out[str(vs)] = [
                {"virtual_node": t.get("virtual_node"), "weight": t.get("weight")}
                for t in targets or []
                if isinstance(t, Mapping)
            ]
    return out


def topology_from_scenario(scenario: Mapping[str, Any]) -> dict[str, Any]:
    """The topology at t = 0 of a normalized scenario (``Scenario.to_dict()``)."""
    services = []
    for service in scenario.get("services") or []:
        azs = list(service.get("azs") or REGION_AZS)
        placed = _place_initial(int(service.get("tasks", 0)), azs)
        tasks = [{"id": f"{service['name']}-{n + 1}", "az": az} for n, az in enumerate(placed)]
        services.append({"name": service["name"], "azs": azs, "tasks": tasks})
    calls = [{"from": c["from"], "to": c["to"]} for c in scenario.get("traffic") or []]
    raw = {"azs": list(REGION_AZS), "services": services, "calls": calls}
    raw["routes"] = _routes_of(scenario)
    return validate_topology(raw)


def topology_from_snapshot(
    snapshot: Mapping[str, Any], scenario: Mapping[str, Any]
) -> dict[str, Any]:
    """The topology of a running simulation: its live tasks, the scenario's services and calls.

    Written defensively: any part missing from the snapshot falls back to the scenario, so a change
    in ``Simulation.snapshot()``'s shape degrades to the t = 0 topology instead of failing.
    """
    base = topology_from_scenario(scenario)
    live = snapshot.get("services") if isinstance(snapshot, Mapping) else None
    if isinstance(live, Mapping):
        for service in base["services"]:
            entry = live.get(service["name"])
            rows = entry.get("tasks") if isinstance(entry, Mapping) else None
            if not isinstance(rows, list):
                continue
            tasks = []
            for row in rows:
                if not isinstance(row, Mapping):
                    continue
                task_id, az = row.get("task") or row.get("id"), row.get("az")
                if isinstance(task_id, str) and isinstance(az, str):
                    tasks.append({"id": task_id, "az": az})
                    if az not in service["azs"]:
                        service["azs"].append(az)
            service["tasks"] = tasks
    alb = snapshot.get("alb") if isinstance(snapshot, Mapping) else None
    nodes = alb.get("nodes") if isinstance(alb, Mapping) else None
    if isinstance(nodes, list) and nodes:
        azs = [n.get("az") for n in nodes if isinstance(n, Mapping)]
        base["azs"] = [az for az in azs if isinstance(az, str)] or base["azs"]
    return validate_topology(base)


def validate_topology(data: Any) -> dict[str, Any]:
    """Check a topology from any source and return its canonical form (tasks sorted by number).

    Raises :class:`TopologyError` naming the field; it is the gate for hostile tokens too.
    """
    if not isinstance(data, Mapping):
        raise TopologyError("topology", "must be an object")
    for key in data:
        if key not in _TOPOLOGY_KEYS:
            raise TopologyError(str(key)[:40], f"unknown key; allowed: {', '.join(_TOPOLOGY_KEYS)}")
    azs = _check_azs(data.get("azs", list(REGION_AZS)), "azs")
    raw_services = _list(data.get("services"), "services", MAX_SERVICES)
    if not raw_services:
        raise TopologyError("services", "needs at least one service")
    services: list[dict[str, Any]] = []
    names: list[str] = []
    total = 0
    for i, raw in enumerate(raw_services):
        service = _check_service(raw, f"services[{i}]", names)
        total += len(service["tasks"])
        if total > MAX_TASKS:
            raise TopologyError(f"services[{i}].tasks", f"more than {MAX_TASKS} tasks in total")
        names.append(service["name"])
        services.append(service)
    calls = _check_calls(data.get("calls", []), names)
    routes = _check_routes(data.get("routes", {}), names)
    return {"azs": azs, "services": services, "calls": calls, "routes": routes}


def _list(value: Any, field: str, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise TopologyError(field, "must be a list")
    if len(value) > limit:
        raise TopologyError(field, f"at most {limit} entries, got {len(value)}")
    return value


def _name(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _NAME_RE.fullmatch(value):
        raise TopologyError(field, "must match [a-z][a-z0-9-]{0,39}")
    return value


def _check_azs(value: Any, field: str) -> list[str]:
    items = _list(value, field, 6)
    if not items:
        raise TopologyError(field, "needs at least one AZ")
    out: list[str] = []
    for j, az in enumerate(items):
        if not isinstance(az, str) or not _AZ_RE.fullmatch(az):
            raise TopologyError(f"{field}[{j}]", "must be an AZ name such as ap-northeast-1a")
        if az in out:
            raise TopologyError(f"{field}[{j}]", "duplicate AZ")
        out.append(az)
    return out


def _check_service(raw: Any, field: str, seen: list[str]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise TopologyError(field, "must be an object")
    for key in raw:
        if key not in ("name", "azs", "tasks"):
            raise TopologyError(
                f"{field}.{str(key)[:40]}", "unknown key; allowed: name, azs, tasks"
            )
    name = _name(raw.get("name"), f"{field}.name")
    if name in seen:
        raise TopologyError(f"{field}.name", f"duplicate service {name}")
    azs = _check_azs(raw.get("azs"), f"{field}.azs")
    tasks: list[dict[str, str]] = []
    ids: set[str] = set()
    for j, task in enumerate(_list(raw.get("tasks"), f"{field}.tasks", MAX_TASKS)):
        where = f"{field}.tasks[{j}]"
        if not isinstance(task, Mapping) or sorted(task) != ["az", "id"]:
            raise TopologyError(where, "must be an object with exactly id and az")
        task_id = task["id"]
        match = _TASK_RE.fullmatch(task_id) if isinstance(task_id, str) else None
        if match is None or match.group(1) != name:
            raise TopologyError(f"{where}.id", f"must be '{name}-<n>'")
        if task_id in ids:
            raise TopologyError(f"{where}.id", f"duplicate task {task_id}")
        if task["az"] not in azs:
            raise TopologyError(f"{where}.az", "must be one of the service's azs")
        ids.add(task_id)
        tasks.append({"id": task_id, "az": task["az"]})
    tasks.sort(key=lambda t: _task_number(t["id"]))
    return {"name": name, "azs": azs, "tasks": tasks}


def _check_calls(value: Any, names: list[str]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for i, call in enumerate(_list(value, "calls", MAX_CALLS)):
        if not isinstance(call, Mapping) or sorted(call) != ["from", "to"]:
            raise TopologyError(f"calls[{i}]", "must be an object with exactly from and to")
        pair = {"from": call["from"], "to": call["to"]}
        for key in ("from", "to"):
            if pair[key] not in names:
                raise TopologyError(f"calls[{i}].{key}", "must name a service of the topology")
        if pair["from"] == pair["to"]:
            raise TopologyError(f"calls[{i}].to", "a service does not call itself")
        if pair not in out:
            out.append(pair)
    return out


def _check_routes(value: Any, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(value, Mapping):
        raise TopologyError("routes", "must be an object")
    if len(value) > MAX_SERVICES:
        raise TopologyError("routes", f"at most {MAX_SERVICES} virtual services")
    out: dict[str, list[dict[str, Any]]] = {}
    for vs in sorted(value, key=str):
        field = f"routes.{str(vs)[:40]}"
        if vs not in names:
            raise TopologyError(field, "must name a service of the topology")
        targets = _list(value[vs], field, 10)
        if not targets:
            raise TopologyError(field, "needs at least one weighted target")
        rows = []
        for j, target in enumerate(targets):
            where = f"{field}[{j}]"
            if not isinstance(target, Mapping) or sorted(target) != ["virtual_node", "weight"]:
                raise TopologyError(where, "must be an object with exactly virtual_node and weight")
            if target["virtual_node"] not in names:
                raise TopologyError(f"{where}.virtual_node", "must name a service of the topology")
            weight = target["weight"]
            if (
                isinstance(weight, bool)
                or not isinstance(weight, (int, float))
                or not (0 <= weight <= 100)
            ):
                raise TopologyError(f"{where}.weight", "must be a number from 0 to 100")
            rows.append({"virtual_node": target["virtual_node"], "weight": _clean_number(weight)})
        out[vs] = rows
    return out


def _clean_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


# --------------------------------------------------------------------------- token


def canonical_json(topology: Mapping[str, Any]) -> str:
    return json.dumps(topology, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def topology_token(topology: Mapping[str, Any]) -> str:
    """A compact, URL-safe token: base64url (no padding) of zlib-compressed canonical JSON."""
    data = zlib.compress(canonical_json(validate_topology(topology)).encode("ascii"), 9)
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def topology_from_token(token: Any) -> dict[str, Any]:
    """Decode and validate a token; every failure is a :class:`TopologyError` on field ``t``."""
    if not isinstance(token, str) or not token:
        raise TopologyError("t", "is required")
    if len(token) > MAX_TOKEN_CHARS:
        raise TopologyError("t", f"longer than {MAX_TOKEN_CHARS} characters")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        raise TopologyError("t", "must be base64url (A-Z a-z 0-9 - _)")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise TopologyError("t", "is not valid base64url") from None
    # A bounded decompressor: a small token cannot expand into a memory bomb.
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(packed, MAX_TOKEN_JSON_BYTES + 1)
    except zlib.error:
        raise TopologyError("t", "is not zlib-compressed data") from None
    if len(text) > MAX_TOKEN_JSON_BYTES or inflater.unconsumed_tail:
        raise TopologyError("t", f"expands beyond {MAX_TOKEN_JSON_BYTES} bytes")
    try:
        data = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise TopologyError("t", "does not hold JSON") from None
    return validate_topology(data)


# --------------------------------------------------------------------------- DOT
#
# Layout: top to bottom, callers above callees. Each ECS service is ONE graphviz node whose
# HTML-table label holds an AZ cell per AZ and a cell per task; the ALB is one node with a cell per
# ALB node. Cells are ordered by the table itself (AZ order, then task number), so graphviz's
# crossing minimisation can only move whole services: a scale-out appends cells and never
# reshuffles the tasks already drawn. Cells carry ``ID``/``TOOLTIP``/``HREF``, which makes graphviz
# emit a ``<g id="a_<ID>">`` per cell; :func:`inline_svg` renames it to the contract's id.

# AWS architecture-icon colours: compute orange for ECS, blue for AZ borders, purple for
# networking (ELB, App Mesh, Cloud Map, Route 53). Standalone SVG and PNG exports use them as
# they are; the page's diagram.css only adds state.
ECS_ORANGE = "#c2570c"
ECS_FILL = "#fff7ed"
AZ_BLUE = "#2f6fb0"
NET_PURPLE = "#7b3fd1"
NET_FILL = "#f5f0ff"
AWS_GREY = "#f4f6f8"
INK = "#1f2933"
MUTED = "#5b6776"
EDGE_GREY = "#8795a8"
FONT = "Helvetica,Arial,sans-serif"
TASKS_PER_ROW = 3


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _attrs(**values: str) -> str:
    parts = []
    for key, value in values.items():
        if value.startswith("<") and value.endswith(">"):
            parts.append(f"{key}={value}")
        else:
            parts.append(f"{key}={_q(value)}")
    return "[" + " ".join(parts) + "]"


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


class _Dot:
    """An append-only DOT writer, so output order is exactly the order of the calls."""

    def __init__(self, topo: Mapping[str, Any]) -> None:
        self.lines: list[str] = []
        self.depth = 0
        # Cells live inside a host node: edges to them go to host:port.
        self.host: dict[str, str] = {}
        for service in topo["services"]:
            for task in service["tasks"]:
                self.host[f"task-{task['id']}"] = f"svc-{service['name']}"
        for az in topo["azs"]:
            self.host[f"alb-node-{az_suffix(az)}"] = "alb"

    def line(self, text: str) -> None:
        self.lines.append("  " * self.depth + text)

    def open(self, name: str, **attrs: str) -> None:
        self.line(f"subgraph {_q(name)} {{")
        self.depth += 1
        for key, value in attrs.items():
            self.line(f"{key}={value}" if value.startswith("<") else f"{key}={_q(value)}")

    def close(self) -> None:
        self.depth -= 1
        self.line("}")

    def node(self, node_id: str, **attrs: str) -> None:
        self.line(f"{_q(node_id)} {_attrs(id=node_id, **attrs)}")

    def end(self, element: str, compass: str) -> str:
        host = self.host.get(element)
        if host is None:
            return f"{_q(element)}:{compass}"
        return f"{_q(host)}:{_q(element)}:{compass}"

    def edge(self, a: str, b: str, tail: str = "s", head: str = "n", **attrs: str) -> None:
        self.line(f"{self.end(a, tail)} -> {self.end(b, head)} {_attrs(id=edge_id(a, b), **attrs)}")


def _cell(element_id: str, tooltip: str, body: str, **attrs: str) -> str:
    extra = "".join(f' {key.upper()}="{value}"' for key, value in attrs.items())
    return (
        f'<TD ID="{element_id}" PORT="{element_id}" TOOLTIP="{_html(tooltip)}" HREF="#"{extra}>'
        f"{body}</TD>"
    )


def _small(text: str, color: str = MUTED, size: int = 8) -> str:
    return f'<FONT POINT-SIZE="{size}" COLOR="{color}">{_html(text)}</FONT>'


def _task_cell(task_id: str, az: str, pattern: str) -> str:
    app = f'<TD BORDER="1" COLOR="{ECS_ORANGE}" BGCOLOR="white" SIDES="LTBR">{_small("app", INK)}</TD>'
    side = {"app-mesh": "Envoy", "service-connect": "SC agent"}.get(pattern)
    if side:
        other = f'<TD BORDER="1" COLOR="{NET_PURPLE}" BGCOLOR="{NET_FILL}">{_small(side, NET_PURPLE)}</TD>'
    else:
        other = f"<TD>{_small(az_suffix(az), AZ_BLUE)}</TD>"
    body = (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{INK}"><B>{_html(task_id)}</B></FONT></TD></TR>'
        f"<TR>{app}{other}</TR></TABLE>"
    )
    tooltip = f"ECS task {task_id} · {az}" + (f" · {side}" if side else "")
    return _cell(
        f"task-{task_id}",
        tooltip,
        body,
        border="1",
        style="rounded",
        color=ECS_ORANGE,
        bgcolor="white",
        cellpadding="3",
    )


def _az_cell(service: Mapping[str, Any], az: str, pattern: str) -> str:
    name = service["name"]
    tasks = [t for t in service["tasks"] if t["az"] == az]
    rows = []
    for start in range(0, len(tasks), TASKS_PER_ROW):
        chunk = tasks[start : start + TASKS_PER_ROW]
        rows.append("<TR>" + "".join(_task_cell(t["id"], az, pattern) for t in chunk) + "</TR>")
    if not rows:
        rows.append(f"<TR><TD>{_small('no tasks')}</TD></TR>")
    width = max(1, min(len(tasks), TASKS_PER_ROW))
    body = (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0">'
        f'<TR><TD COLSPAN="{width}">{_small(az, AZ_BLUE)}</TD></TR>{"".join(rows)}</TABLE>'
    )
    return _cell(
        f"svc-{name}-az-{az_suffix(az)}",
        f"{name} tasks in {az}",
        body,
        border="1",
        style="rounded,dashed",
        color=AZ_BLUE,
    )


def _service_node(
    dot: _Dot, service: Mapping[str, Any], pattern: str, note: str = "", classes: str = ""
) -> None:
    name = service["name"]
    cells = "".join(_az_cell(service, az, pattern) for az in service["azs"])
    span = len(service["azs"])
    head = (
        f'<TR><TD COLSPAN="{span}"><FONT COLOR="{ECS_ORANGE}"><B>{_html(name)}</B></FONT>'
        f" {_small('ECS service')}</TD></TR>"
    )
    label = (
        f'<<TABLE BORDER="1" STYLE="rounded" COLOR="{ECS_ORANGE}" BGCOLOR="{ECS_FILL}" '
        f'CELLBORDER="0" CELLSPACING="6" CELLPADDING="2">{head}{note}<TR>{cells}</TR></TABLE>>'
    )
    dot.node(
        f"svc-{name}",
        label=label,
        shape="plain",
        tooltip=f"ECS service {name}",
        **{"class": f"service svc--{name} {classes}".strip()},
    )


def _callees(topology: Mapping[str, Any], callee: str, pattern: str) -> list[str]:
    """Services a call to ``callee`` can land on: App Mesh follows the route's virtual nodes."""
    if pattern == "app-mesh" and callee in topology["routes"]:
        return [t["virtual_node"] for t in topology["routes"][callee] if t["weight"] > 0]
    return [callee]


def build_dot(topology: Mapping[str, Any], pattern: str) -> str:
    """DOT text for one pattern's diagram; pure and deterministic (byte-identical per input)."""
    if pattern not in PATTERNS:
        raise TopologyError("pattern", f"must be one of {', '.join(PATTERNS)}")
    topo = validate_topology(topology)
    dot = _Dot(topo)
    dot.line(f"digraph {_q('kumoben-' + pattern)} {{")
    dot.depth = 1
    dot.line(
        _attrs_line(
            "graph",
            id=f"diagram-{pattern}",
            rankdir="TB",
            newrank="true",
            compound="true",
            ordering="out",
            nodesep="0.3",
            ranksep="0.55",
            pad="0.15",
            bgcolor="transparent",
            fontname=FONT,
            fontsize="10",
            fontcolor=INK,
            outputorder="edgesfirst",
            **{"class": f"kb-diagram pattern--{pattern}"},
        )
    )
    dot.line(
        _attrs_line(
            "node",
            shape="box",
            style="rounded,filled",
            fillcolor="white",
            color=NET_PURPLE,
            fontname=FONT,
            fontsize="9",
            fontcolor=INK,
            margin="0.08,0.04",
            penwidth="1.2",
        )
    )
    dot.line(
        _attrs_line(
            "edge", color=EDGE_GREY, penwidth="0.7", arrowsize="0.5", fontname=FONT, fontsize="8"
        )
    )
    builder = {
        "elb": _elb,
        "app-mesh": _app_mesh,
        "service-discovery": _service_discovery,
        "service-connect": _service_connect,
    }[pattern]
    builder(dot, topo)
    for row in _rows_by_depth(topo, pattern):
        if len(row) > 1:
            chain = " -> ".join(_q(f"svc-{name}") for name in row)
            dot.line(f"{{rank=same; {chain} [style=invis]}}")
    dot.depth = 0
    dot.line("}")
    return "\n".join(dot.lines) + "\n"


def _rows_by_depth(topo: Mapping[str, Any], pattern: str) -> list[list[str]]:
    """Services grouped by call depth (callers above callees), each group in topology order.

    Pinning each group to one rank with invisible edges keeps services in the order the topology
    lists them. Depth is the longest call chain reaching a service once calls that close a cycle
    are ignored: user 0, contract 1, inventory and billing 2; with a -> b -> a, a 0 and b 1.
    """
    names = [s["name"] for s in topo["services"]]
    if pattern == "elb":
        # Behind the ALB every target shares one row; the ALB sits between callers and targets.
        targets = _elb_targets(topo)
        return [[n for n in names if n not in targets], targets]
    callees: dict[str, list[str]] = {n: [] for n in names}
    for call in topo["calls"]:
        callees[call["from"]].extend(_callees(topo, call["to"], pattern))
    called = {t for targets in callees.values() for t in targets}
    # Depth-first from the services nobody calls (then any left), in topology order; an edge to
    # a service still on the stack closes a cycle and is dropped.
    forward: dict[str, list[str]] = {n: [] for n in names}
    state: dict[str, str] = {}

    def visit(name: str) -> None:
        state[name] = "open"
        for target in callees[name]:
            if state.get(target) == "open":
                continue
            forward[name].append(target)
            if target not in state:
                visit(target)
        state[name] = "done"

    for name in [n for n in names if n not in called] + names:
        if name not in state:
            visit(name)
    depth = dict.fromkeys(names, 0)
    for _ in names:  # longest path on a DAG: at most len(names) relaxation rounds
        for name in names:
            for target in forward[name]:
                depth[target] = max(depth[target], depth[name] + 1)
    rows: dict[int, list[str]] = {}
    for name in names:
        rows.setdefault(depth[name], []).append(name)
    return [rows[key] for key in sorted(rows)]


def _attrs_line(kind: str, **values: str) -> str:
    return f"{kind} {_attrs(**values)}"


def _services(topo: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {s["name"]: s for s in topo["services"]}


def _task_ids(service: Mapping[str, Any]) -> list[str]:
    return [f"task-{t['id']}" for t in service["tasks"]]


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _direct_calls(dot: _Dot, topo: Mapping[str, Any], pattern: str) -> None:
    """Task-to-task edges (App Mesh, Service Discovery, Service Connect: no middlebox).

    A call between two big services would need callers x callees edges (500 x 500 = 250,000:
    graphviz then takes minutes), so above :data:`MAX_PAIR_EDGES` per call one service-to-service
    edge ``edge-svc-<a>--svc-<b>`` stands for all of them; :func:`hop_edge` gives the id to use.
    """
    services = _services(topo)
    drawn: set[tuple[str, str]] = set()
    for call in topo["calls"]:
        caller = call["from"]
        for target in _callees(topo, call["to"], pattern):
            attrs = {"class": f"call from--{caller} to--{target}"}
            if aggregated(len(services[caller]["tasks"]), len(services[target]["tasks"])):
                pair = (f"svc-{caller}", f"svc-{target}")
                if pair not in drawn:
                    drawn.add(pair)
                    count = len(services[caller]["tasks"]) * len(services[target]["tasks"])
                    dot.edge(
                        *pair,
                        label=f" {count} task pairs",
                        penwidth="2.5",
                        fontcolor=MUTED,
                        **{"class": f"call aggregated from--{caller} to--{target}"},
                    )
                continue
            for a in _task_ids(services[caller]):
                for b in _task_ids(services[target]):
                    if (a, b) not in drawn:
                        drawn.add((a, b))
                        dot.edge(a, b, **attrs)


def _managed(dot: _Dot, name: str, label: str) -> None:
    dot.open(
        name,
        id=name.replace("cluster_", ""),
        label=label,
        style="rounded,filled",
        fillcolor=AWS_GREY,
        color="#aab4c0",
        fontsize="8",
        fontcolor=MUTED,
        labeljust="l",
    )


def _box(main: str, sub: str, color: str = NET_PURPLE) -> str:
    return f'<<FONT COLOR="{color}"><B>{_html(main)}</B></FONT><BR/>{_small(sub)}>'


# --------------------------------------------------------------------------- ELB


def _elb_targets(topo: Mapping[str, Any]) -> list[str]:
    """Services behind the ALB (each has a target group), in topology order."""
    called = {c["to"] for c in topo["calls"]}
    return [s["name"] for s in topo["services"] if s["name"] in called]


def _elb(dot: _Dot, topo: Mapping[str, Any]) -> None:
    services = _services(topo)
    targets = _elb_targets(topo)
    callers = _unique(c["from"] for c in topo["calls"])
    nodes = [(az, f"alb-node-{az_suffix(az)}") for az in topo["azs"]]
    for service in topo["services"]:
        if service["name"] not in targets:
            _service_node(dot, service, "elb")
    node_cells = "".join(
        _cell(
            node,
            f"ALB node in {az}",
            f'<FONT COLOR="{NET_PURPLE}"><B>ALB node</B></FONT><BR/>{_small(az)}',
            border="1",
            style="rounded",
            color=NET_PURPLE,
            bgcolor="white",
            cellpadding="4",
        )
        for az, node in nodes
    )
    dns = _cell(
        "alb-dns",
        f"{ALB_DNS_NAME}: one A record per ALB node, TTL 60 s",
        f"{_small('DNS name', INK)}<BR/>{_small('internal-kumoben-alb.', NET_PURPLE)}<BR/>"
        f"{_small('ap-northeast-1.elb.amazonaws.com', NET_PURPLE)}<BR/>"
        f"{_small(f'A × {len(nodes)} (one per ALB node) · TTL 60 s')}",
        border="1",
        style="dashed",
        color=NET_PURPLE,
        bgcolor="white",
    )
    dot.node(
        "alb",
        shape="plain",
        tooltip="Application Load Balancer (internal)",
        label=(
            f'<<TABLE BORDER="1" STYLE="rounded" COLOR="{NET_PURPLE}" BGCOLOR="{NET_FILL}" '
            f'CELLBORDER="0" CELLSPACING="6" CELLPADDING="3"><TR><TD COLSPAN="{len(nodes) + 1}">'
            f'<FONT COLOR="{NET_PURPLE}"><B>Application Load Balancer</B></FONT> '
            f"{_small('internal · cross-zone on · listener rules → target groups')}</TD></TR>"
            f"<TR>{dns}{node_cells}</TR></TABLE>>"
        ),
        **{"class": "alb"},
    )
    for name in targets:
        dot.open(
            f"cluster_tg_{name}",
            id=f"tg-{name}",
            **{"class": f"target-group svc--{name}"},
            label=_box(f"target group {name}", "ip targets · health check HTTP /"),
            style="rounded",
            color=NET_PURPLE,
            penwidth="1.2",
            margin="6",
            labelloc="b",
        )
        _service_node(dot, services[name], "elb")
        dot.close()
    # Caller -> ALB node: the caller resolved the ALB's name and connected to one node's IP. A
    # caller that is also a target sits below the ALB, so its edges go up and do not rank it.
    for name in callers:
        up = name in targets
        for a in _task_ids(services[name]):
            for _az, node in nodes:
                if up:
                    dot.edge(
                        a,
                        node,
                        tail="n",
                        head="s",
                        constraint="false",
                        **{"class": f"call from--{name} to--alb"},
                    )
                else:
                    dot.edge(a, node, **{"class": f"call from--{name} to--alb"})
    # ALB node -> target: every node routes to every registered target (cross-zone).
    for name in targets:
        for _az, node in nodes:
            for b in _task_ids(services[name]):
                dot.edge(node, b, **{"class": f"call from--alb to--{name}"})


# --------------------------------------------------------------------------- App Mesh


def _app_mesh(dot: _Dot, topo: Mapping[str, Any]) -> None:
    services = _services(topo)
    virtual_services = _unique(c["to"] for c in topo["calls"])
    for service in topo["services"]:
        _service_node(dot, service, "app-mesh")
    _managed(dot, "cluster_aws-appmesh", "AWS managed")
    dot.node(
        "cloud-map",
        label=_box("AWS Cloud Map", f"namespace {NAMESPACE} · ECS registers each task"),
        fillcolor=NET_FILL,
        **{"class": "cloud-map"},
    )
    dot.node(
        "appmesh-cp",
        label=_box("App Mesh control plane", "xDS: routes + endpoints to every Envoy"),
        fillcolor=NET_FILL,
        **{"class": "control-plane"},
    )
    dot.close()
    dot.edge(
        "cloud-map",
        "appmesh-cp",
        tail="e",
        head="w",
        label=" endpoints",
        fontcolor=NET_PURPLE,
        style="dashed",
        color=NET_PURPLE,
        **{"class": "config"},
    )
    # The mesh's resources, one row per virtual service: service -> router -> weighted nodes.
    placed: list[str] = []
    rows = []
    arrow = f"<TD>{_small('→', NET_PURPLE, 10)}</TD>"
    for vs in virtual_services:
        targets = topo["routes"].get(vs) or [{"virtual_node": vs, "weight": 100}]
        total = sum(t["weight"] for t in targets) or 1
        vn_rows = []
        for target in targets:
            node = target["virtual_node"]
            share = f"{100 * target['weight'] / total:.0f} %"
            if node in placed:
                vn_rows.append(f"<TR><TD>{_small(f'{share} → {node}-vn')}</TD></TR>")
                continue
            placed.append(node)
            vn_rows.append("<TR>" + _vn_cell(node, share) + "</TR>")
        vs_cell = _cell(
            f"vs-{vs}",
            f"virtual service {vs}.{NAMESPACE}",
            f'<FONT COLOR="{NET_PURPLE}"><B>{_html(vs)}.{NAMESPACE}</B></FONT><BR/>'
            f"{_small('virtual service')}",
            border="1",
            style="rounded",
            color=NET_PURPLE,
            bgcolor="white",
        )
        vr_cell = _cell(
            f"vr-{vs}",
            f"virtual router {vs}-vr",
            f'<FONT COLOR="{NET_PURPLE}"><B>{_html(vs)}-vr</B></FONT><BR/>'
            f"{_small('virtual router · route /')}",
            border="1",
            style="rounded",
            color=NET_PURPLE,
            bgcolor="white",
        )
        nodes_cell = (
            '<TD><TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2">'
            + "".join(vn_rows)
            + "</TABLE></TD>"
        )
        rows.append(f"<TR>{vs_cell}{arrow}{vr_cell}{arrow}{nodes_cell}</TR>")
    clients = [name for name in services if name not in placed]
    if clients:
        cells = "".join(_vn_cell(name, "") for name in clients)
        rows.append(
            f'<TR><TD COLSPAN="4" ALIGN="RIGHT">{_small("client-only virtual nodes")}</TD>'
            f'<TD><TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2"><TR>{cells}</TR></TABLE></TD></TR>'
        )
    dot.node(
        "mesh",
        shape="plain",
        tooltip="App Mesh mesh kumoben",
        label=(
            f'<<TABLE BORDER="1" STYLE="rounded" COLOR="{NET_PURPLE}" BGCOLOR="{NET_FILL}" '
            f'CELLBORDER="0" CELLSPACING="4" CELLPADDING="2"><TR><TD COLSPAN="5">'
            f'<FONT COLOR="{NET_PURPLE}"><B>App Mesh</B></FONT> '
            f"{_small('mesh kumoben · the config every Envoy enforces')}"
            f"</TD></TR>{''.join(rows)}</TABLE>>"
        ),
        **{"class": "mesh"},
    )
    dot.edge(
        "appmesh-cp",
        "mesh",
        tail="e",
        head="w",
        label=" reads",
        fontcolor=NET_PURPLE,
        style="dashed",
        color=NET_PURPLE,
        **{"class": "config"},
    )
    # The control plane and the mesh config sit in one row under the deepest services, so the
    # diagram grows down rather than sideways.
    deepest = _rows_by_depth(topo, "app-mesh")[-1][0]
    dot.line(f'{_q("svc-" + deepest)} -> "cloud-map" [style=invis]')
    dot.line('{rank=same; "cloud-map" -> "appmesh-cp" -> "mesh" [style=invis]}')
    _direct_calls(dot, topo, "app-mesh")


def _vn_cell(name: str, share: str) -> str:
    prefix = f"{share} " if share else ""
    return _cell(
        f"vn-{name}",
        f"virtual node {name}-vn (ECS service {name})",
        f'<FONT COLOR="{NET_PURPLE}">{_html(prefix)}<B>{_html(name)}-vn</B></FONT><BR/>'
        f"{_small(f'virtual node · ECS service {name}')}",
        border="1",
        style="rounded",
        color=NET_PURPLE,
        bgcolor="white",
    )


# --------------------------------------------------------------------------- Service Discovery


def _service_discovery(dot: _Dot, topo: Mapping[str, Any]) -> None:
    services = _services(topo)
    callers = _unique(c["from"] for c in topo["calls"])
    for service in topo["services"]:
        name = service["name"]
        note = ""
        if name in callers:
            names = ", ".join(
                f"{r}.{NAMESPACE}"
                for r in _unique(c["to"] for c in topo["calls"] if c["from"] == name)
            )
            cache = _cell(
                f"dns-cache-{name}",
                f"DNS cache of {name}'s tasks: {names}",
                f"{_small('client DNS cache:', INK)}&#160;{_small(names)}",
                border="1",
                style="dashed",
                color=MUTED,
                bgcolor="white",
                colspan=str(len(service["azs"])),
            )
            note = f"<TR>{cache}</TR>"
        _service_node(dot, service, "service-discovery", note)
    _managed(dot, "cluster_aws-discovery", "AWS managed")
    dot.node(
        "cloud-map",
        label=_box("AWS Cloud Map", f"namespace {NAMESPACE} · ECS registers each task"),
        fillcolor=NET_FILL,
        **{"class": "cloud-map"},
    )
    records = "".join(
        f'<TR><TD ALIGN="LEFT">{_small(f"{s}.{NAMESPACE}", INK)}</TD>'
        f'<TD ALIGN="LEFT">{_small("A · multivalue")}</TD></TR>'
        for s in services
    )
    dot.node(
        "r53-zone",
        label=(
            '<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT">'
            f'<FONT COLOR="{NET_PURPLE}"><B>Route 53 private hosted zone</B></FONT> {_small(NAMESPACE + ".")}'
            f"</TD></TR>{records}</TABLE>>"
        ),
        fillcolor=NET_FILL,
        **{"class": "hosted-zone"},
    )
    dot.close()
    dot.edge(
        "cloud-map",
        "r53-zone",
        label=" records",
        style="dashed",
        color=NET_PURPLE,
        fontcolor=NET_PURPLE,
        **{"class": "config"},
    )
    # Caller task -> hosted zone: the DNS query on a cache miss (through the VPC resolver).
    for name in callers:
        for a in _task_ids(services[name]):
            dot.edge(
                a,
                "r53-zone",
                tail="e",
                head="w",
                style="dotted",
                color=NET_PURPLE,
                constraint="false",
                **{"class": f"dns-query from--{name}"},
            )
    _direct_calls(dot, topo, "service-discovery")


# --------------------------------------------------------------------------- Service Connect


def _service_connect(dot: _Dot, topo: Mapping[str, Any]) -> None:
    dot.open(
        "cluster_sc_namespace",
        id="sc-namespace",
        **{"class": "namespace"},
        label=(
            f'<<FONT COLOR="{NET_PURPLE}"><B>Service Connect namespace</B></FONT> '
            f"{_small(f'AWS Cloud Map {NAMESPACE} · ECS pushes endpoints to every agent · no DNS query leaves the task')}>"
        ),
        style="rounded,dashed",
        color=NET_PURPLE,
        penwidth="1.2",
        margin="10",
    )
    for service in topo["services"]:
        _service_node(dot, service, "service-connect")
    dot.close()
    _direct_calls(dot, topo, "service-connect")


# --------------------------------------------------------------------------- rendering

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", _SVG_NS)
ET.register_namespace("xlink", _XLINK_NS)

_DEFS = (
    f'<defs xmlns="{_SVG_NS}">'
    '<pattern id="kb-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#9aa5b1" stroke-width="2"/></pattern>'
    '<pattern id="kb-hatch-red" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(-45)"><rect width="6" height="6" fill="#fff1f0"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#d64545" stroke-width="1.5"/></pattern>'
    "</defs>"
)

_cache_lock = threading.Lock()
_svg_cache: OrderedDict[str, str] = OrderedDict()
_png_cache: OrderedDict[str, bytes] = OrderedDict()
CACHE_SIZE = 128
stats = {"svg_hits": 0, "svg_renders": 0, "png_hits": 0, "png_renders": 0}


def dot_hash(dot: str) -> str:
    return hashlib.sha256(dot.encode("utf-8")).hexdigest()


def run_dot(dot: str, fmt: str) -> bytes:
    """Run graphviz; a missing binary, a timeout or a failure is a :class:`GraphvizError`."""
    try:
        done = subprocess.run(
            ["dot", f"-T{fmt}", *(["-Gdpi=144"] if fmt == "png" else [])],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise GraphvizError(
            "graphviz 'dot' is not installed (Debian: apt-get install graphviz)"
        ) from None
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"graphviz 'dot' took longer than {DOT_TIMEOUT_S:g} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[:300]
        raise GraphvizError(f"graphviz 'dot' failed: {message}")
    return done.stdout


def _django_cache() -> Any:
    """Django's cache when the project configures ``CACHES``; else None (the LRU is enough)."""
    from django.conf import settings
    from django.core.cache import caches

    if settings.configured and settings.is_overridden("CACHES"):
        return caches["default"]
    return None


def _cached(kind: str, store: OrderedDict[str, Any], dot: str, make: Any) -> Any:
    key = dot_hash(dot)
    with _cache_lock:
        if key in store:
            store.move_to_end(key)
            stats[f"{kind}_hits"] += 1
            return store[key]
    shared = _django_cache()
    value = shared.get(f"kumoben:diagram:{kind}:{key}") if shared is not None else None
    if value is None:
        value = make(dot)
        stats[f"{kind}_renders"] += 1
        if shared is not None:
            shared.set(f"kumoben:diagram:{kind}:{key}", value, 24 * 3600)
    else:
        stats[f"{kind}_hits"] += 1
    with _cache_lock:
        store[key] = value
        while len(store) > CACHE_SIZE:
            store.popitem(last=False)
    return value


def clear_cache() -> None:
    with _cache_lock:
        _svg_cache.clear()
        _png_cache.clear()
        for key in stats:
            stats[key] = 0


def render_svg(dot: str) -> str:
    """Inline-safe SVG for DOT text, laid out once per distinct DOT (cached by its SHA-256)."""
    result: str = _cached("svg", _svg_cache, dot, lambda d: inline_svg(run_dot(d, "svg")))
    return result


def render_png(dot: str) -> bytes:
    result: bytes = _cached("png", _png_cache, dot, lambda d: run_dot(d, "png"))
    return result


def diagram_svg(topology: Mapping[str, Any], pattern: str) -> str:
    return render_svg(build_dot(topology, pattern))


def inline_svg(raw: bytes) -> str:
    """Make graphviz's SVG safe and useful inline in a page.

    Drops the XML prologue, doctype and comments; replaces the fixed pt width/height with the
    viewBox (the page sizes it); keeps every id. Table cells come out of graphviz as
    ``<g id="a_<id>"><a xlink:title=…>``: they become ``<g id="<id>" class="…">`` with a
    ``<title>``, and a node's own tooltip wrapper is dissolved into the node. Class tokens such as
    ``svc--inventory`` become ``data-svc="inventory"``; every task gets ``data-svc``/``data-az``,
    its outline the class ``shape`` and an empty ``badge`` text for the player to fill.
    """
    root = ET.fromstring(raw)
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    root.set("class", f"kb-diagram-svg {_width_class(root.get('viewBox', ''))}")
    root.set("role", "img")
    root.set("preserveAspectRatio", "xMidYMin meet")
    graph = root.find(_tag("g"))
    if graph is not None:
        pattern_class = [c for c in graph.get("class", "").split() if c.startswith("pattern--")]
        if pattern_class:
            root.set("data-pattern", pattern_class[0].split("--", 1)[1])
        for child in list(graph):
            if child.tag == _tag("polygon"):  # the page background graphviz paints
                graph.remove(child)
                break
    _rework(root, [])
    kinds = [g.get("class", "").split() for g in root.iter(_tag("g"))]
    services = sum(1 for k in kinds if "service" in k)
    tasks = sum(1 for k in kinds if "task" in k)
    root.set(
        "aria-label",
        f"{root.get('data-pattern', '')} diagram: {services} ECS services, {tasks} tasks",
    )
    root.insert(0, ET.fromstring(_DEFS))
    return ET.tostring(root, encoding="unicode")


def _width_class(view_box: str) -> str:
    """A size bucket for diagram.css's minimum width (about 0.85 of the natural width)."""
    parts = view_box.split()
    width = float(parts[2]) if len(parts) == 4 else 0.0
    for limit in (600, 800, 1000, 1200, 1500):
        if width <= limit:
            return f"kb-w-{limit}"
    return "kb-w-max"


def _tag(name: str) -> str:
    return f"{{{_SVG_NS}}}{name}"


_CELL_CLASSES = (
    ("task-", "node task"),
    ("alb-node-", "node alb-node"),
    ("alb-dns", "node alb-dns"),
    ("vs-", "node virtual-service"),
    ("vr-", "node virtual-router"),
    ("vn-", "node virtual-node"),
    ("dns-cache-", "node dns-cache"),
)


def _cell_class(element_id: str) -> str:
    if element_id.startswith("svc-") and "-az-" in element_id:
        return "az"
    for prefix, classes in _CELL_CLASSES:
        if element_id.startswith(prefix):
            return classes
    return "cell"


def _rework(element: ET.Element, ancestors: list[ET.Element]) -> None:
    index = 0
    while index < len(element):
        child = element[index]
        if child.tag == _tag("g") and child.get("id", "").startswith("a_"):
            anchor = child.find(_tag("a"))
            inner = list(anchor) if anchor is not None else []
            tooltip = anchor.get(f"{{{_XLINK_NS}}}title", "") if anchor is not None else ""
            real_id = child.get("id", "")[2:]
            owner = next((a for a in ancestors + [element] if a.get("id") == real_id), None)
            if owner is not None:
                # The node's own tooltip: dissolve the wrapper, keep the text as its title.
                element.remove(child)
                for offset, grandchild in enumerate(inner):
                    element.insert(index + offset, grandchild)
                title = owner.find(_tag("title"))
                if title is not None:
                    title.text = tooltip
                continue
            child.attrib.clear()
            child.set("id", real_id)
            child.set("class", _cell_class(real_id))
            if anchor is not None:
                child.remove(anchor)
            title = ET.SubElement(child, _tag("title"))
            title.text = tooltip
            child.extend(inner)
            _decorate_cell(child, ancestors + [element])
        classes = child.get("class")
        if classes:
            _split_classes(child, classes)
        if child.tag == _tag("g") and "node" in child.get("class", "").split():
            _mark_shape(child)
        if child.tag == _tag("g") and child.get("id", "").startswith("edge-"):
            # graphviz titles an edge with its DOT ports ("svc-a:task-a-1:s->alb:alb-node-1a:n").
            title = child.find(_tag("title"))
            if title is not None:
                title.text = child.get("id", "")[len("edge-") :].replace("--", " → ")
        _rework(child, ancestors + [element])
        index += 1


def _decorate_cell(cell: ET.Element, ancestors: list[ET.Element]) -> None:
    element_id = cell.get("id", "")
    service = next(
        (a.get("id", "")[4:] for a in reversed(ancestors) if "service" in a.get("class", "")),
        "",
    )
    if service:
        cell.set("data-svc", service)
    if element_id.startswith("svc-") and "-az-" in element_id:
        cell.set("data-az", element_id.rsplit("-az-", 1)[1])
    az = next((a.get("data-az") for a in reversed(ancestors) if a.get("data-az")), None)
    if element_id.startswith("task-") and az:
        cell.set("data-az", az)
    if element_id.startswith("alb-node-"):
        cell.set("data-az", element_id[len("alb-node-") :])


def _split_classes(element: ET.Element, classes: str) -> None:
    kept = []
    for token in classes.split():
        key, sep, value = token.partition("--")
        if sep and key and value:
            element.set(f"data-{key}", value)
        else:
            kept.append(token)
    element.set("class", " ".join(kept))


def _mark_shape(node: ET.Element) -> None:
    """Class the node's fill ``shape-fill`` and its outline ``shape`` (one element may be both)."""
    shapes = [c for c in node if c.tag in (_tag("path"), _tag("polygon"), _tag("ellipse"))]
    if not shapes:
        return
    filled = next((c for c in shapes if c.get("fill") not in (None, "none")), None)
    outline = next((c for c in shapes if c.get("stroke") not in (None, "transparent")), None)
    if filled is not None:
        filled.set("class", "shape-fill")
    if outline is not None:
        outline.set("class", "shape shape-fill" if outline is filled else "shape")
    if "task" not in node.get("class", "").split():
        return
    xs, ys = _bbox(outline if outline is not None else shapes[0])
    if not xs:
        return
    badge = ET.SubElement(node, _tag("text"))
    badge.set("class", "badge")
    badge.set("x", f"{max(xs) - 4:.2f}")
    badge.set("y", f"{min(ys) + 10:.2f}")
    badge.set("text-anchor", "end")
    badge.set("font-size", "9")
    badge.set("aria-hidden", "true")
    badge.text = ""


def _bbox(shape: ET.Element) -> tuple[list[float], list[float]]:
    text = shape.get("points") or shape.get("d") or ""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return numbers[0::2], numbers[1::2]
