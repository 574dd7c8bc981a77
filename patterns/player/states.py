"""Engine snapshot -> the state classes of diagram elements: one vocabulary for every screen.

The player sends the changes of these classes in its frames; lessons paint them into their static
diagrams. Element ids are those of :mod:`patterns.diagrams.ids`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patterns.diagrams.ids import alb_node_el, az_suffix, task_el


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
    for name, service in services.items():
        for task in service["tasks"]:
            tid = task["task"]
            classes = _task_classes(
                task, health.get(tid) if pattern == "elb" else None, tid in ejected
            )
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
