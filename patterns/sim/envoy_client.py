"""Client-side Envoy in every calling task: shared by the App Mesh and Service Connect patterns.

Each calling task has its own proxy, and each proxy its own :class:`~patterns.sim.proxy.EnvoyCluster`
per upstream (created on first use with the endpoints known at that moment), so outlier state is
never shared between proxies (checkable fact 27). An attempt that fails is retried by the route's
retry policy with jittered back-off, all inside the route timeout; when the retries run out the
caller sees what Envoy answers: the upstream's status, 503 for a connect failure or reset, 504 for
the route timeout. Interval sweeps run as engine events at each cluster's tick, so un-ejections are
recorded at their own time.
"""

from __future__ import annotations

from typing import Any

from .engine import PRIO_CONTROL, PRIO_REQUEST
from .pattern_base import Pattern
from .proxy import EnvoyCluster, EnvoyClusterConfig, OutlierDetectionConfig, ProxyEvent, RetryPolicy
from .topology import Request, Service, Task, World
from .trace import HTTP_503, HTTP_504, NO_HEALTHY_UPSTREAM, TIMEOUT

_TIME_EPS = 1e-9


class Upstream:
    """One proxy's cluster for one upstream name, with what the engine needs to route through it."""

    __slots__ = ("cluster", "proxy", "name", "policy", "refresh_at", "dns_host")

    def __init__(self, cluster: EnvoyCluster, proxy: str, name: str) -> None:
        self.cluster = cluster
        self.proxy = proxy
        self.name = name
        self.policy: RetryPolicy | None = cluster.config.retry_policy
        self.refresh_at = 0.0
        self.dns_host: str | None = None


def retry_policy_from(settings: dict[str, Any]) -> RetryPolicy:
    return RetryPolicy(
        num_retries=settings["num_retries"],
        retry_on=tuple(settings["retry_on"]),
        retriable_status_codes=tuple(settings["retriable_status_codes"]),
        avoid_previous_hosts=settings.get("avoid_previous_hosts", False),
    )


def envoy_outlier_from(settings: dict[str, Any]) -> OutlierDetectionConfig:
    return OutlierDetectionConfig(
        consecutive_5xx=settings["consecutive_5xx"],
        interval_s=settings["interval_s"],
        base_ejection_time_s=settings["base_ejection_time_s"],
        max_ejection_time_s=settings["max_ejection_time_s"],
        max_ejection_percent=settings["max_ejection_percent"],
        failure_window_s=settings.get("failure_window_s", 0.0),
    )


