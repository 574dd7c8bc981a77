"""The topology a diagram draws, and its URL token.

A *topology* is the structure a diagram draws, never its state (states are classes the browser puts
on the stable ids, so no state change waits for ``dot``)::

    {"azs": ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],   # the ALB's AZs
     "services": [{"name": "inventory", "azs": [...],
                   "tasks": [{"id": "inventory-1", "az": "ap-northeast-1a"}, ...]}, ...],
     "calls": [{"from": "contract", "to": "inventory"}, ...],
     "routes": {"inventory": [{"virtual_node": "inventory", "weight": 90}, ...]}}   # App Mesh

:func:`validate_topology` is the one gate (a token from a URL passes it too) and gives the
canonical form; :func:`topology_token` packs that form into a compact URL-safe token. The engine's
facts (its AZs, where ECS places a new service's tasks) come from :mod:`patterns.sim`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Mapping
from typing import Any

from patterns import untrusted
from patterns.errors import FieldError
from patterns.sim.scenario import AZS
from patterns.sim.topology import initial_placement

# The engine's region: every ALB has one node in each of these AZs (patterns/sim/elb.py builds
# one node per AZ of the scenario module).
REGION_AZS: tuple[str, ...] = AZS

MAX_TASKS = 1000
MAX_SERVICES = 50
MAX_CALLS = 500
MAX_TOKEN_CHARS = 24_000
MAX_TOKEN_JSON_BYTES = 256_000

_NAME_RE = re.compile(r"[a-z][a-z0-9-]{0,39}")
_AZ_RE = re.compile(r"[a-z]{2}-[a-z]+-[0-9][a-z]")
_TASK_RE = re.compile(r"([a-z][a-z0-9-]{0,39})-([1-9][0-9]{0,5})")
_TOPOLOGY_KEYS = ("azs", "services", "calls", "routes")


class TopologyError(FieldError):
    """A topology (or its token) is invalid; ``field`` names where, ``reason`` says what."""


# --------------------------------------------------------------------------- topology


def _task_number(task_id: str) -> int:
    return int(task_id.rsplit("-", 1)[1])


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
        placed = initial_placement(azs, int(service.get("tasks", 0)))
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
        _add_services_created_later(base, live, scenario)
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


def _add_services_created_later(
    base: dict[str, Any], live: Mapping[str, Any], scenario: Mapping[str, Any]
) -> None:
    """Services an ``add_service`` action created (in the snapshot, not in ``services``), with
    the calls the action added once both ends exist."""
    known = {s["name"] for s in base["services"]}
    added = {}
    for action in scenario.get("actions") or []:
        spec = action.get("service") if isinstance(action, Mapping) else None
        if isinstance(spec, Mapping) and action.get("do") == "add_service":
            added[spec.get("name")] = action
    for name in live:
        if name in known or len(base["services"]) >= MAX_SERVICES:
            continue
        spec = added.get(name, {}).get("service", {})
        azs = list(spec.get("azs") or REGION_AZS) if isinstance(spec, Mapping) else []
        base["services"].append({"name": name, "azs": azs or list(REGION_AZS), "tasks": []})
        known.add(name)
    for action in added.values():
        for call in action.get("traffic") or []:
            if not isinstance(call, Mapping):
                continue
            pair = {"from": call.get("from"), "to": call.get("to")}
            wanted = pair["from"] in known and pair["to"] in known and pair not in base["calls"]
            if wanted and len(base["calls"]) < MAX_CALLS:
                base["calls"].append(pair)


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
        data = untrusted.load(text)
    except untrusted.UntrustedJSON as refused:
        reason = "does not hold JSON" if str(refused) == "not valid JSON" else str(refused)
        raise TopologyError("t", reason) from None
    return validate_topology(data)
