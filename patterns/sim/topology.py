"""The world being simulated: services, tasks, their ECS lifecycle, traffic and request attempts.

A task's lifecycle (issue 3): PENDING -> RUNNING -> DRAINING -> STOPPING -> STOPPED. A graceful stop
asks the pattern to deregister and drain the task, then the agent sends SIGTERM: the app stops
listening, finishes its in-flight requests and exits; after ``ecs.stop_timeout_s`` SIGKILL resets
whatever is left. A killed task skips all that: in-flight requests are reset at once and ECS
deregisters it ``ecs.deregister_after_stop_s`` later. The ECS service keeps its desired count and
runs rolling deployments within ``minimum_healthy_percent`` / ``maximum_percent``. A deployment
started over an unfinished one supersedes it: the newest revision wins, and the superseded
revision's tasks are stopped first (cause ``deployment_superseded``).

ECS acts on health (a load balancer's, or the container health check's, which runs from RUNNING
on) once ``ecs.health_check_grace_period_s`` is over; a task reported unhealthy during the grace is
looked at again when it ends and replaced then if it is still unhealthy.

A new task counts as healthy for a deployment (``Task.healthy``, see :meth:`World.update_health`)
when ECS can tell, not when its app answers: with a container health check, once the task's
health status is HEALTHY (its first passing check); behind a load balancer, once the target is
healthy too; with neither, ``NO_CHECK_WAIT_S`` after RUNNING [ECS-SVC, minimumHealthyPercent].
Whether a task has a container health check is its task definition's, fixed when it starts.

The pattern modules decide *where* a request goes; this module decides *what happens* when an
attempt reaches a task, given the task's state and behaviour.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable, Mapping, Sequence
from heapq import heappush
from typing import TYPE_CHECKING, Any

from .deployments import Deployments
from .engine import PRIO_CONTROL, PRIO_REQUEST, Engine
from .metrics import EdgeMetrics
from .scenario import AZS, Scenario
from .trace import CONNECT_REFUSED, CONNECT_TIMEOUT, RESET, TIMEOUT, Trace, http_reason

if TYPE_CHECKING:
    from .pattern_base import Pattern

PENDING = "PENDING"
RUNNING = "RUNNING"
DRAINING = "DRAINING"
STOPPING = "STOPPING"
STOPPED = "STOPPED"

#: Round trip for a refused connection (an immediate RST).
REFUSE_RTT_S = 0.001

#: A container's health status as ECS reports it from the container health check [ECS-TD].
HC_UNKNOWN = "UNKNOWN"
HC_HEALTHY = "HEALTHY"
HC_UNHEALTHY = "UNHEALTHY"

#: Without a container health check and without a load balancer, ECS counts a task towards the
#: minimum healthy percent this long after it is RUNNING, whether or not its app answers
#: [ECS-SVC, the minimumHealthyPercent description; not in the project's reference notes].
NO_CHECK_WAIT_S = 40.0


def spread(azs: Sequence[str], counts: Mapping[str, int]) -> str:
    """The AZ ECS puts a service's next task in: the fewest active tasks, ties by AZ order."""
    return min(azs, key=lambda az: (counts[az], azs.index(az)))


def initial_placement(azs: Sequence[str], count: int) -> list[str]:
    """The AZs of a new service's first ``count`` tasks, in launch order (every AZ up).

    The order :meth:`World.start` launches them in: 4 tasks over 1a/1c/1d go 1a, 1c, 1d, 1a.
    """
    counts = dict.fromkeys(azs, 0)
    placed = []
    for _ in range(count):
        az = spread(azs, counts)
        counts[az] += 1
        placed.append(az)
    return placed


def balanced_victim(candidates: Sequence[Task], running: Sequence[Task], newest: bool) -> Task:
    """The task ECS stops next among ``candidates``: one in the AZ with the most ``running``.

    ECS stops tasks so the AZs stay balanced, mirroring spread placement. Among AZs tied for the
    most, scale-in stops the newest task (``newest``) and a deployment the oldest.
    """
    counts: dict[str, int] = {}
    for task in running:
        counts[task.az] = counts.get(task.az, 0) + 1
    if newest:
        return max(candidates, key=lambda t: (counts.get(t.az, 0), t.index))
    return max(candidates, key=lambda t: (counts.get(t.az, 0), -t.index))


