"""DOT per pattern: a topology -> graphviz source, built with the ``graphviz`` package.

Layout: top to bottom, callers above callees. Each ECS service is ONE graphviz node whose
HTML-table label holds an AZ cell per AZ and a cell per task; the ALB is one node with a cell per
ALB node. Cells are ordered by the table itself (AZ order, then task number), so graphviz's
crossing minimisation can only move whole services: a scale-out appends cells and never
reshuffles the tasks already drawn. Cells carry ``ID``/``TOOLTIP``/``HREF``, which makes graphviz
emit a ``<g id="a_<ID>">`` per cell; :func:`patterns.diagrams.render.inline_svg` renames it to the
contract's id.

Element ids follow the player protocol (``patterns/player/PROTOCOL.md``) and come from
:mod:`patterns.diagrams.ids`: ``task-<task>``, ``svc-<service>``, ``svc-<service>-az-<1a>``,
``alb``, ``alb-node-<1a>``, ``tg-<service>``, ``alb-dns``, ``appmesh-cp``, ``cloud-map``,
``vs-/vr-/vn-<name>``, ``r53-zone``, ``dns-cache-<caller>``, ``sc-namespace`` and
``edge-<a>--<b>``.

The package quotes identifiers and writes the statements in the order of the calls. Attributes go
in as ``_attributes`` pairs, never as a plain dict (which the package sorts by name): graphviz's
layout depends on statement order and, in places, on attribute order (sorting the default edge
attributes moves edge splines by a point or two), so both stay as they were. The same topology
gives byte-identical DOT. The HTML-like labels inside are written here; :func:`_html` escapes the
text that goes into them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from itertools import pairwise
from typing import Any

import graphviz
from django.utils.translation import gettext

from patterns.diagrams.ids import (
    aggregated,
    alb_node_el,
    az_suffix,
    edge_id,
    service_az_el,
    service_el,
    task_el,
)
from patterns.diagrams.topology import TopologyError, validate_topology
from patterns.sim import PATTERNS
from patterns.sim.discovery import DEFAULT_NAMESPACE
from patterns.sim.elb import ALB_DNS_NAME, ALB_DNS_TTL_S

# Names the engine uses (Cloud Map namespace, the ALB's DNS name and TTL).
NAMESPACE = DEFAULT_NAMESPACE

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

GRAPH_ATTRS = {
    "rankdir": "TB",
    "newrank": "true",
    "compound": "true",
    "ordering": "out",
    "nodesep": "0.3",
    "ranksep": "0.55",
    "pad": "0.15",
    "bgcolor": "transparent",
    "fontname": FONT,
    "fontsize": "10",
    "fontcolor": INK,
    "outputorder": "edgesfirst",
}
NODE_ATTRS = {
    "shape": "box",
    "style": "rounded,filled",
    "fillcolor": "white",
    "color": NET_PURPLE,
    "fontname": FONT,
    "fontsize": "9",
    "fontcolor": INK,
    "margin": "0.08,0.04",
    "penwidth": "1.2",
}
EDGE_ATTRS = {
    "color": EDGE_GREY,
    "penwidth": "0.7",
    "arrowsize": "0.5",
    "fontname": FONT,
    "fontsize": "8",
}


class _Diagram:
    """One diagram being built: the graph, the subgraph now open, and the cells' host nodes."""

    def __init__(self, topo: Mapping[str, Any], pattern: str) -> None:
        self.graph = graphviz.Digraph(name=f"kumoben-{pattern}")
        graph_attrs = [
            ("id", f"diagram-{pattern}"),
            *GRAPH_ATTRS.items(),
            ("class", f"kb-diagram pattern--{pattern}"),
        ]
        self.graph.attr("graph", _attributes=graph_attrs)
        self.graph.attr("node", _attributes=list(NODE_ATTRS.items()))
        self.graph.attr("edge", _attributes=list(EDGE_ATTRS.items()))
        self.open: list[graphviz.Digraph] = [self.graph]
        # Cells live inside a host node: edges to them go to host:port.
        self.host: dict[str, str] = {}
        for service in topo["services"]:
            for task in service["tasks"]:
                self.host[task_el(task["id"])] = service_el(service["name"])
        for az in topo["azs"]:
            self.host[alb_node_el(az)] = "alb"

    @property
    def current(self) -> graphviz.Digraph:
        return self.open[-1]

    @contextmanager
    def cluster(self, name: str, **attrs: str) -> Iterator[None]:
        """A subgraph (a ``cluster_`` name draws a box): nodes and edges made inside go in it."""
        with self.current.subgraph(name=name) as sub:
            sub.attr(_attributes=list(attrs.items()))
            self.open.append(sub)
            try:
                yield
            finally:
                self.open.pop()

    def node(self, node_id: str, **attrs: str) -> None:
        self.current.node(node_id, _attributes=[("id", node_id), *attrs.items()])

    def end(self, element: str, compass: str) -> str:
        host = self.host.get(element)
        return f"{element}:{compass}" if host is None else f"{host}:{element}:{compass}"

    def edge(self, a: str, b: str, tail: str = "s", head: str = "n", **attrs: str) -> None:
        self.current.edge(
            self.end(a, tail),
            self.end(b, head),
            _attributes=[("id", edge_id(a, b)), *attrs.items()],
        )

    def same_rank(self, node_ids: list[str]) -> None:
        """Pin nodes to one rank, left to right in this order, with invisible edges."""
        with self.current.subgraph() as row:
            row.attr(rank="same")
            for a, b in pairwise(node_ids):
                row.edge(a, b, style="invis")


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _cell(element_id: str, tooltip: str, body: str, **attrs: str) -> str:
    extra = "".join(f' {key.upper()}="{value}"' for key, value in attrs.items())
    return (
        f'<TD ID="{element_id}" PORT="{element_id}" TOOLTIP="{_html(tooltip)}" HREF="#"{extra}>'
        f"{body}</TD>"
    )


