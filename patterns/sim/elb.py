"""Pattern 1, ELB: clients call an internal Application Load Balancer that picks the task.

One internal ALB with one node per AZ and one target group per callee service (host rules). A
client resolves the ALB name (TTL 60 s, one node IP per AZ that is up), connects to one node, and
the node picks a target among the targets *it* considers healthy: every node health-checks every
target on its own schedule [ALB-HC]. No healthy target -> fail open to all registered targets; no
registered target -> 503. Target reset/refused -> 502; no connection in 10 s or no response within
the idle timeout -> 504. The ALB never retries [ALB-TS]; ``client.retries`` is the client's own.

The ALB name resolves like any name in the VPC: the caller's cache (``client.dns_cache``) asks
the VPC resolver's cache for its AZ, which keeps the answer for the ALB's fixed 60 s TTL and hands
out what is left of it; callers running at 0 s hold entries of seeded ages, as in Service
Discovery. So after an AZ leaves the ALB's DNS a caller honouring the TTL can use its node for up
to 60 s more, a JVM caller (``jvm_30s``) up to 90 s, a ``forever`` caller until it is replaced.

Worked window (checkable fact 2): a task refusing connections from 60 s is checked by a node at
some phase p in [60, 90); with the unhealthy threshold 2 the second failed check is at p + 30 in
[90, 120), so the last request routed to it is sent between 90 s and 120 s.
"""

from __future__ import annotations

import math
import random
from typing import Any

from .discovery import (
    CAUSE_CACHE_HIT,
    DnsCache,
    HostedZone,
    ResolverCache,
    prewarmed_resolvers,
)
from .engine import PRIO_CONTROL, PRIO_REQUEST
from .pattern_base import Pattern
from .scenario import AZS
from .topology import DRAINING, STOPPED, Request, Service, Task, World
from .trace import (
    CONNECT_REFUSED,
    CONNECT_TIMEOUT,
    DNS_NXDOMAIN,
    HTTP_502,
    HTTP_503,
    HTTP_504,
    RESET,
    TIMEOUT,
)

#: Fixed by AWS (not settings): target connect timeout [ALB-TS] and the ALB DNS TTL [ALB-TGH].
ALB_CONNECT_TIMEOUT_S = 10.0
ALB_DNS_TTL_S = 60.0
ALB_DNS_NAME = "internal-kumoben-alb.ap-northeast-1.elb.amazonaws.com"

INITIAL = "initial"
HEALTHY = "healthy"
UNHEALTHY = "unhealthy"


class Node:
    """One ALB node (one per AZ) with its own view of target health and its own RR cursors."""

    __slots__ = ("index", "az", "ip", "up", "in_dns", "routes", "fail_open", "cursor")

    def __init__(self, index: int, az: str) -> None:
        self.index = index
        self.az = az
        self.ip = f"10.0.{AZS.index(az) * 16 + 15}.10"
        self.up = True
        self.in_dns = True
        self.routes: list[list[Target]] = []  # per target group: targets this node routes to
        self.fail_open: list[bool] = []
        self.cursor: list[int] = []

    @property
    def name(self) -> str:
        return f"alb-{self.az}"


class Check:
    """One node's health-check state for one target: a tiny monitor with counters."""

    __slots__ = ("node", "target", "state", "passes", "failures", "active")

    def __init__(self, node: Node, target: Target, state: str) -> None:
        self.node = node
        self.target = target
        self.state = state
        self.passes = 0
        self.failures = 0
        self.active = True


class Target:
    __slots__ = ("task", "group", "draining", "checks", "slow_start_from", "slow_start_until")

    def __init__(self, task: Task, group: TargetGroup) -> None:
        self.task = task
        self.group = group
        self.draining = False
        self.checks: list[Check] = []
        self.slow_start_from = 0.0
        self.slow_start_until = 0.0


class TargetGroup:
    __slots__ = ("index", "service", "targets")

    def __init__(self, index: int, service: str) -> None:
        self.index = index
        self.service = service
        self.targets: list[Target] = []  # registered (including draining), in registration order