class Task:
    """One ECS task: identity, lifecycle state, behaviour and its per-second attempt buckets."""

    __slots__ = (
        "id",
        "service",
        "n",
        "ip",
        "az",
        "version",
        "state",
        "started_at",
        "running_at",
        "containers_at",
        "held",
        "ready_at",
        "stopped_at",
        "healthy",
        "deregistered",
        "lost",
        "slow_s",
        "slow_hc",
        "fail_p",
        "fail_reason",
        "fail_hc",
        "refuse",
        "blackhole",
        "inflight",
        "buckets",
        "last_attempt_t",
        "faulted_at",
        "hc_failures",
        "hc_status",
        "has_hc",
        "hc_started",
        "grace_watch",
        "index",
    )

    def __init__(
        self, service: Service, n: int, ip: str, az: str, version: int, now: float
    ) -> None:
        self.id = f"{service.name}-{n}"
        self.service = service
        self.n = n
        self.ip = ip
        self.az = az
        self.version = version
        self.state = PENDING
        self.started_at = now
        self.running_at: float | None = None
        self.containers_at: float | None = None  # when its containers started (app starting)
        self.held = False  # PENDING until its app container is HEALTHY (dependsOn HEALTHY)
        self.ready_at = math.inf
        self.stopped_at: float | None = None
        self.healthy = False
        self.deregistered = False
        self.lost = False
        self.reset_behaviour()
        self.inflight: dict[int, Request] = {}
        self.buckets: dict[int, list[Any]] = {}
        self.last_attempt_t: float | None = None
        self.faulted_at: float | None = None
        self.hc_failures = 0
        self.hc_status = HC_UNKNOWN  # the container health status ECS sees
        self.has_hc = False  # its task definition has a container health check (set at RUNNING)
        self.hc_started = False  # a check passed, so the start period is over
        self.grace_watch = False  # ECS looks at the task again when its grace period ends
        self.index = 0  # position among all tasks ever started, for stable ordering

    def active(self) -> bool:
        """Counted by the ECS service towards its desired count (not being stopped)."""
        return self.state is PENDING or self.state is RUNNING

    def reset_behaviour(self) -> None:
        """Back to a well-behaved task: no injected slowness, failures, refusals or black hole."""
        self.slow_s = 0.0
        self.slow_hc = False
        self.fail_p = 0.0
        self.fail_reason = ""
        self.fail_hc = False
        self.refuse = False
        self.blackhole = False


class Service:
    """An ECS service: its tasks (every one ever started), desired count and deployment version."""

    __slots__ = (
        "name",
        "desired",
        "azs",
        "app_start_s",
        "tasks",
        "version",
        "stable_version",
        "next_n",
        "callers",
    )

    def __init__(self, name: str, desired: int, azs: list[str], app_start_s: float) -> None:
        self.name = name
        self.desired = desired
        self.azs = azs
        self.app_start_s = app_start_s
        self.tasks: list[Task] = []
        self.version = 0
        self.stable_version = 0  # the revision of the last finished deployment
        self.next_n = 1
        self.callers: list[Task] = []  # tasks that currently originate traffic

    def active_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.active()]


class Edge:
    """One traffic stream: caller service -> callee name at a rate."""

    __slots__ = ("caller", "callee", "rps", "metrics", "index", "test")

    def __init__(self, caller: Service, callee: str, rps: float, index: int) -> None:
        self.caller = caller
        self.callee = callee
        self.rps = rps
        self.metrics = EdgeMetrics(caller.name, callee)
        self.index = index
        self.test = False  # carries the blue/green test header (x-amzn-ecs-blue-green-test)


#: ``Request.tbucket`` until the first attempt (never written: every attempt sets its own).
_NO_ATTEMPT: list[Any] = []
_new_object = object.__new__


class Request:
    """A request from a caller task, possibly over several attempts (retries).

    ``World._arrive`` builds requests without calling ``__init__`` (a Python frame per request
    saved); it sets exactly the fields ``__init__`` sets, which test_engine checks slot by slot.
    """

    __slots__ = (
        "id",
        "edge",
        "caller",
        "t0",
        "tries",
        "target",
        "reason",
        "tag",
        "sampled",
        "via",
        "deadline",
        "bucket",
        "tbucket",
        "client_tries",
    )

    def __init__(
        self, rid: int, edge: Edge, caller: Task, t0: float, sampled: bool, bucket: list[Any]
    ) -> None:
        self.id = rid
        self.edge = edge
        self.caller = caller
        self.t0 = t0
        self.tries = 0
        self.target: Task | None = None
        self.reason: str | None = None
        self.tag = 0
        self.sampled = sampled
        self.via: Any = None
        self.deadline = math.inf
        self.bucket = bucket  # the caller's per-second bucket for t0 (EdgeMetrics.bucket)
        self.tbucket = _NO_ATTEMPT  # the target task's per-second bucket for this attempt
        self.client_tries = 0


