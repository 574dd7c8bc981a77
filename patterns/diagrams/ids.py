"""Element and edge ids: the one vocabulary the diagrams, the frames and the lessons share.

A drawn thing keeps its id whatever its state, so a screen changes classes on ids and never waits
for ``dot``. The ids::

    task-<task>             a task                      svc-<service>          a service's cluster
    svc-<service>-az-<1a>   a service's AZ box          alb-node-<1a>          an ALB node
    edge-<a>--<b>           the edge from a to b, with a leading ``task-`` dropped from both

Calls between two services too big to draw every task pair (more than :data:`MAX_PAIR_EDGES`)
are drawn as one service-level edge; :func:`hop_edge` names the edge a request hop runs along,
so an animation never points at an edge that is not drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Task-to-task edges drawn per call before one service-level edge stands for them (12 x 12).
MAX_PAIR_EDGES = 144


def az_suffix(az: str) -> str:
    """``ap-northeast-1a`` -> ``1a`` (the part ids and labels use)."""
    return az.rsplit("-", 1)[-1]


def task_el(task_id: str) -> str:
    return f"task-{task_id}"


def service_el(service: str) -> str:
    return f"svc-{service}"


def service_az_el(service: str, az: str) -> str:
    return f"svc-{service}-az-{az_suffix(az)}"


def alb_node_el(az: str) -> str:
    """The ALB node in ``az``; the engine's node name ``alb-ap-northeast-1a`` works as well."""
    return f"alb-node-{az_suffix(az)}"


def edge_id(a: str, b: str) -> str:
    """``edge-<a>--<b>`` with a leading ``task-`` removed from both element ids."""
    return f"edge-{a.removeprefix('task-')}--{b.removeprefix('task-')}"


def service_edge_id(caller: str, callee: str) -> str:
    """The id of the logical caller-service -> callee-service edge (cluster to cluster)."""
    return edge_id(service_el(caller), service_el(callee))


def aggregated(caller_tasks: int, callee_tasks: int) -> bool:
    """Whether a call between services of these sizes is drawn as one service-level edge."""
    return caller_tasks * callee_tasks > MAX_PAIR_EDGES


def hop_edge(topology: Mapping[str, Any], pattern: str, a: str, b: str) -> str:
    """The id of the drawn edge a request hop from element ``a`` to element ``b`` runs along.

    ``a``/``b`` are element ids (``task-contract-1``, ``alb-node-1a``, ``r53-zone``). Usually
    ``edge-contract-1--inventory-2``; between two services too big to draw every task pair, the
    aggregated ``edge-svc-contract--svc-inventory``. The topology must be the one drawn; under ELB
    every hop goes through an ALB node, so no task-to-task edge is ever aggregated there.
    """
    if pattern != "elb" and a.startswith("task-") and b.startswith("task-"):
        sizes = {s["name"]: len(s["tasks"]) for s in topology["services"]}
        caller, callee = _service_of(a, sizes), _service_of(b, sizes)
        if caller and callee and aggregated(sizes[caller], sizes[callee]):
            return service_edge_id(caller, callee)
    return edge_id(a, b)


def _service_of(task_element: str, services: Mapping[str, Any]) -> str:
    name = task_element.removeprefix("task-").rsplit("-", 1)[0]
    return name if name in services else ""