def _small(text: str, color: str = MUTED, size: int = 8) -> str:
    return f'<FONT POINT-SIZE="{size}" COLOR="{color}">{_html(text)}</FONT>'


def _box(main: str, sub: str, color: str = NET_PURPLE) -> str:
    return f'<<FONT COLOR="{color}"><B>{_html(main)}</B></FONT><BR/>{_small(sub)}>'


def _task_cell(task_id: str, az: str, pattern: str) -> str:
    app = f'<TD BORDER="1" COLOR="{ECS_ORANGE}" BGCOLOR="white" SIDES="LTBR">{_small(gettext("app"), INK)}</TD>'
    side = {"app-mesh": "Envoy", "service-connect": gettext("SC agent")}.get(pattern)
    if side:
        other = f'<TD BORDER="1" COLOR="{NET_PURPLE}" BGCOLOR="{NET_FILL}">{_small(side, NET_PURPLE)}</TD>'
    else:
        other = f"<TD>{_small(az_suffix(az), AZ_BLUE)}</TD>"
    body = (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{INK}"><B>{_html(task_id)}</B></FONT></TD></TR>'
        f"<TR>{app}{other}</TR></TABLE>"
    )
    tooltip = gettext("ECS task %(task)s · %(az)s") % {"task": task_id, "az": az}
    tooltip += f" · {side}" if side else ""
    return _cell(
        task_el(task_id),
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
        rows.append(f"<TR><TD>{_small(gettext('no tasks'))}</TD></TR>")
    width = max(1, min(len(tasks), TASKS_PER_ROW))
    body = (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0">'
        f'<TR><TD COLSPAN="{width}">{_small(az, AZ_BLUE)}</TD></TR>{"".join(rows)}</TABLE>'
    )
    return _cell(
        service_az_el(name, az),
        gettext("%(service)s tasks in %(az)s") % {"service": name, "az": az},
        body,
        border="1",
        style="rounded,dashed",
        color=AZ_BLUE,
    )


def _service_node(
    dot: _Diagram, service: Mapping[str, Any], pattern: str, note: str = "", classes: str = ""
) -> None:
    name = service["name"]
    cells = "".join(_az_cell(service, az, pattern) for az in service["azs"])
    span = len(service["azs"])
    head = (
        f'<TR><TD COLSPAN="{span}"><FONT COLOR="{ECS_ORANGE}"><B>{_html(name)}</B></FONT>'
        f" {_small(gettext('ECS service'))}</TD></TR>"
    )
    label = (
        f'<<TABLE BORDER="1" STYLE="rounded" COLOR="{ECS_ORANGE}" BGCOLOR="{ECS_FILL}" '
        f'CELLBORDER="0" CELLSPACING="6" CELLPADDING="2">{head}{note}<TR>{cells}</TR></TABLE>>'
    )
    dot.node(
        service_el(name),
        label=label,
        shape="plain",
        tooltip=gettext("ECS service %(service)s") % {"service": name},
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
    dot = _Diagram(topo, pattern)
    _BUILDERS[pattern](dot, topo)
    for row in rows_by_depth(topo, pattern):
        if len(row) > 1:
            dot.same_rank([service_el(name) for name in row])
    source: str = dot.graph.source
    return source


def rows_by_depth(topo: Mapping[str, Any], pattern: str) -> list[list[str]]:
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


def _services(topo: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {s["name"]: s for s in topo["services"]}


def _task_ids(service: Mapping[str, Any]) -> list[str]:
    return [task_el(t["id"]) for t in service["tasks"]]


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _direct_calls(dot: _Diagram, topo: Mapping[str, Any], pattern: str) -> None:
    """Task-to-task edges (App Mesh, Service Discovery, Service Connect: no middlebox).

    A call between two big services would need callers x callees edges (500 x 500 = 250,000:
    graphviz then takes minutes), so above :data:`~patterns.diagrams.ids.MAX_PAIR_EDGES` per call
    one service-to-service edge ``edge-svc-<a>--svc-<b>`` stands for all of them;
    :func:`~patterns.diagrams.ids.hop_edge` gives the id to use.
    """
    services = _services(topo)
    drawn: set[tuple[str, str]] = set()
    for call in topo["calls"]:
        caller = call["from"]
        for target in _callees(topo, call["to"], pattern):
            attrs = {"class": f"call from--{caller} to--{target}"}
            if aggregated(len(services[caller]["tasks"]), len(services[target]["tasks"])):
                pair = (service_el(caller), service_el(target))
                if pair not in drawn:
                    drawn.add(pair)
                    count = len(services[caller]["tasks"]) * len(services[target]["tasks"])
                    dot.edge(
                        *pair,
                        label=" " + gettext("%(count)s task pairs") % {"count": count},
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


def _managed(dot: _Diagram, name: str, label: str) -> AbstractContextManager[None]:
    """The grey "AWS managed" box (a context: what is made inside goes in it)."""
    return dot.cluster(
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


# --------------------------------------------------------------------------- ELB


def _elb_targets(topo: Mapping[str, Any]) -> list[str]:
    """Services behind the ALB (each has a target group), in topology order."""
    called = {c["to"] for c in topo["calls"]}
    return [s["name"] for s in topo["services"] if s["name"] in called]


def _elb(dot: _Diagram, topo: Mapping[str, Any]) -> None:
    services = _services(topo)
    targets = _elb_targets(topo)
    callers = _unique(c["from"] for c in topo["calls"])
    nodes = [(az, alb_node_el(az)) for az in topo["azs"]]
    for service in topo["services"]:
        if service["name"] not in targets:
            _service_node(dot, service, "elb")
    node_cells = "".join(
        _cell(
            node,
            gettext("ALB node in %(az)s") % {"az": az},
            f'<FONT COLOR="{NET_PURPLE}"><B>{gettext("ALB node")}</B></FONT><BR/>{_small(az)}',
            border="1",
            style="rounded",
            color=NET_PURPLE,
            bgcolor="white",
            cellpadding="4",
        )
        for az, node in nodes
    )
    # The DNS name on two lines: "internal-kumoben-alb." and the rest.
    host, _, domain = ALB_DNS_NAME.partition(".")
    ttl = gettext("TTL %(seconds)s s") % {"seconds": f"{ALB_DNS_TTL_S:g}"}
    dns = _cell(
        "alb-dns",
        gettext("%(name)s: one A record per ALB node, %(ttl)s")
        % {"name": ALB_DNS_NAME, "ttl": ttl},
        f"{_small(gettext('DNS name'), INK)}<BR/>{_small(f'{host}.', NET_PURPLE)}<BR/>"
        f"{_small(domain, NET_PURPLE)}<BR/>"
        f"{_small(gettext('A × %(count)s (one per ALB node) · %(ttl)s') % {'count': len(nodes), 'ttl': ttl})}",
        border="1",
        style="dashed",
        color=NET_PURPLE,
        bgcolor="white",
    )
    dot.node(
        "alb",
        shape="plain",
        tooltip=gettext("Application Load Balancer (internal)"),
        label=(
            f'<<TABLE BORDER="1" STYLE="rounded" COLOR="{NET_PURPLE}" BGCOLOR="{NET_FILL}" '
            f'CELLBORDER="0" CELLSPACING="6" CELLPADDING="3"><TR><TD COLSPAN="{len(nodes) + 1}">'
            f'<FONT COLOR="{NET_PURPLE}"><B>Application Load Balancer</B></FONT> '
            f"{_small(gettext('internal · cross-zone on · listener rules → target groups'))}</TD></TR>"
            f"<TR>{dns}{node_cells}</TR></TABLE>>"
        ),
        **{"class": "alb"},
    )
    for name in targets:
        with dot.cluster(
            f"cluster_tg_{name}",
            id=f"tg-{name}",
            **{"class": f"target-group svc--{name}"},
            label=_box(
                gettext("target group %(service)s") % {"service": name},
                gettext("ip targets · health check HTTP /"),
            ),
            style="rounded",
            color=NET_PURPLE,
            penwidth="1.2",
            margin="6",
            labelloc="b",
        ):
            _service_node(dot, services[name], "elb")
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


def _app_mesh(dot: _Diagram, topo: Mapping[str, Any]) -> None:
    services = _services(topo)
    virtual_services = _unique(c["to"] for c in topo["calls"])
    for service in topo["services"]:
        _service_node(dot, service, "app-mesh")
    with _managed(dot, "cluster_aws-appmesh", gettext("AWS managed")):
        dot.node(
            "cloud-map",
            label=_box(
                "AWS Cloud Map",
                gettext("namespace %(namespace)s · ECS registers each task")
                % {"namespace": NAMESPACE},
            ),
            fillcolor=NET_FILL,
            **{"class": "cloud-map"},
        )
        dot.node(
            "appmesh-cp",
            label=_box(
                gettext("App Mesh control plane"), gettext("xDS: routes + endpoints to every Envoy")
            ),
            fillcolor=NET_FILL,
            **{"class": "control-plane"},
        )
    dot.edge(
        "cloud-map",
        "appmesh-cp",
        tail="e",
        head="w",
        label=" " + gettext("endpoints"),
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
            gettext("virtual service %(name)s") % {"name": f"{vs}.{NAMESPACE}"},
            f'<FONT COLOR="{NET_PURPLE}"><B>{_html(vs)}.{NAMESPACE}</B></FONT><BR/>'
            f"{_small(gettext('virtual service'))}",
            border="1",
            style="rounded",
            color=NET_PURPLE,
            bgcolor="white",
        )
        vr_cell = _cell(
            f"vr-{vs}",
            gettext("virtual router %(name)s") % {"name": f"{vs}-vr"},
            f'<FONT COLOR="{NET_PURPLE}"><B>{_html(vs)}-vr</B></FONT><BR/>'
            f"{_small(gettext('virtual router · route /'))}",
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
            f'<TR><TD COLSPAN="4" ALIGN="RIGHT">{_small(gettext("client-only virtual nodes"))}</TD>'
            f'<TD><TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2"><TR>{cells}</TR></TABLE></TD></TR>'
        )
    dot.node(
        "mesh",
        shape="plain",
        tooltip=gettext("App Mesh mesh kumoben"),
        label=(
            f'<<TABLE BORDER="1" STYLE="rounded" COLOR="{NET_PURPLE}" BGCOLOR="{NET_FILL}" '
            f'CELLBORDER="0" CELLSPACING="4" CELLPADDING="2"><TR><TD COLSPAN="5">'
            f'<FONT COLOR="{NET_PURPLE}"><B>App Mesh</B></FONT> '
            f"{_small(gettext('mesh kumoben · the config every Envoy enforces'))}"
            f"</TD></TR>{''.join(rows)}</TABLE>>"
        ),
        **{"class": "mesh"},
    )
    dot.edge(
        "appmesh-cp",
        "mesh",
        tail="e",
        head="w",
        label=" " + gettext("reads"),
        fontcolor=NET_PURPLE,
        style="dashed",
        color=NET_PURPLE,
        **{"class": "config"},
    )
    # The control plane and the mesh config sit in one row under the deepest services, so the
    # diagram grows down rather than sideways.
    deepest = rows_by_depth(topo, "app-mesh")[-1][0]
    dot.current.edge(service_el(deepest), "cloud-map", style="invis")
    dot.same_rank(["cloud-map", "appmesh-cp", "mesh"])
    _direct_calls(dot, topo, "app-mesh")


def _vn_cell(name: str, share: str) -> str:
    prefix = f"{share} " if share else ""
    return _cell(
        f"vn-{name}",
        gettext("virtual node %(name)s (ECS service %(service)s)")
        % {"name": f"{name}-vn", "service": name},
        f'<FONT COLOR="{NET_PURPLE}">{_html(prefix)}<B>{_html(name)}-vn</B></FONT><BR/>'
        f"{_small(gettext('virtual node · ECS service %(service)s') % {'service': name})}",
        border="1",
        style="rounded",
        color=NET_PURPLE,
        bgcolor="white",
    )


# --------------------------------------------------------------------------- Service Discovery


def _service_discovery(dot: _Diagram, topo: Mapping[str, Any]) -> None:
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
                gettext("DNS cache of %(service)s's tasks: %(names)s")
                % {"service": name, "names": names},
                f"{_small(gettext('client DNS cache:'), INK)}&#160;{_small(names)}",
                border="1",
                style="dashed",
                color=MUTED,
                bgcolor="white",
                colspan=str(len(service["azs"])),
            )
            note = f"<TR>{cache}</TR>"
        _service_node(dot, service, "service-discovery", note)
    with _managed(dot, "cluster_aws-discovery", gettext("AWS managed")):
        dot.node(
            "cloud-map",
            label=_box(
                "AWS Cloud Map",
                gettext("namespace %(namespace)s · ECS registers each task")
                % {"namespace": NAMESPACE},
            ),
            fillcolor=NET_FILL,
            **{"class": "cloud-map"},
        )
        records = "".join(
            f'<TR><TD ALIGN="LEFT">{_small(f"{s}.{NAMESPACE}", INK)}</TD>'
            f'<TD ALIGN="LEFT">{_small(gettext("A · multivalue"))}</TD></TR>'
            for s in services
        )
        dot.node(
            "r53-zone",
            label=(
                '<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT">'
                f'<FONT COLOR="{NET_PURPLE}"><B>{_html(gettext("Route 53 private hosted zone"))}</B></FONT> {_small(NAMESPACE + ".")}'
                f"</TD></TR>{records}</TABLE>>"
            ),
            fillcolor=NET_FILL,
            **{"class": "hosted-zone"},
        )
    dot.edge(
        "cloud-map",
        "r53-zone",
        label=" " + gettext("records"),
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


def _service_connect(dot: _Diagram, topo: Mapping[str, Any]) -> None:
    with dot.cluster(
        "cluster_sc_namespace",
        id="sc-namespace",
        **{"class": "namespace"},
        label=(
            f'<<FONT COLOR="{NET_PURPLE}"><B>{_html(gettext("Service Connect namespace"))}</B></FONT> '
            f"{_small(gettext('AWS Cloud Map %(namespace)s · ECS pushes endpoints to every agent · no DNS query leaves the task') % {'namespace': NAMESPACE})}>"
        ),
        style="rounded,dashed",
        color=NET_PURPLE,
        penwidth="1.2",
        margin="10",
    ):
        for service in topo["services"]:
            _service_node(dot, service, "service-connect")
    _direct_calls(dot, topo, "service-connect")


_BUILDERS: dict[str, Callable[[_Diagram, Mapping[str, Any]], None]] = {
    "elb": _elb,
    "app-mesh": _app_mesh,
    "service-discovery": _service_discovery,
    "service-connect": _service_connect,
}