class World:
    """Everything that exists in a run: engine, randomness, services, tasks, traffic, trace."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.settings = copy.deepcopy(scenario.settings)
        self.engine = Engine()
        self.rng = random.Random(seed)
        # Arrivals and caller choice draw from their own stream, derived from the same seed, so
        # every pattern is offered exactly the same requests (common random numbers): differences
        # between patterns then come from the patterns, not from a shifted random sequence.
        self.traffic_rng = random.Random(f"kumoben-traffic:{seed}")
        self.trace = Trace(int(self.settings["trace"]["request_sample_every"]))
        self.services: dict[str, Service] = {}
        self.tasks: dict[str, Task] = {}
        self.az_out: dict[str, bool] = dict.fromkeys(AZS, False)
        self.edges: list[Edge] = []
        self.pattern: Pattern | None = None
        self.next_request_id = 0
        self.retries = 0
        self.sampled = 0
        self._ip_hosts = dict.fromkeys(AZS, 10)
        self._task_count = 0
        self._latency_s = 0.0
        self._sample_every = 1
        self._poisson = scenario.arrivals != "uniform"
        # The request path's event handlers, bound once instead of once per event, and the
        # pattern typed as set (start() sets it before any request).
        self._on_arrive = self._arrive
        self._on_attempt_end = self._attempt_end
        self._pat: Pattern
        self.deploying: dict[str, bool] = {}
        # Services whose reconcile is running, and those asked to reconcile again meanwhile: a
        # task stopping inside a reconcile (a PENDING task, or one with nothing to drain) asks
        # for another pass instead of calling reconcile recursively.
        self._reconciling: set[str] = set()
        self._reconcile_again: dict[str, str] = {}  # service -> the queued call's launch cause
        self.deployments = Deployments(self)  # blue/green, linear and canary deployments
        self.refresh_settings()
        for spec in scenario.services:
            self.services[spec["name"]] = Service(
                spec["name"], spec["tasks"], list(spec["azs"]), spec["app_start_s"]
            )
        for i, spec in enumerate(scenario.traffic):
            self.edges.append(Edge(self.services[spec["from"]], spec["to"], spec["rps"], i))
            self.edges[-1].test = bool(spec.get("test", False))

    @property
    def started(self) -> int:
        """Requests started so far (each took the next request id)."""
        return self.next_request_id

    @property
    def finished(self) -> int:
        """Requests ended so far (counted in the edges' per-second buckets)."""
        return sum(edge.metrics.finished for edge in self.edges)

    # ------------------------------------------------------------------ setup

    def refresh_settings(self) -> None:
        """Re-read settings that hot paths cache (after a ``set`` action)."""
        self._latency_s = self.settings["app"]["latency_ms"] / 1000.0
        self._sample_every = int(self.settings["trace"]["request_sample_every"])
        self.trace.sample_every = self._sample_every

    def start(self, pattern: Pattern) -> None:
        """Create the initial tasks (running and ready at t = 0) and start traffic."""
        self.pattern = pattern
        self._pat = pattern
        for service in self.services.values():
            for _ in range(service.desired):
                task = self._new_task(service, service.version)
                task.state = RUNNING
                task.running_at = 0.0
                task.containers_at = 0.0
                task.ready_at = 0.0
                task.healthy = True
                task.has_hc = self.settings["ecs"]["container_health_check"]
                if task.has_hc:
                    task.hc_status = HC_HEALTHY
                task.hc_started = True
        pattern.setup()
        for task in self.tasks.values():
            pattern.on_task_running(task, initial=True)
            self._schedule_container_check(task, first=True)
        for service in self.services.values():
            self._refresh_callers(service)
        for edge in self.edges:
            self._schedule_arrival(edge, first=True)

    def _next_ip(self, az: str) -> str:
        self._ip_hosts[az] += 1
        host = self._ip_hosts[az]
        return f"10.0.{AZS.index(az) * 16 + host // 250}.{host % 250 + 1}"

    def _place(self, service: Service) -> str:
        """The AZ with the fewest active tasks of the service among AZs that are up (spread)."""
        up = [az for az in service.azs if not self.az_out[az]] or list(service.azs)
        counts = dict.fromkeys(up, 0)
        for task in service.tasks:
            if task.active() and task.az in counts:
                counts[task.az] += 1
        return spread(up, counts)

    def _new_task(self, service: Service, version: int) -> Task:
        az = self._place(service)
        task = Task(service, service.next_n, self._next_ip(az), az, version, self.engine.now)
        service.next_n += 1
        task.index = self._task_count
        self._task_count += 1
        service.tasks.append(task)
        self.tasks[task.id] = task
        return task

    # ------------------------------------------------------------------ events helper

    def event(self, kind: str, cause: str, **fields: Any) -> None:
        self.trace.add(self.engine.now, kind, cause, **fields)

    def _pattern(self) -> Pattern:
        assert self.pattern is not None
        return self.pattern

    # ------------------------------------------------------------------ lifecycle

    def launch(self, service: Service, cause: str, version: int | None = None) -> Task:
        task = self._new_task(service, service.version if version is None else version)
        self.event(
            "task",
            "task_started",
            task=task.id,
            service=service.name,
            az=task.az,
            ip=task.ip,
            why=cause,
        )
        self.engine.after(self.settings["ecs"]["task_start_s"], PRIO_CONTROL, self._running, task)
        return task

    def _running(self, task: Task, _tag: int) -> None:
        """The task's containers start. With ``ecs.depends_on_healthy`` the task stays PENDING
        (held) until its app container's first passing health check, see :meth:`_release`."""
        if task.state is not PENDING:
            return
        now = self.engine.now
        task.containers_at = now
        task.ready_at = now + task.service.app_start_s
        ecs = self.settings["ecs"]
        task.has_hc = ecs["container_health_check"]
        if task.has_hc and ecs["depends_on_healthy"]:
            task.held = True
            self.event("task", "held_until_app_healthy", task=task.id, ip=task.ip, az=task.az)
            self._schedule_container_check(task)
        else:
            self._become_running(task, start_checks=True)
        self.engine.at(task.ready_at, PRIO_CONTROL, self._app_ready, task)

    def _become_running(self, task: Task, start_checks: bool = False) -> None:
        """ECS reports the task RUNNING: the pattern registers it (target group, Cloud Map or
        Service Connect endpoint)."""
        task.state = RUNNING
        task.running_at = self.engine.now
        self.event("task", "task_running", task=task.id, ip=task.ip, az=task.az)
        pattern = self._pattern()
        pattern.on_task_running(task, initial=False)
        if start_checks:
            self._schedule_container_check(task)
        if not task.has_hc and not pattern.load_balanced:
            self.engine.after(NO_CHECK_WAIT_S, PRIO_CONTROL, self._no_check_wait_over, task)

    def _release(self, task: Task) -> None:
        """The held task's app container passed a health check: the hold container that
        ``dependsOn`` it HEALTHY starts, every container has started, and the task is RUNNING."""
        task.held = False
        self.event(
            "task",
            "depends_on_healthy_met",
            task=task.id,
            held_s=round(self.engine.now - self._containers_started(task), 6),
        )
        self._become_running(task)
        if task.ready_at <= self.engine.now:  # it passed its check, so its app answers already
            self._refresh_callers(task.service)
            self._pattern().on_app_ready(task)

    def _app_ready(self, task: Task, _tag: int) -> None:
        if task.held:  # it answers, but nobody sends it requests before its check passes
            self.event("task", "app_ready", task=task.id)
            return
        if task.state is not RUNNING:
            return
        self.event("task", "app_ready", task=task.id)
        self._refresh_callers(task.service)
        self._pattern().on_app_ready(task)

    def mark_healthy(self, task: Task) -> None:
        """The load balancer reports the new task's target healthy to ECS (every up node agrees)."""
        self.update_health(task)

    def _no_check_wait_over(self, task: Task, _tag: int) -> None:
        self.update_health(task)

    def update_health(self, task: Task) -> None:
        """Count a new task healthy for the deployment once everything ECS waits for holds.

        With a container health check the task's health status must be HEALTHY (UNKNOWN until
        the first check passes); behind a load balancer the target must be healthy too
        (``Pattern.reports_healthy``); with neither, ``NO_CHECK_WAIT_S`` must have passed since
        RUNNING. ECS never learns when the app itself answers.
        """
        if task.healthy or task.state is not RUNNING:
            return
        pattern = self._pattern()
        if task.has_hc:
            if task.hc_status is not HC_HEALTHY:
                return
        elif not pattern.load_balanced:
            running = task.running_at if task.running_at is not None else task.started_at
            if self.engine.now < running + NO_CHECK_WAIT_S:
                return
        if pattern.load_balanced and not pattern.reports_healthy(task):
            return
        task.healthy = True
        self.event("task", "task_healthy", task=task.id, health_status=self.health_status(task))
        self.reconcile(task.service)

    def health_status(self, task: Task) -> str:
        """The task's health status as ECS shows it: from its container health check, so UNKNOWN
        without one (or before its first check passes)."""
        return task.hc_status if task.has_hc else HC_UNKNOWN

    def stop_task(self, task: Task, cause: str, **fields: Any) -> None:
        """Graceful stop: the pattern deregisters and drains, then SIGTERM, then SIGKILL."""
        if task.state is PENDING:
            self._stopped(task, cause)
            return
        if task.state is not RUNNING:
            return
        task.state = DRAINING
        self.event("task", cause, task=task.id, state=DRAINING, **fields)
        self._refresh_callers(task.service)
        task.deregistered = True
        self._pattern().deregister(task)

    def sigterm(self, task: Task) -> None:
        """Called by the pattern once the task is drained (or at once where nothing drains)."""
        if task.state is not DRAINING:
            return
        task.state = STOPPING
        self.event("task", "sigterm_sent", task=task.id, in_flight=len(task.inflight))
        self._refresh_callers(task.service)
        if not task.inflight:
            self._stopped(task, "exited_after_sigterm")
            return
        self.engine.after(self.settings["ecs"]["stop_timeout_s"], PRIO_CONTROL, self._sigkill, task)

    def _sigkill(self, task: Task, _tag: int) -> None:
        if task.state is not STOPPING:
            return
        self.event("task", "sigkill_sent", task=task.id, in_flight=len(task.inflight))
        self.reset_inflight(task)
        self._stopped(task, "task_stopped")

    def kill(self, task: Task) -> None:
        """Abrupt death: in-flight requests are reset, the IP stops answering."""
        if task.state is STOPPED:
            return
        self.event("task", "task_killed", task=task.id, in_flight=len(task.inflight))
        self.reset_inflight(task)
        self._stopped(task, "task_stopped")

    def reset_inflight(self, task: Task) -> None:
        for req in list(task.inflight.values()):
            self._end_attempt_now(req, RESET)

    def _stopped(self, task: Task, cause: str) -> None:
        task.state = STOPPED
        task.held = False
        task.stopped_at = self.engine.now
        task.healthy = False
        self.event("task", cause, task=task.id, state=STOPPED)
        self._refresh_callers(task.service)
        pattern = self._pattern()
        pattern.on_task_stopped(task)
        if not task.deregistered:
            task.deregistered = True
            lag = self.settings["ecs"]["deregister_after_stop_s"]
            self.engine.after(lag, PRIO_CONTROL, self._deregister_dead, task)
        self.reconcile(task.service)

    def _deregister_dead(self, task: Task, _tag: int) -> None:
        self._pattern().deregister_dead(task)

    def replace_unhealthy(self, task: Task, cause: str, check: str = "load_balancer") -> None:
        """ECS stops a task reported unhealthy and replaces it, unless it is in its grace period.

        ``check`` says which health check reported it (``load_balancer`` or ``container``). ECS
        ignores health during ``ecs.health_check_grace_period_s`` after RUNNING; a task reported
        unhealthy meanwhile is looked at again when the grace ends (:meth:`_grace_ended`).
        """
        if task.state is not RUNNING and not task.held:
            return
        grace = self.settings["ecs"]["health_check_grace_period_s"]
        grace_end = self._containers_started(task) + grace
        if self.engine.now < grace_end:
            self.event(
                "health",
                "unhealthy_in_grace_period",
                task=task.id,
                check=check,
                until=round(grace_end, 6),
            )
            if not task.grace_watch:
                task.grace_watch = True
                self.engine.at(grace_end, PRIO_CONTROL, self._grace_ended, task)
            return
        self.stop_task(task, cause, check=check)
        self.reconcile(task.service)

    def _grace_ended(self, task: Task, _tag: int) -> None:
        """The grace period of a task reported unhealthy during it ended: replace it if it still is."""
        task.grace_watch = False
        if task.state is not RUNNING and not task.held:
            return
        if self._pattern().reports_unhealthy(task):
            check = "load_balancer"
        elif task.hc_status is HC_UNHEALTHY:
            check = "container"
        else:
            self.event("health", "grace_period_ended_healthy", task=task.id)
            return
        self.stop_task(task, "grace_period_ended_unhealthy", check=check)
        self.reconcile(task.service)

    def reconcile(self, service: Service, why: str = "replacement_started") -> None:
        """Keep the desired count; roll old versions out within the deployment bounds.

        Iterative: a reconcile asked for while one of the same service runs (a task stopped by
        this one reached STOPPED at once) is queued and run as another pass of this loop.
        """
        name = service.name
        if name in self._reconciling:
            self._reconcile_again.setdefault(name, why)
            return
        self._reconciling.add(name)
        try:
            while True:
                self._reconcile_pass(service, why)
                if name not in self._reconcile_again:
                    break
                why = self._reconcile_again.pop(name)
        finally:
            self._reconciling.discard(name)

    def _reconcile_pass(self, service: Service, why: str) -> None:
        if self.deployments.active and service.name in self.deployments.active:
            self.deployments.reconcile(service, why)
            return
        ecs = self.settings["ecs"]
        active = service.active_tasks()
        new = [t for t in active if t.version == service.version]
        old = [t for t in active if t.version != service.version]
        desired = service.desired
        while len(new) > desired:
            victim = balanced_victim(new, service.active_tasks(), newest=True)
            new.remove(victim)
            self.stop_task(victim, "scale_in")
        # Tasks of a superseded deployment (neither the newest revision nor the last finished
        # one) go first; those not yet healthy add nothing to the healthy count, so stopping them
        # never breaks minimumHealthyPercent.
        superseded = [t for t in old if t.version != service.stable_version]
        for victim in [t for t in superseded if not t.healthy]:
            old.remove(victim)
            self.stop_task(victim, "deployment_superseded")
        min_healthy = math.ceil(desired * ecs["minimum_healthy_percent"] / 100.0)
        max_total = max(desired, math.floor(desired * ecs["maximum_percent"] / 100.0))
        healthy_new = sum(1 for t in new if t.healthy)
        while old and healthy_new + len(old) - 1 >= min_healthy:
            # A superseded revision's tasks before the last finished one's; among them, one in
            # the AZ with the most of the service's tasks, ties the oldest (ECS-UPD).
            stale = [t for t in old if t.version != service.stable_version] or old
            victim = balanced_victim(stale, service.active_tasks(), newest=False)
            old.remove(victim)
            cause = (
                "deployment_step"
                if victim.version == service.stable_version
                else "deployment_superseded"
            )
            self.stop_task(victim, cause)
        while len(new) < desired and len(new) + len(old) < max_total:
            new.append(self.launch(service, "deployment_started" if old else why))
        # ECS completes a deployment at steady state: no old task left and the desired count of
        # new tasks all counted healthy (the last one's health reconciles again).
        if (
            self.deploying.get(service.name)
            and not old
            and len(new) == desired
            and all(t.healthy for t in new)
        ):
            self.deploying[service.name] = False
            service.stable_version = service.version
            self.event(
                "deployment", "deployment_finished", service=service.name, version=service.version
            )

    def deploy(self, service: Service, spec: Mapping[str, Any] | None = None) -> None:
        """Start a deployment: rolling, or a strategy of :mod:`.deployments` (``spec``)."""
        if spec is not None and spec.get("strategy", "rolling") != "rolling":
            self.deployments.start(service, spec)
            return
        if service.name in self.deployments.active:
            self.deployments.supersede(service)
        if self.deploying.get(service.name):
            self.event(
                "deployment",
                "deployment_superseded",
                service=service.name,
                version=service.version,
                by=self.deployments.peek_revision(service),
            )
        service.version = self.deployments.next_revision(service)
        self.deploying[service.name] = True
        self.event(
            "deployment", "deployment_started", service=service.name, version=service.version
        )
        self.reconcile(service)

    def add_service(self, spec: Mapping[str, Any], traffic: Sequence[Mapping[str, Any]]) -> None:
        """A new ECS service (``add_service`` action): it launches its tasks as ECS does for a
        created service, and its traffic streams start now (callers without ready tasks send
        nothing yet)."""
        service = Service(spec["name"], spec["tasks"], list(spec["azs"]), spec["app_start_s"])
        self.services[service.name] = service
        self.event("service", "service_added", service=service.name, desired=service.desired)
        self._pattern().on_service_added(service)
        self.reconcile(service, "service_created")
        for item in traffic:
            edge = Edge(self.services[item["from"]], item["to"], item["rps"], len(self.edges))
            edge.test = bool(item.get("test", False))
            self.edges.append(edge)
            self._schedule_arrival(edge, first=True)

    def scale(self, service: Service, count: int) -> None:
        cause = "scale_out" if count > service.desired else "scale_in"
        service.desired = count
        self.event("service", cause, service=service.name, desired=count)
        self.reconcile(service, cause)

    def set_az(self, az: str, out: bool) -> None:
        self.az_out[az] = out
        self.event("az", "az_outage" if out else "az_recovered", az=az)
        for service in self.services.values():
            self._refresh_callers(service)
        self._pattern().on_az(az, out)
        if out:
            self.engine.after(
                self.settings["ecs"]["lost_task_timeout_s"], PRIO_CONTROL, self._lose_tasks, az
            )

    def _lose_tasks(self, az: str, _tag: int) -> None:
        if not self.az_out[az]:
            return
        for task in list(self.tasks.values()):
            if task.az == az and task.state is not STOPPED:
                task.lost = True
                self.event("task", "ecs_lost_task", task=task.id, az=az)
                self.reset_inflight(task)
                self._stopped(task, "task_stopped")

    def _refresh_callers(self, service: Service) -> None:
        now = self.engine.now
        service.callers = [
            t
            for t in service.tasks
            if (t.state is RUNNING or t.state is DRAINING)
            and t.ready_at <= now
            and not self.az_out[t.az]
        ]

    # ------------------------------------------------------------------ container health checks

    def _schedule_container_check(self, task: Task, first: bool = False) -> None:
        """Start a task's container health checks.

        A new container's first check runs one interval after it starts (task RUNNING), whether
        or not its app answers yet (Docker's HEALTHCHECK rule, which ECS uses). The tasks running
        at t = 0 have been up for a while: their checks start at a random phase of the interval.
        """
        ecs = self.settings["ecs"]
        if not task.has_hc or (task.state is not RUNNING and not task.held):
            return
        delay = ecs["container_health_interval_s"]
        if first:  # spread the checks of different tasks over the interval
            delay = self.rng.random() * delay
        self.engine.after(delay, PRIO_CONTROL, self._container_check, task)

    def _container_check(self, task: Task, _tag: int) -> None:
        """One container health check; ``retries`` failures in a row make the container UNHEALTHY.

        Failures inside ``ecs.container_health_start_period_s`` after RUNNING do not count until
        a check has passed (a pass ends the start period). A pass makes an UNHEALTHY container
        HEALTHY again. Checks go on while the task runs, so a verdict ECS ignored during the grace
        period is still known when the grace ends.
        """
        if task.state is not RUNNING and not task.held:
            return
        ecs = self.settings["ecs"]
        ok, _delay, _cause = self.probe(task, ecs["container_health_timeout_s"], local=True)
        if ok:
            task.hc_failures = 0
            task.hc_started = True
            was = task.hc_status
            task.hc_status = HC_HEALTHY
            if was is HC_UNHEALTHY:
                self.event("task", "container_health_recovered", task=task.id)
                if not task.held:
                    self._pattern().on_container_healthy(task)
            if task.held:
                self._release(task)
            if not task.healthy:
                self.update_health(task)
                if task.state is not RUNNING:
                    return
        elif task.hc_started or self.engine.now >= self._start_period_end(task):
            task.hc_failures += 1
            if (
                task.hc_failures >= ecs["container_health_retries"]
                and task.hc_status is not HC_UNHEALTHY
            ):
                task.hc_status = HC_UNHEALTHY
                self.event(
                    "task", "container_health_failed", task=task.id, failures=task.hc_failures
                )
                if not task.held:
                    self._pattern().on_container_unhealthy(task)
                self.replace_unhealthy(task, "ecs_replaced_unhealthy", check="container")
                if task.state is not RUNNING and not task.held:
                    return
        self.engine.after(
            ecs["container_health_interval_s"], PRIO_CONTROL, self._container_check, task
        )

    def _start_period_end(self, task: Task) -> float:
        period: float = self.settings["ecs"]["container_health_start_period_s"]
        return self._containers_started(task) + period

    @staticmethod
    def _containers_started(task: Task) -> float:
        """When the task's containers started: its start period and grace period count from
        here (RUNNING, or while it is held PENDING by ``dependsOn`` HEALTHY)."""
        return task.containers_at if task.containers_at is not None else task.started_at

    def reachable(self, task: Task) -> bool:
        """Can a packet from another host reach the task's IP?"""
        return task.state is not STOPPED and not task.blackhole and not self.az_out[task.az]

    def probe(self, task: Task, timeout_s: float, local: bool = False) -> tuple[bool, float, str]:
        """A health check: (passed, seconds until the result is known, cause).

        ``local`` checks run inside the task (container health check), so network faults do not
        affect them. Slow and failing behaviour affect checks only with ``"health_check": true``.
        """
        if task.state is STOPPED:
            return False, timeout_s, "connect_timeout"
        if not local and (task.blackhole or self.az_out[task.az]):
            return False, timeout_s, "blackholed"
        if task.refuse or task.state is STOPPING or task.ready_at > self.engine.now:
            return False, REFUSE_RTT_S, "connection_refused"
        if task.slow_hc and task.slow_s >= timeout_s:
            return False, timeout_s, "app_slow"
        if task.fail_hc and task.fail_p > 0.0 and self.rng.random() < task.fail_p:
            return False, self._latency_s, "app_error"
        return True, self._latency_s + (task.slow_s if task.slow_hc else 0.0), "health_check_passed"

    # ------------------------------------------------------------------ traffic

    def _schedule_arrival(self, edge: Edge, first: bool = False) -> None:
        if self.scenario.arrivals == "uniform":
            gap = 1.0 / edge.rps
            if first:  # stagger streams so they do not all fire at the same instants
                gap *= (edge.index + 1) / (len(self.edges) + 1)
        else:
            gap = self.traffic_rng.expovariate(edge.rps)
        self.engine.after(gap, PRIO_REQUEST, self._arrive, edge)

    def _arrive(self, edge: Edge, _tag: int) -> None:
        # The hot path: one call per request. It schedules the stream's next arrival as
        # _schedule_arrival does (same draw, same event), pushed onto the queue directly; the
        # Poisson gap is random.expovariate's own formula, inlined (test_engine pins the two equal).
        engine = self.engine
        now = engine.now
        if self._poisson:
            gap = -math.log(1.0 - self.traffic_rng.random()) / edge.rps
        else:
            gap = 1.0 / edge.rps
        engine.seq = seq = engine.seq + 1
        heappush(engine.queue, (now + gap, PRIO_REQUEST, seq, self._on_arrive, edge, 0))
        callers = edge.caller.callers
        if not callers:
            return
        caller = callers[int(self.traffic_rng.random() * len(callers))]
        rid = self.next_request_id
        self.next_request_id = rid + 1
        metrics = edge.metrics
        bucket = metrics.buckets.get(int(now))
        if bucket is None:
            bucket = metrics.bucket(int(now))
        bucket[0] += 1
        # Request(rid, edge, caller, now, rid % self._sample_every == 0, bucket), without the frame
        req = _new_object(Request)
        req.id = rid
        req.edge = edge
        req.caller = caller
        req.t0 = now
        req.tries = 0
        req.target = None
        req.reason = None
        req.tag = 0
        req.sampled = sampled = rid % self._sample_every == 0
        req.via = None
        req.deadline = math.inf
        req.bucket = bucket
        req.tbucket = _NO_ATTEMPT
        req.client_tries = 0
        if sampled:
            self.sampled += 1
            self.event("request", "request_sent", request=rid, source=caller.id, to=edge.callee)
        self._pat.send(req)

    def finish(self, req: Request, reason: str | None) -> None:
        """The caller sees the request end: ok (reason None) or with one error reason."""
        now = self.engine.now
        latency = now - req.t0
        bucket = req.bucket
        bucket[3].append(latency)
        if reason is None:
            bucket[1] += 1
        else:
            errors = bucket[2]
            errors[reason] = errors.get(reason, 0) + 1
            errors = req.edge.metrics.errors
            errors[reason] = errors.get(reason, 0) + 1
        if req.sampled:
            self.event(
                "request_end",
                "request_ok" if reason is None else "request_failed",
                request=req.id,
                source=req.caller.id,
                to=req.edge.callee,
                reason=reason,
                latency_ms=round(latency * 1000.0, 3),
                tries=req.tries,
            )

    def count_retry(self, req: Request) -> None:
        self.retries += 1
        req.edge.metrics.retries += 1

    def client_retries(self, req: Request, reason: str, retries: int) -> bool:
        """Whether the caller's own code tries again (the ELB and Service Discovery patterns,
        where no proxy retries for it); counts and records the retry when it does."""
        if req.client_tries > retries or self.engine.now >= req.deadline:
            return False
        self.count_retry(req)
        if req.sampled:
            self.event(
                "hop", "client_retry", request=req.id, reason=reason, attempt=req.client_tries + 1
            )
        return True

    # ------------------------------------------------------------------ attempts

    def attempt(self, req: Request, task: Task, connect_timeout_s: float, timeout_s: float) -> None:
        """Send one attempt of ``req`` to ``task``; the pattern hears back in ``attempt_done``.

        ``timeout_s`` bounds the wait for the response (0 or inf = no limit).
        """
        engine = self.engine
        now = engine.now
        req.tries += 1
        req.target = task
        task.last_attempt_t = now
        sec = int(now)
        tb = task.buckets.get(sec)
        if tb is None:
            tb = task.buckets[sec] = [0, 0, {}]
        tb[0] += 1
        req.tbucket = tb
        state = task.state
        if state is STOPPED or task.blackhole or self.az_out[task.az]:
            reason: str | None = CONNECT_TIMEOUT
            duration = connect_timeout_s
            if timeout_s and timeout_s < duration:
                reason = TIMEOUT
                duration = timeout_s if timeout_s > 0.0 else 0.0  # a passed deadline: at once
        elif task.refuse or state is STOPPING or task.ready_at > now:
            reason = CONNECT_REFUSED
            duration = REFUSE_RTT_S
        else:
            duration = self._latency_s * (0.5 + self.rng.random()) + task.slow_s
            reason = None
            fail_p = task.fail_p
            if fail_p > 0.0 and self.rng.random() < fail_p:
                reason = task.fail_reason
            if timeout_s and duration > timeout_s:
                duration = timeout_s if timeout_s > 0.0 else 0.0  # a passed deadline: at once
                reason = TIMEOUT
            task.inflight[req.id] = req
        req.reason = reason
        # engine.at(now + duration, ...) inlined; duration >= 0, so never before now
        engine.seq = seq = engine.seq + 1
        heappush(
            engine.queue, (now + duration, PRIO_REQUEST, seq, self._on_attempt_end, req, req.tag)
        )

    def _attempt_end(self, req: Request, tag: int) -> None:
        if tag != req.tag:
            return  # already ended early (reset)
        task = req.target
        assert task is not None
        task.inflight.pop(req.id, None)
        reason = req.reason
        tb = req.tbucket
        if reason is None:
            tb[1] += 1
        else:
            errors = tb[2]
            errors[reason] = errors.get(reason, 0) + 1
        self._pat.attempt_done(req, reason)
        if task.state is not RUNNING and not task.inflight:
            self._pattern().on_idle(task)
            if task.state is STOPPING:
                self._stopped(task, "exited_after_sigterm")

    def _end_attempt_now(self, req: Request, reason: str) -> None:
        """End an in-flight attempt early (reset by a kill, SIGKILL or a cut drain)."""
        req.tag += 1
        task = req.target
        assert task is not None
        task.inflight.pop(req.id, None)
        req.reason = reason
        errors = req.tbucket[2]
        errors[reason] = errors.get(reason, 0) + 1
        self._pattern().attempt_done(req, reason)

    def cut_inflight(self, task: Task) -> None:
        """End every in-flight attempt on the task with a reset (drain deadline)."""
        for req in list(task.inflight.values()):
            self._end_attempt_now(req, RESET)

    # ------------------------------------------------------------------ faults

    def set_behaviour(self, task: Task, change: Callable[[Task], None]) -> None:
        change(task)
        task.faulted_at = self.engine.now
        self._pattern().on_behaviour_changed(task)


def fail_reason(status: int) -> str:
    return http_reason(status)
