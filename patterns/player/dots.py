"""Request dots: the sampled request events of one pattern -> one dot per attempt.

A dot is one *attempt* of a sampled request, sent in the window in which its last event happened,
with the engine's times at each path vertex (the engine has no network delay, so the time spent is
on the last edge: the task's answer or the connect timeout). Its ``path`` names the edges of the
diagram it is drawn on: a hop between two services too big to draw every task pair runs along
their one service-level edge (:func:`patterns.diagrams.ids.hop_edge`), so no dot is ever lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patterns.diagrams.ids import alb_node_el, hop_edge, task_el
from patterns.sim.causes import CAUSES

#: Hop causes that pick where an attempt goes (the attempt starts here).
PICK_CAUSES = frozenset(
    {
        "round_robin",
        "least_outstanding_requests",
        "weighted_random",
        "fail_open_all_unhealthy",
        "least_request_p2c",
        "random_pick",
        "panic_mode",
        "client_ip_pick",
    }
)
#: Hop causes that say a failed attempt is tried again.
RETRY_CAUSES = frozenset({"client_retry", *(c for c in CAUSES if c.startswith("retry_on_"))})
#: ELB attempts that end at the ALB node without reaching a target, with the client's reason.
NODE_ENDS = {"no_registered_targets": "http_503", "connect_timeout": "connect_timeout"}


class _Attempt:
    __slots__ = ("segments", "number", "outcome", "causes", "closed")

    def __init__(self, number: int) -> None:
        # ((from element, to element), direction, time at the start vertex, time at the end
        # vertex or None); the edge id is chosen when the dot is sent, on the diagram drawn then.
        self.segments: list[list[Any]] = []
        self.number = number
        self.outcome = "ok"
        self.causes: list[str] = []
        self.closed = False


class _Request:
    __slots__ = ("source", "to", "attempts", "current", "prefix", "start_t", "stale", "causes")

    def __init__(self, source: str, to: str, t: float) -> None:
        self.source = source
        self.to = to
        self.attempts = 0
        self.current: _Attempt | None = None
        self.prefix: list[list[Any]] = []
        self.start_t = t
        self.stale = False
        self.causes: list[str] = []


class DotBuilder:
    """Follows the sampled request events of one pattern and closes one dot per attempt.

    Per pattern: ELB client -> ALB node -> target; App Mesh and Service Connect client task ->
    server task (the Envoy is inside the task node); Service Discovery client -> ``r53-zone`` and
    back on a DNS miss, then client -> task.
    """

    def __init__(self, pattern: str, show_every: int) -> None:
        self.pattern = pattern
        self.show_every = show_every
        self.requests: dict[int, _Request] = {}
        self.done: list[tuple[int, _Request, _Attempt]] = []

    def feed(self, event: Mapping[str, Any]) -> None:
        rid = event.get("request")
        if not isinstance(rid, int) or rid % self.show_every:
            return
        cause = event["cause"]
        t = float(event["t"])
        if event["kind"] == "request":
            self.requests[rid] = _Request(str(event["source"]), str(event["to"]), t)
            return
        req = self.requests.get(rid)
        if req is None:
            return
        if event["kind"] == "request_end":
            self._close(req, rid, t, event.get("reason"))
            del self.requests[rid]
            return
        req.causes.append(cause)
        if cause in RETRY_CAUSES:
            if req.current is not None:
                self._close(req, rid, t, event.get("reason") or "retried")
            for _, owner, attempt in reversed(self.done):
                if owner is req:
                    attempt.outcome = "retried"
                    break
            req.start_t = t
            return
        if cause in PICK_CAUSES and isinstance(event.get("task") or event.get("host"), str):
            if req.current is not None:
                self._close(req, rid, t, "retried")
            self._open(req, t, event)
            return
        if cause == "dns_cache_miss" and self.pattern == "service-discovery":
            zone = (task_el(req.source), "r53-zone")
            req.prefix = [[zone, 1, t, t], [zone, -1, t, t]]
            return
        if cause == "dns_cache_hit_stale":
            req.stale = True
            return
        if self.pattern == "elb" and cause in NODE_ENDS and "task" not in event:
            node = event.get("node")
            if isinstance(node, str) and req.current is None:
                attempt = self._new_attempt(req)
                attempt.segments = [[(task_el(req.source), alb_node_el(node)), 1, req.start_t, t]]
                req.current = attempt
                self._close(req, rid, t, event.get("reason") or NODE_ENDS[cause])
            return
        if cause == "request_ok":
            self._close(req, rid, t, None)
            return
        reason = event.get("reason")
        if isinstance(reason, str) and req.current is not None:
            self._close(req, rid, t, reason)

    def _new_attempt(self, req: _Request) -> _Attempt:
        req.attempts += 1
        attempt = _Attempt(req.attempts)
        attempt.causes = req.causes
        req.causes = []
        return attempt

    def _open(self, req: _Request, t: float, event: Mapping[str, Any]) -> None:
        target = task_el(str(event.get("task") or event.get("host")))
        source = task_el(req.source)
        attempt = self._new_attempt(req)
        segments = req.prefix
        req.prefix = []
        node = event.get("node")
        if self.pattern == "elb" and isinstance(node, str):
            segments.append([(source, alb_node_el(node)), 1, req.start_t, t])
            segments.append([(alb_node_el(node), target), 1, t, None])
        else:
            segments.append([(source, target), 1, t, None])
        attempt.segments = segments
        req.current = attempt

    def _close(self, req: _Request, rid: int, t: float, reason: Any) -> None:
        attempt = req.current
        if attempt is None:
            return
        req.current = None
        attempt.segments[-1][3] = t
        attempt.outcome = "ok" if reason is None else str(reason)
        attempt.causes = attempt.causes + req.causes
        req.causes = []
        self.done.append((rid, req, attempt))

    def flush(self, snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The dots closed since the last flush, in the order they closed, on the edges of the
        diagram drawn for ``snapshot`` (the engine's state at the end of the window)."""
        topology = drawn_sizes(snapshot)
        dots = []
        for rid, req, attempt in self.done:
            segments = attempt.segments
            dot: dict[str, Any] = {
                "id": f"r{rid}",
                "t": [segments[0][2]] + [s[3] for s in segments],
                "path": [hop_edge(topology, self.pattern, *s[0]) for s in segments],
                "dir": [s[1] for s in segments],
                "outcome": attempt.outcome,
                "attempts": attempt.number,
                "source": req.source,
                "to": req.to,
                "causes": attempt.causes,
            }
            if req.stale:
                dot["stale_dns"] = True
            dots.append(dot)
        self.done = []
        return dots


def drawn_sizes(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`~patterns.diagrams.ids.hop_edge` reads of the drawn topology: each service's
    tasks, which the diagram of a snapshot draws all of (``topology_from_snapshot``)."""
    services = snapshot.get("services", {})
    return {"services": [{"name": name, "tasks": s["tasks"]} for name, s in services.items()]}
