"""Engine snapshot -> the state classes of diagram elements: one vocabulary for every screen.

:data:`STATES` lists every state a diagram element can show, with its words (English and Japanese
through gettext) and its badge; :func:`element_classes` reads them off one engine snapshot. The
player sends the changes of these classes in its frames and takes the badges from
:func:`badge_table` (never a table of its own); lessons paint the same classes and badges into
their static diagrams with :func:`paint_svg`, so a lesson and the player agree about any moment.
Element ids are those of :mod:`patterns.diagrams.ids`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from patterns.diagrams.ids import alb_node_el, az_suffix, task_el


@dataclass(frozen=True)
class State:
    """One state: its class ``state-<name>``, its name and sentence for a legend, its badge.

    ``rank`` orders the badges: when an element carries several states, the badge of the lowest
    rank (the most severe state) is the one drawn.
    """

    name: str
    label: str | Promise
    text: str | Promise
    badge: str
    rank: float

    @property
    def css_class(self) -> str:
        return f"state-{self.name}"


#: In the order a legend lists them (a task's life, then faults, then the rest).
STATES: tuple[State, ...] = (
    State("pending", _("Pending"), _("Starting: not running yet, gets no requests."), "…", 10),
    State(
        "initial",
        _("Initial"),
        _("Registered, waiting for its first passing health check."),
        "?",
        9,
    ),
    State(
        "healthy",
        _("Healthy"),
        _("Passing health checks and receiving its share of requests."),
        "✓",
        12,
    ),
    State(
        "draining",
        _("Draining"),
        _("Deregistering: finishes in-flight requests, gets no new ones."),
        "⇥",
        8,
    ),
    State(
        "unhealthy",
        _("Unhealthy"),
        _("Failed enough health checks to be taken out of rotation."),
        "!",
        7,
    ),
    State(
        "ejected",
        _("Ejected"),
        _("Outlier detection ejected it for a while after consecutive errors."),
        "⏏",
        2,
    ),
    State("stopped", _("Stopped"), _("The task has stopped; requests sent to it fail."), "✕", 0),
    State("slow", _("Slow"), _("Answers, but late: requests may time out."), "⏱", 6),
    State("failing", _("Failing"), _("Answers with 5xx errors."), "5xx", 3),
    State(
        "refusing",
        _("Refusing"),
        _("Refuses connections: callers see connect failures at once."),
        "⛔",
        4,
    ),
    State(
        "blackholed",
        _("Black-holed"),
        _("Packets vanish: callers wait until their timeout."),
        "●",
        5,
    ),
    State("az-out", _("AZ outage"), _("The whole Availability Zone is down."), "AZ✕", 1),
    State(
        "stale",
        _("Stale DNS cache"),
        _("A client DNS cache still holds an IP of a task that is gone."),
        "⌛",
        11,
    ),
    State(
        "green",
        _("Green revision"),
        _(
            "A task of the new revision in a blue/green, linear or canary deployment; blue is the"
            " revision it replaces."
        ),
        "G",
        9.5,  # after "initial": a green task's badge is "G" once it has passed its checks
    ),
)
BY_CLASS: dict[str, State] = {state.css_class: state for state in STATES}


def badge_table() -> list[tuple[str, str]]:
    """``(class, badge)`` pairs, most severe first: what the player's script draws badges from."""
    return [(s.css_class, s.badge) for s in sorted(STATES, key=lambda s: s.rank)]


def badge_for(classes: Iterable[str]) -> str:
    """The badge of the most severe state among ``classes`` ("" when none is a state)."""
    states = [BY_CLASS[c] for c in classes if c in BY_CLASS]
    return min(states, key=lambda s: s.rank).badge if states else ""


def labels_for(classes: Iterable[str]) -> list[str | Promise]:
    """The legend names of the states among ``classes``, most severe first."""
    states = sorted((BY_CLASS[c] for c in classes if c in BY_CLASS), key=lambda s: s.rank)
    return [s.label for s in states]


# --------------------------------------------------------------------------- snapshot -> classes


def _ejected_hosts(node: Any, out: set[str]) -> None:
    if isinstance(node, Mapping):
        ejected = node.get("ejected")
        if isinstance(ejected, Mapping):
            out.update(str(host) for host in ejected)
        for value in node.values():
            _ejected_hosts(value, out)
    elif isinstance(node, list):
        for value in node:
            _ejected_hosts(value, out)


def _elb_health(snapshot: Mapping[str, Any]) -> dict[str, str]:
    """Each registered target's class from its per-node health (nodes that are up)."""
    up = {n["node"] for n in snapshot.get("alb", {}).get("nodes", []) if n.get("up")}
    out: dict[str, str] = {}
    for targets in snapshot.get("target_groups", {}).values():
        for target in targets:
            if target.get("draining"):
                out[target["task"]] = "state-draining"
                continue
            states = [s for node, s in target.get("health", {}).items() if node in up]
            if states and all(s == "healthy" for s in states):
                out[target["task"]] = "state-healthy"
            elif "unhealthy" in states:
                out[target["task"]] = "state-unhealthy"
            else:
                out[target["task"]] = "state-initial"
    return out