class ElbPattern(Pattern):
    name = "elb"
    load_balanced = True

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.alb = self.settings["alb"]
        self.client = self.settings["client"]
        self.nodes = [Node(i, az) for i, az in enumerate(AZS)]
        self.groups: dict[str, TargetGroup] = {}  # the production target group of each service
        # Blue/green family: each service's second target group, and the listener rule weights
        # (green percent of production, test traffic to green) while a deployment shifts traffic.
        self.alternate: dict[str, TargetGroup] = {}
        self.listener: dict[str, tuple[float, bool]] = {}
        self.targets: dict[str, Target] = {}
        # caller task id -> (nodes of its cached answer, expires at): a fast copy of its DnsCache.
        self.dns_cache: dict[str, tuple[list[Node], float]] = {}
        # The ALB's A records (negative answers held one TTL too), the VPC resolver's caches (one
        # per AZ) and each caller's own cache, as in Service Discovery.
        self.zone = HostedZone(negative_ttl_s=ALB_DNS_TTL_S)
        self.resolvers: dict[str, ResolverCache] = {}
        self.client_caches: dict[str, DnsCache] = {}
        self._node_by_ip = {n.ip: n for n in self.nodes}
        self._initial: set[str] = set()
        self._primed: set[str] = set()
        # Route 53's answers draw from their own stream, so how often caches miss does not shift
        # the run's other random draws (health-check phases, IP picks).
        self.dns_rng = random.Random(f"kumoben-dns:{world.scenario.seed}")
        self.counters = {"health_checks_failed": 0, "fail_open_requests": 0, "no_target_503": 0}
        self._random = world.rng.random
        self._read_settings()

    def _read_settings(self) -> None:
        """Cache what every request reads (again after a ``set`` action)."""
        self._timeout_s = self.client["timeout_s"]
        self._ip_first = self.client["ip_choice"] == "first"
        self._algorithm = self.alb["algorithm"]
        self._idle_timeout_s = self.alb["idle_timeout_s"]

    def on_setting_changed(self, path: str) -> None:
        self._read_settings()

    # ------------------------------------------------------------------ setup and registration

    def setup(self) -> None:
        count = len(self.world.services)
        for i, name in enumerate(self.world.services):
            self.groups[name] = TargetGroup(i, name)
            self.alternate[name] = TargetGroup(count + i, name)
        for node in self.nodes:
            node.routes = [[] for _ in range(2 * count)]
            node.fail_open = [False for _ in range(2 * count)]
            node.cursor = [0 for _ in range(2 * count)]
        self._publish(0.0)
        self.resolvers = prewarmed_resolvers(
            self.zone, [ALB_DNS_NAME], AZS, self.world.scenario.seed
        )

    def _publish(self, now: float) -> None:
        ips = [n.ip for n in self.nodes if n.in_dns]
        self.zone.set_static(ALB_DNS_NAME, ips, now, ttl_s=ALB_DNS_TTL_S, immediate=True)

    def on_service_added(self, service: Service) -> None:
        """A new service gets its own target group and listener rule; its targets start in
        ``initial`` and take traffic once the health checks pass."""
        # Routing slots: the service's target group and its alternate (blue/green family).
        slot = len(self.nodes[0].routes)
        self.groups[service.name] = TargetGroup(slot, service.name)
        self.alternate[service.name] = TargetGroup(slot + 1, service.name)
        for node in self.nodes:
            node.routes += [[], []]
            node.fail_open += [False, False]
            node.cursor += [0, 0]

    def on_task_running(self, task: Task, initial: bool) -> None:
        if initial:
            self._initial.add(task.id)
        group = self.groups[task.service.name]
        if self.world.deployments.is_green(task):
            group = self.alternate[task.service.name]
        target = Target(task, group)
        group.targets.append(target)
        self.targets[task.id] = target
        state = HEALTHY if initial else INITIAL
        rng = self.world.rng
        interval = self.alb["health_check_interval_s"]
        for node in self.nodes:
            check = Check(node, target, state)
            target.checks.append(check)
            # Each node checks on its own phase, which is why nodes disagree for a while (fact 3).
            self.world.engine.after(rng.random() * interval, PRIO_CONTROL, self._check_run, check)
        if not initial:
            self.world.event("target", "target_registered", task=task.id, ip=task.ip, state=INITIAL)
        self._rebuild(group)

    def on_app_ready(self, task: Task) -> None:
        """The ALB gates traffic on its own health checks, not on the app's readiness."""

    def deregister(self, task: Task) -> None:
        target = self.targets.get(task.id)
        if target is None:
            self.world.sigterm(task)
            return
        target.draining = True
        delay = self.alb["deregistration_delay_s"]
        self.world.event(
            "target", "target_draining", task=task.id, delay_s=delay, in_flight=len(task.inflight)
        )
        self._rebuild(target.group)
        if not task.inflight:
            self._finish_drain(target, "drain_finished_idle")
            return
        self.world.engine.after(delay, PRIO_CONTROL, self._drain_deadline, target)

    def deregister_dead(self, task: Task) -> None:
        target = self.targets.get(task.id)
        if target is None:
            return
        target.draining = True
        self.world.event("target", "target_draining", task=task.id, in_flight=len(task.inflight))
        self._finish_drain(target, "drain_finished_idle")

    def on_idle(self, task: Task) -> None:
        target = self.targets.get(task.id)
        if target is not None and target.draining and task.state is DRAINING:
            self._finish_drain(target, "drain_finished_idle")

    def _drain_deadline(self, target: Target, _tag: int) -> None:
        if self.targets.get(target.task.id) is not target:
            return
        self.world.cut_inflight(target.task)
        if self.targets.get(target.task.id) is target:
            self._finish_drain(target, "deregistration_delay_elapsed")

    def _finish_drain(self, target: Target, cause: str) -> None:
        task = target.task
        self.targets.pop(task.id, None)
        group = target.group
        group.targets = [t for t in group.targets if t is not target]
        for check in target.checks:
            check.active = False
        self.world.event("target", cause, task=task.id)
        self._rebuild(group)
        self.world.sigterm(task)

    # ------------------------------------------------------------------ routing tables

    def _rebuild(self, group: TargetGroup) -> None:
        """Recompute each node's routable list for the group after a health or registration change."""
        gi = group.index
        for node in self.nodes:
            live = [t for t in group.targets if not t.draining]
            healthy = [t for t in live if t.checks[node.index].state == HEALTHY]
            was_open = node.fail_open[gi]
            node.fail_open[gi] = bool(live) and not healthy
            node.routes[gi] = healthy or live
            if node.fail_open[gi] and not was_open and node.up:
                self.world.event(
                    "alb", "fail_open_all_unhealthy", node=node.name, service=group.service
                )

    # ------------------------------------------------------------------ health checks

    def _check_run(self, check: Check, _tag: int) -> None:
        if not check.active:
            return
        world = self.world
        interval = self.alb["health_check_interval_s"]
        world.engine.after(interval, PRIO_CONTROL, self._check_run, check)
        if not check.node.up:
            return
        passed, delay, cause = world.probe(check.target.task, self.alb["health_check_timeout_s"])
        world.engine.after(delay, PRIO_CONTROL, self._check_result, check, 1 if passed else 0)

    def _check_result(self, check: Check, passed: int) -> None:
        if not check.active:
            return
        world = self.world
        task = check.target.task
        node = check.node
        before = check.state
        if passed:
            check.passes += 1
            check.failures = 0
            needed = 1 if before == INITIAL else self.alb["healthy_threshold"]
            if before != HEALTHY:
                world.event(
                    "health",
                    "health_check_passed",
                    task=task.id,
                    node=node.name,
                    passes=check.passes,
                )
                if check.passes >= needed:
                    check.state = HEALTHY
        else:
            check.failures += 1
            check.passes = 0
            self.counters["health_checks_failed"] += 1
            world.event(
                "health",
                "health_check_failed",
                task=task.id,
                node=node.name,
                failures=check.failures,
            )
            if before != UNHEALTHY and check.failures >= self.alb["unhealthy_threshold"]:
                check.state = UNHEALTHY
        if check.state == before:
            return
        cause = (
            "healthy_threshold_reached" if check.state == HEALTHY else "unhealthy_threshold_reached"
        )
        world.event("health", cause, task=task.id, node=node.name, state=check.state)
        target = check.target
        if check.state == HEALTHY:
            self._maybe_slow_start(target)
        self._rebuild(target.group)
        self._report_to_ecs(target)

    def _report_to_ecs(self, target: Target) -> None:
        """ECS counts a target healthy/unhealthy once every up node agrees."""
        states = {c.state for c in target.checks if c.node.up}
        if states == {HEALTHY}:
            self.world.mark_healthy(target.task)
        elif states == {UNHEALTHY} and not target.draining:
            self.world.replace_unhealthy(target.task, "ecs_replaced_unhealthy", "load_balancer")

    def reports_healthy(self, task: Task) -> bool:
        """Every up node holds the target healthy: what ECS waits for before counting it."""
        target = self.targets.get(task.id)
        if target is None:
            return False
        return {c.state for c in target.checks if c.node.up} == {HEALTHY}

    def reports_unhealthy(self, task: Task) -> bool:
        """Every up node holds the (not draining) target unhealthy: what ECS acts on."""
        target = self.targets.get(task.id)
        if target is None or target.draining:
            return False
        return {c.state for c in target.checks if c.node.up} == {UNHEALTHY}

    def _maybe_slow_start(self, target: Target) -> None:
        duration = self.alb["slow_start_s"]
        now = self.world.engine.now
        if not duration or target.slow_start_until > now:
            return
        others = [
            t
            for t in target.group.targets
            if t is not target
            and not t.draining
            and t.slow_start_until <= now
            and any(c.state == HEALTHY for c in t.checks)
        ]
        if others:  # slow start only begins if a healthy target outside slow start exists
            target.slow_start_from = now
            target.slow_start_until = now + duration
            self.world.event(
                "target", "slow_start", task=target.task.id, until=round(now + duration, 6)
            )

    # ------------------------------------------------------------------ DNS on the client

    def _resolve(self, req: Request) -> tuple[list[Node], float]:
        world = self.world
        caller = req.caller.id
        resolver = self.resolvers[req.caller.az]
        cache = self.client_caches.get(caller)
        if cache is None:
            cache = self.client_caches[caller] = DnsCache(self.client["dns_cache"])
        if caller in self._initial and caller not in self._primed:
            # It resolved the name before 0 s, at a seeded moment of its hold time.
            self._primed.add(caller)
            before = resolver.prerun(ALB_DNS_NAME)
            if before is not None:
                seed = world.scenario.seed
                cache.prime(before, random.Random(f"kumoben-dns-client:{seed}:{caller}").random())
        # Route 53 rotates the order of the answer; the resolver keeps the order it got.
        found = cache.lookup(ALB_DNS_NAME, world.engine.now, resolver, self.dns_rng)
        entry = ([self._node_by_ip[ip] for ip in found.ips], found.expires_at)
        self.dns_cache[caller] = entry
        if req.sampled and found.cause == CAUSE_CACHE_HIT:
            world.event("hop", "dns_cache_hit", request=req.id, source=caller, record=ALB_DNS_NAME)
        elif req.sampled:
            world.event(
                "hop",
                "dns_cache_miss",
                request=req.id,
                source=caller,
                record=ALB_DNS_NAME,
                ips=list(found.ips),
                ttl_s=round(found.answer.ttl_s, 6),
                resolver="cache" if resolver.last_hit else "route53",
            )
        return entry

    # ------------------------------------------------------------------ requests

    def send(self, req: Request) -> None:
        world = self.world
        now = world.engine.now
        req.client_tries = tries = req.client_tries + 1
        timeout = self._timeout_s
        if timeout and tries == 1:
            req.deadline = req.t0 + timeout
        entry = self.dns_cache.get(req.caller.id)
        if entry is None or entry[1] <= now:
            entry = self._resolve(req)
        elif req.sampled:
            world.event(
                "hop", "dns_cache_hit", request=req.id, source=req.caller.id, record=ALB_DNS_NAME
            )
        nodes = entry[0]
        if not nodes:
            self._client_error(req, DNS_NXDOMAIN)
            return
        node = nodes[0] if self._ip_first else nodes[int(self._random() * len(nodes))]
        req.via = node
        if not node.up:
            req.reason = CONNECT_TIMEOUT
            req.tag += 1
            delay = self.client["connect_timeout_s"]
            world.engine.after(delay, PRIO_REQUEST, self._node_unreachable, req, req.tag)
            return
        group = self.groups.get(req.edge.callee)
        if self.listener and group is not None and group.service in self.listener:
            group = self._listener_rule(req, group)
        gi = group.index if group is not None else -1
        route = node.routes[gi] if gi >= 0 else []
        if not route:
            self.counters["no_target_503"] += 1
            if req.sampled:
                world.event(
                    "hop",
                    "no_registered_targets",
                    request=req.id,
                    node=node.name,
                    service=req.edge.callee,
                )
            self._client_error(req, HTTP_503)
            return
        if self._algorithm == "round_robin":  # the default: _pick's round robin, inlined
            cursor = node.cursor
            n = len(route)
            index = cursor[gi]
            cursor[gi] = index + 1
            target = route[index % n]
            if target.slow_start_until > now and self._random() >= self._weight(target, now):
                target = self._pick_round_robin(node, gi, route, now, n - 1, target)
        else:
            target = self._pick(node, gi, route)
        fail_open = node.fail_open[gi]
        if fail_open:
            self.counters["fail_open_requests"] += 1
        if req.sampled:
            cause = "fail_open_all_unhealthy" if fail_open else self._algorithm
            world.event("hop", cause, request=req.id, node=node.name, task=target.task.id)
        idle = self._idle_timeout_s
        if req.deadline - now < idle:
            idle = max(req.deadline - now, 0.0)
        world.attempt(req, target.task, ALB_CONNECT_TIMEOUT_S, idle)

    def _listener_rule(self, req: Request, group: TargetGroup) -> TargetGroup:
        """The target group the listener rule forwards this request to during a deployment."""
        green_percent, test_to_green = self.listener[group.service]
        green = self.world.deployments.to_green(req.edge.test, green_percent, test_to_green)
        return self.alternate[group.service] if green else group

    # ------------------------------------------------------------------ deployments

    def on_deployment_weights(
        self, service: str, green_percent: float, test_to_green: bool
    ) -> None:
        """ECS rewrites the listener rule's weights; the ALB applies them at once (model)."""
        self.listener[service] = (green_percent, test_to_green)
        self.world.event(
            "alb",
            "listener_rule_weights",
            service=service,
            blue_percent=round(100.0 - green_percent, 1),
            green_percent=green_percent,
            test_to_green=test_to_green,
        )

    def on_deployment_promoted(self, service: str) -> None:
        """The green target group is production now; the blue one becomes the alternate."""
        self.listener.pop(service, None)
        self.groups[service], self.alternate[service] = (
            self.alternate[service],
            self.groups[service],
        )

    def on_deployment_rolled_back(self, service: str) -> None:
        if self.listener.pop(service, None) is not None:
            self.world.event(
                "alb",
                "listener_rule_weights",
                service=service,
                blue_percent=100.0,
                green_percent=0.0,
                test_to_green=False,
            )

    def _pick(self, node: Node, gi: int, route: list[Target]) -> Target:
        algorithm = self._algorithm
        n = len(route)
        rng = self.world.rng
        if algorithm == "least_outstanding_requests":
            start = node.cursor[gi]
            node.cursor[gi] = start + 1
            best = route[start % n]
            for i in range(1, n):
                candidate = route[(start + i) % n]
                if len(candidate.task.inflight) < len(best.task.inflight):
                    best = candidate
            return best
        now = self.world.engine.now
        if algorithm == "weighted_random":
            weights = [self._weight(t, now) for t in route]
            return rng.choices(route, weights)[0]
        return self._pick_round_robin(node, gi, route, now, n, route[0])

    def _pick_round_robin(
        self, node: Node, gi: int, route: list[Target], now: float, tries: int, target: Target
    ) -> Target:
        """Round robin over ``tries`` more targets; one in slow start is skipped with probability
        1 - weight. If every one is skipped, the last one looked at (``target`` if none)."""
        n = len(route)
        for _ in range(tries):
            cursor = node.cursor[gi]
            node.cursor[gi] = cursor + 1
            target = route[cursor % n]
            if target.slow_start_until <= now or self._random() < self._weight(target, now):
                return target
        return target

    def _weight(self, target: Target, now: float) -> float:
        """Slow-start weight: rises linearly from 0 to 1 over the slow-start duration.

        Example: slow start 100 s entered at 200 s gives weight 0.25 at 225 s and 1.0 from 300 s.
        """
        if target.slow_start_until <= now:
            return 1.0
        span = target.slow_start_until - target.slow_start_from
        return max(0.01, (now - target.slow_start_from) / span)

    def _node_unreachable(self, req: Request, tag: int) -> None:
        if tag != req.tag:
            return
        if req.sampled:
            self.world.event("hop", "connect_timeout", request=req.id, node=req.via.name)
        self._client_error(req, CONNECT_TIMEOUT)

    def attempt_done(self, req: Request, reason: str | None) -> None:
        if reason is None:
            if req.sampled:
                self.world.event(
                    "hop", "request_ok", request=req.id, task=req.target.id if req.target else None
                )
            self.world.finish(req, None)
            return
        cause = "app_error"
        if reason == CONNECT_TIMEOUT:
            reason, cause = HTTP_504, "alb_504_connect_timeout"
        elif reason == TIMEOUT:
            if self.world.engine.now >= req.deadline:
                cause = "client_timeout"
            else:
                reason, cause = HTTP_504, "alb_504_idle_timeout"
        elif reason in (CONNECT_REFUSED, RESET):
            reason, cause = HTTP_502, "alb_502_reset"
        if req.sampled:
            task = req.target.id if req.target else None
            self.world.event(
                "hop", cause, request=req.id, task=task, node=req.via.name, reason=reason
            )
        self._client_error(req, reason)

    def _client_error(self, req: Request, reason: str) -> None:
        """The client sees an error; it retries only if the scenario says its code does."""
        if self.world.client_retries(req, reason, self.client["retries"]):
            self.send(req)
            return
        self.world.finish(req, reason)

    # ------------------------------------------------------------------ faults and settings

    def on_az(self, az: str, out: bool) -> None:
        for node in self.nodes:
            if node.az != az:
                continue
            node.up = not out
            node.in_dns = not out
            cause = "alb_node_removed_from_dns" if out else "alb_node_added_to_dns"
            self.world.event("alb", cause, node=node.name, ip=node.ip, az=az)
        self._publish(self.world.engine.now)
        for group in (*self.groups.values(), *self.alternate.values()):
            self._rebuild(group)

    def snapshot(self) -> dict[str, Any]:
        now = self.world.engine.now
        return {
            "alb": {
                "dns_name": ALB_DNS_NAME,
                "nodes": [
                    {"node": n.name, "az": n.az, "ip": n.ip, "up": n.up, "in_dns": n.in_dns}
                    for n in self.nodes
                ],
            },
            "target_groups": {
                name: [
                    {
                        "task": t.task.id,
                        "ip": t.task.ip,
                        "draining": t.draining,
                        "health": {c.node.name: c.state for c in t.checks},
                        "in_slow_start": t.slow_start_until > now,
                    }
                    for t in (*group.targets, *self.alternate[name].targets)
                ]
                for name, group in self.groups.items()
            },
            "dns_caches": {
                caller: {
                    "record": ALB_DNS_NAME,
                    "ips": [n.ip for n in nodes],
                    "expires_t": None if math.isinf(exp) else round(exp, 6),
                }
                for caller, (nodes, exp) in sorted(self.dns_cache.items())
                if self.world.tasks[caller].state is not STOPPED
            },
            "resolver_caches": {
                az: resolver.entries(now) for az, resolver in sorted(self.resolvers.items())
            },
        }

    def summary_extra(self) -> dict[str, Any]:
        return {"alb": dict(self.counters)}