class EnvoyPattern(Pattern):
    """Routing through client-side proxies; subclasses say which endpoints each upstream has."""

    timeout_cause = "route_timeout"
    drain_s = 20.0

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.envoy = self.settings["envoy"]
        self.proxies: dict[str, dict[str, Upstream]] = {}
        self.by_name: dict[str, list[Upstream]] = {}
        # The endpoint list each upstream name has in the proxies right now (after pushes).
        self.endpoints: dict[str, list[str]] = {name: [] for name in world.services}
        # Request id -> hosts its earlier attempts went to, kept only for requests being retried
        # under a policy with the previous_hosts predicate (emptied when the request ends).
        self._tried: dict[int, list[str]] = {}

    # ------------------------------------------------------------------ to be provided

    def cluster_config(self, name: str) -> EnvoyClusterConfig:
        raise NotImplementedError

    def choose_upstream(self, req: Request) -> str:
        """The upstream (virtual node / service) for this request."""
        return req.edge.callee

    def refresh(self, up: Upstream, now: float) -> None:
        """Hook for DNS-discovered clusters; Cloud Map/EDS clusters are pushed instead."""

    # ------------------------------------------------------------------ endpoints

    def on_service_added(self, service: Service) -> None:
        self.endpoints.setdefault(service.name, [])

    def push(self, name: str, hosts: list[str]) -> None:
        """Deliver a new endpoint list for ``name`` to every proxy (an EDS push)."""
        self.endpoints[name] = list(hosts)
        now = self.world.engine.now
        for up in self.by_name.get(name, ()):
            if up.dns_host is None:
                up.cluster.set_hosts(hosts, now)
        self.world.event("eds", "eds_push", service=name, hosts=list(hosts))

    def push_later(self, name: str, hosts: list[str], lag_s: float) -> None:
        if lag_s <= 0:
            self.push(name, hosts)
            return
        self.world.engine.after(lag_s, PRIO_CONTROL, self._push_event, (name, list(hosts)))

    def _push_event(self, arg: tuple[str, list[str]], _tag: int) -> None:
        self.push(arg[0], arg[1])

    def _upstream(self, caller: Task, name: str) -> Upstream:
        clusters = self.proxies.get(caller.id)
        if clusters is None:
            clusters = self.proxies[caller.id] = {}
        up = clusters.get(name)
        if up is None:
            now = self.world.engine.now
            cluster = EnvoyCluster(
                self.cluster_config(name), self.world.rng, self.endpoints.get(name, []), now
            )
            up = clusters[name] = Upstream(cluster, caller.id, name)
            self.by_name.setdefault(name, []).append(up)
            sweep_at = cluster.next_sweep_s
            if sweep_at is not None:
                self.world.engine.at(sweep_at, PRIO_CONTROL, self._sweep, up)
        return up

    def _sweep(self, up: Upstream, _tag: int) -> None:
        events = up.cluster.sweep(self.world.engine.now)
        if events:
            self._record(up, events)
        sweep_at = up.cluster.next_sweep_s
        if sweep_at is not None:
            self.world.engine.at(sweep_at, PRIO_CONTROL, self._sweep, up)

    def _record(self, up: Upstream, events: list[ProxyEvent]) -> None:
        for ev in events:
            fields = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in ev.detail.items()}
            self.world.event(
                ev.kind, ev.cause, proxy=up.proxy, cluster=up.name, task=ev.host, **fields
            )

    # ------------------------------------------------------------------ requests

    def send(self, req: Request) -> None:
        up = self._upstream(req.caller, self.choose_upstream(req))
        req.via = up
        req.deadline = up.cluster.config.deadline(req.t0)
        self._try(req, req.tag)

    def _try(self, req: Request, tag: int) -> None:
        if tag != req.tag:
            return
        world = self.world
        now = world.engine.now
        up: Upstream = req.via
        if up.dns_host is not None or up.refresh_at:
            self.refresh(up, now)
        tried = self._tried.get(req.id) if req.tries and self._tried else None
        if tried is None:
            host, cause = up.cluster.pick(now)
        else:
            host, cause, skipped = up.cluster.pick_retry(now, tried, tried[-1])
            if skipped and req.sampled:
                world.event(
                    "hop",
                    "retry_previous_host_skipped",
                    request=req.id,
                    proxy=up.proxy,
                    cluster=up.name,
                    skipped=skipped,
                )
        if host is None:
            if req.sampled:
                world.event(
                    "hop", "no_healthy_upstream", request=req.id, proxy=up.proxy, cluster=up.name
                )
            self._end(req, NO_HEALTHY_UPSTREAM)
            return
        task = world.tasks[host]
        up.cluster.on_start(host)
        if req.sampled:
            world.event("hop", cause, request=req.id, proxy=up.proxy, cluster=up.name, task=host)
        world.attempt(req, task, self.envoy["connect_timeout_s"], req.deadline - now)

    def attempt_done(self, req: Request, reason: str | None) -> None:
        world = self.world
        now = world.engine.now
        up: Upstream = req.via
        task = req.target
        assert task is not None
        events = up.cluster.on_finish(task.id, now, reason)
        if events:
            self._record(up, events)
        if reason is None:
            self._end(req, None)
            return
        if reason == TIMEOUT and now >= req.deadline - _TIME_EPS:
            self._fail(req, HTTP_504, self.timeout_cause, reason)
            return
        policy = up.policy
        decision = (
            policy.decide(reason, req.tries - 1, now, req.deadline, world.rng) if policy else None
        )
        if decision is None or (not decision.retry and decision.cause != "route_timeout"):
            caller_reason = _caller_reason(reason)
            if decision is not None:
                cause = "retry_budget_exhausted"
            elif caller_reason != reason:
                cause = "upstream_connect_error"
            else:
                cause = "app_error"
            self._fail(req, caller_reason, cause, reason)
            return
        if not decision.retry:  # the route timeout fires during the back-off
            req.tag += 1
            world.engine.at(decision.at_s, PRIO_REQUEST, self._timed_out, req, req.tag)
            return
        world.count_retry(req)
        if policy is not None and policy.avoid_previous_hosts:
            self._tried.setdefault(req.id, []).append(task.id)
        if req.sampled:
            world.event(
                "hop", decision.cause, request=req.id, proxy=up.proxy, task=task.id, reason=reason
            )
        req.tag += 1
        world.engine.at(decision.at_s, PRIO_REQUEST, self._try, req, req.tag)

    def _timed_out(self, req: Request, tag: int) -> None:
        if tag == req.tag:
            self._fail(req, HTTP_504, self.timeout_cause, TIMEOUT)

    def _fail(self, req: Request, reason: str, cause: str, upstream_reason: str) -> None:
        if req.sampled:
            up: Upstream = req.via
            self.world.event(
                "hop",
                cause,
                request=req.id,
                proxy=up.proxy,
                reason=reason,
                upstream_reason=upstream_reason,
            )
        self._end(req, reason)

    def _end(self, req: Request, reason: str | None) -> None:
        if self._tried:
            self._tried.pop(req.id, None)
        self.world.finish(req, reason)

    # ------------------------------------------------------------------ stopping tasks

    def deregister(self, task: Task) -> None:
        """Remove the endpoint, let the task's proxy drain (20 s), then SIGTERM."""
        self.remove_endpoint(task)
        self.world.event("proxy", "proxy_draining", task=task.id, drain_s=self.drain_s)
        self.world.engine.after(self.drain_s, PRIO_CONTROL, self._drained, task)

    def _drained(self, task: Task, _tag: int) -> None:
        self.world.sigterm(task)

    def deregister_dead(self, task: Task) -> None:
        self.remove_endpoint(task)

    def remove_endpoint(self, task: Task) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ views

    def snapshot(self) -> dict[str, Any]:
        return {
            "proxies": {
                proxy: {name: up.cluster.snapshot() for name, up in sorted(clusters.items())}
                for proxy, clusters in sorted(self.proxies.items())
            },
            "endpoints": {name: list(hosts) for name, hosts in self.endpoints.items()},
        }

    def summary_extra(self) -> dict[str, Any]:
        totals = {"detected": 0, "enforced": 0, "refused": 0, "not_enforced": 0}
        for clusters in self.proxies.values():
            for up in clusters.values():
                for key, value in up.cluster.counters.as_dict().items():
                    totals[key] = totals.get(key, 0) + value
        return {"outlier": totals}


def _caller_reason(reason: str) -> str:
    """What the calling app gets from its Envoy for an attempt outcome."""
    if reason.startswith("http_"):
        return reason
    if reason == TIMEOUT:
        return HTTP_504
    return HTTP_503  # connect failure or reset: "upstream connect error or disconnect/reset"