def _task_classes(task: Mapping[str, Any], health: str | None, ejected: bool) -> list[str]:
    state = task["state"]
    if state == "STOPPED":
        return ["state-stopped"]
    if state == "PENDING":
        return ["state-pending"]
    classes: list[str]
    if state in ("DRAINING", "STOPPING"):
        classes = ["state-draining"]
    elif health is not None:
        classes = [health]
    elif not task.get("ready"):
        classes = ["state-initial"]
    else:
        classes = ["state-healthy" if task.get("healthy") else "state-initial"]
    behaviour = task.get("behaviour", {})
    if behaviour.get("slow_ms"):
        classes.append("state-slow")
    if behaviour.get("fail_probability"):
        classes.append("state-failing")
    if behaviour.get("refuse"):
        classes.append("state-refusing")
    if behaviour.get("blackhole"):
        classes.append("state-blackholed")
    if ejected:
        classes.append("state-ejected")
    return classes


def element_classes(snapshot: Mapping[str, Any], pattern: str) -> dict[str, tuple[str, ...]]:
    """Element id -> its state classes, from one engine snapshot (sorted, deterministic)."""
    out: dict[str, tuple[str, ...]] = {}
    health = _elb_health(snapshot) if pattern == "elb" else {}
    ejected: set[str] = set()
    _ejected_hosts(snapshot.get("proxies", {}), ejected)
    services = snapshot.get("services", {})
    ip_task: dict[str, str] = {}
    task_service: dict[str, str] = {}
    for name, service in services.items():
        for task in service["tasks"]:
            ip_task[task["ip"]] = task["task"]
            task_service[task["task"]] = name
    ejected = {ip_task.get(host, host) for host in ejected}
    azs = snapshot.get("azs", {})
    deployments = snapshot.get("deployments", {})
    for name, service in services.items():
        green = deployments.get(name, {}).get("green")
        for task in service["tasks"]:
            tid = task["task"]
            classes = _task_classes(
                task, health.get(tid) if pattern == "elb" else None, tid in ejected
            )
            if green is not None and task.get("version") == green and task["state"] != "STOPPED":
                classes.append("state-green")
            out[task_el(tid)] = tuple(sorted(classes))
        for az, up in azs.items():
            out[f"svc-{name}-az-{az_suffix(az)}"] = () if up else ("state-az-out",)
    if pattern == "elb":
        for node in snapshot.get("alb", {}).get("nodes", []):
            out[alb_node_el(node["node"])] = () if node.get("up") else ("state-az-out",)
    if pattern == "service-discovery":
        out.update(_stale_caches(snapshot, task_service))
    return out


def _stale_caches(
    snapshot: Mapping[str, Any], task_service: Mapping[str, str]
) -> dict[str, tuple[str, ...]]:
    """``dns-cache-<service>`` is stale while any of its tasks caches an IP the zone no longer serves."""
    served = {
        name: set(entry.get("served_ips", []))
        for name, entry in snapshot.get("cloud_map", {}).items()
    }
    callers = sorted({task_service.get(c, c.rsplit("-", 1)[0]) for c in snapshot["dns_caches"]})
    out: dict[str, tuple[str, ...]] = {f"dns-cache-{s}": () for s in callers}
    for caller, entries in snapshot.get("dns_caches", {}).items():
        service = task_service.get(caller, caller.rsplit("-", 1)[0])
        for record, entry in entries.items():
            name = record.split(" ", 1)[0]
            if name in served and any(ip not in served[name] for ip in entry.get("ips", [])):
                out[f"dns-cache-{service}"] = ("state-stale",)
    return out


# --------------------------------------------------------------------------- static diagrams


_BADGE = re.compile(r'<text class="badge"([^>]*?)\s*/>')


def paint_svg(svg: str, classes: Mapping[str, Iterable[str]]) -> str:
    """A served diagram SVG with ``classes`` added to its elements and each task's badge drawn:
    the picture the player shows at the same moment, for a page without the player's script."""
    for element, names in classes.items():
        names = list(names)
        if not names:
            continue
        match = re.search(rf'<g id="{re.escape(element)}" class="([^"]*)"', svg)
        if match is None:
            continue
        joined = " ".join([match.group(1), *names])
        svg = f"{svg[: match.start(1)]}{joined}{svg[match.end(1) :]}"
        glyph = badge_for(names)
        end = svg.find("</g>", match.end())
        badge = _BADGE.search(svg, match.end(), end if end >= 0 else len(svg))
        if glyph and badge is not None and element.startswith("task-"):
            svg = f'{svg[: badge.start()]}<text class="badge"{badge.group(1)}>{glyph}</text>{svg[badge.end() :]}'
    return svg
