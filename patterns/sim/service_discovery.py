"""Pattern 3, ECS Service Discovery: clients resolve ``<service>.local`` and connect to a task IP.

ECS registers each task in Cloud Map, which writes records into a Route 53 private hosted zone
(changes reach the servers ``cloud_map.record_propagation_s`` later). Each calling task has its own
DNS cache (``client.dns_cache``: honour the TTL, the JVM's 30 s, or forever), picks one IP of the
answer itself and connects straight to the task: no proxy, no load balancer, no retries unless
``client.retries`` says the client code retries [ECS-SD, ECS-IC].

A miss in a caller's cache goes to the VPC resolver's cache for the caller's AZ (one per AZ, an
UNCONFIRMED choice), which honours the TTL and hands out what is left of it; on its own miss it
asks Route 53. The run starts with a system already up: each resolver cache holds an answer
fetched at a seeded moment within the TTL before 0 s, and each initial caller task's cache one it
fetched at a seeded moment within its own hold time (JVM 30 s) before 0 s; a task started later
first resolves at its first request. So caches expire at different times, per AZ and per caller.

Deployments and scale-in stop a task as soon as it is deregistered: ECS does not wait for the TTL
[CR-343, CR-1639]. Worked window (checkable fact 19): a record with TTL 300 s cached at 50 s and
deleted at 60 s keeps sending that client to the stopped task until 350 s. In general a caller
that honours the TTL stops using a removed record at most one TTL after the removal reaches
Route 53 (record_propagation_s after it), as its copy expires with the resolver's; a JVM caller
(jvm_30s) up to 30 s later still.
"""

from __future__ import annotations

import random
from typing import Any

from .cloud_map_registry import CloudMapRegistry
from .discovery import (
    CAUSE_CACHE_HIT,
    RECORD_A,
    DnsCache,
    ResolverCache,
    prewarmed_resolvers,
)
from .engine import PRIO_REQUEST
from .pattern_base import Pattern
from .scenario import AZS
from .topology import Request, Service, Task, World
from .trace import CONNECT_REFUSED, CONNECT_TIMEOUT, DNS_NXDOMAIN, RESET, TIMEOUT

_REASON_CAUSE = {
    CONNECT_REFUSED: "connection_refused",
    CONNECT_TIMEOUT: "connect_timeout",
    RESET: "connection_reset",
    TIMEOUT: "client_timeout",
}


class ServiceDiscoveryPattern(Pattern):
    name = "service-discovery"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.client = self.settings["client"]
        self.registry = CloudMapRegistry(world)
        self.caches: dict[str, DnsCache] = {}
        # The VPC resolver's caches, one per AZ; filled (prewarmed) on the run's first lookup.
        self.resolvers: dict[str, ResolverCache] = {}
        self._initial: set[str] = set()  # caller tasks running before 0 s
        self._primed: set[tuple[str, str]] = set()  # (caller, name) whose pre-run entry is set
        # Route 53's answers draw from their own stream, so how often caches miss does not shift
        # the run's other random draws (health-check phases, IP picks).
        self.dns_rng = random.Random(f"kumoben-dns:{world.scenario.seed}")
        # caller task id -> callee name -> (ips, expires_at): a fast copy of the DnsCache entry.
        self._fast: dict[str, dict[str, tuple[tuple[str, ...], float]]] = {}
        self.ip_to_task: dict[str, Task] = {}
        self.counters = {
            "dns_lookups": 0,
            "dns_cache_misses": 0,
            "route53_queries": 0,  # the misses the resolver could not answer from its cache
            "requests_to_deregistered_tasks": 0,
        }

    # ------------------------------------------------------------------ lifecycle

    def on_task_running(self, task: Task, initial: bool) -> None:
        self.ip_to_task[task.ip] = task
        if initial:
            self._initial.add(task.id)
        self.registry.register(task, initial)

    def on_service_added(self, service: Service) -> None:
        """Its Cloud Map service exists at once; names resolve once records propagate."""
        self.registry.add_service(service.name)

    def deregister(self, task: Task) -> None:
        """ECS deregisters the instance and stops the task at once, whatever the TTL."""
        self.registry.deregister(task)
        self.world.sigterm(task)

    def deregister_dead(self, task: Task) -> None:
        self.registry.deregister(task)

    def on_container_unhealthy(self, task: Task) -> None:
        self.registry.report_unhealthy(task)

    def on_container_healthy(self, task: Task) -> None:
        self.registry.report_healthy(task)

    def on_setting_changed(self, path: str) -> None:
        # Cloud Map values apply to answers from now on; a cache policy applies to caches made later.
        if path.startswith("cloud_map."):
            self.registry.apply_settings()

    # ------------------------------------------------------------------ requests

    def _resolve(self, req: Request) -> tuple[str, ...]:
        world = self.world
        now = world.engine.now
        caller = req.caller.id
        callee = req.edge.callee
        self.counters["dns_lookups"] += 1
        per_caller = self._fast.get(caller)
        if per_caller is None:
            per_caller = self._fast[caller] = {}
        entry = per_caller.get(callee)
        if entry is not None and now < entry[1]:
            if req.sampled:
                name = self.registry.dns_name(callee)
                served = self.registry.zone.current_ips(name, now)
                stale = any(ip not in served for ip in entry[0])
                world.event(
                    "hop",
                    "dns_cache_hit_stale" if stale else "dns_cache_hit",
                    request=req.id,
                    source=caller,
                    record=name,
                    ips=list(entry[0]),
                )
            return entry[0]
        if not self.resolvers:
            self._prewarm()
        resolver = self.resolvers[req.caller.az]
        cache = self.caches.get(caller)
        if cache is None:
            cache = self.caches[caller] = DnsCache(self.client["dns_cache"])
        name = self.registry.dns_name(callee)
        record_type = self._record_type(callee)
        if caller in self._initial and (caller, name) not in self._primed:
            self._prime(cache, resolver, caller, name, record_type)
        found = cache.lookup(name, now, resolver, self.dns_rng, record_type)
        ips = found.ips
        per_caller[callee] = (ips, found.expires_at)
        if found.cause == CAUSE_CACHE_HIT:  # the entry it held when the run began
            if req.sampled:
                world.event(
                    "hop",
                    "dns_cache_hit",
                    request=req.id,
                    source=caller,
                    record=name,
                    ips=list(ips),
                )
            return ips
        self.counters["dns_cache_misses"] += 1
        if not resolver.last_hit:
            self.counters["route53_queries"] += 1
        if req.sampled:
            world.event(
                "hop",
                "dns_cache_miss",
                request=req.id,
                source=caller,
                record=name,
                ips=list(ips),
                answer=found.answer.cause,
                ttl_s=round(found.answer.ttl_s, 6),
                resolver="cache" if resolver.last_hit else "route53",
            )
        return ips

    def _prewarm(self) -> None:
        """The resolver caches of a system already up at 0 s: for every called name, an answer
        fetched at a seeded moment within the TTL before 0 s, per AZ."""
        names = [
            self.registry.dns_name(edge.callee)
            for edge in self.world.edges
            if edge.callee in self.registry.services
        ]
        self.resolvers = prewarmed_resolvers(
            self.registry.zone,
            names,
            AZS,
            self.world.scenario.seed,
            self.settings["cloud_map"]["record_type"],
        )

    def _record_type(self, callee: str) -> str:
        """The client asks for the record type the callee's Cloud Map service holds (A, or SRV
        with the port), as an application configured for that service would."""
        service = self.registry.services.get(callee)
        return service.record_types[0] if service is not None else RECORD_A

    def _prime(
        self, cache: DnsCache, resolver: ResolverCache, caller: str, name: str, record_type: str
    ) -> None:
        """An initial caller resolved ``name`` before 0 s, at a seeded moment of its hold time."""
        self._primed.add((caller, name))
        answer = resolver.prerun(name, record_type)
        if answer is not None:
            seed = self.world.scenario.seed
            cache.prime(
                answer,
                random.Random(f"kumoben-dns-client:{seed}:{caller}:{name}").random(),
                record_type,
            )

    def send(self, req: Request) -> None:
        world = self.world
        req.client_tries += 1
        timeout = self.client["timeout_s"]
        if timeout and req.client_tries == 1:
            req.deadline = req.t0 + timeout
        ips = self._resolve(req)
        if not ips:
            self._error(req, DNS_NXDOMAIN)
            return
        if self.client["ip_choice"] == "first":
            ip = ips[0]
        else:
            ip = ips[int(world.rng.random() * len(ips))]
        task = self.ip_to_task[ip]
        if task.deregistered:
            self.counters["requests_to_deregistered_tasks"] += 1
        if req.sampled:
            world.event(
                "hop", "client_ip_pick", request=req.id, source=req.caller.id, task=task.id, ip=ip
            )
        remaining = req.deadline - world.engine.now if timeout else 0.0
        world.attempt(req, task, self.client["connect_timeout_s"], remaining)

    def attempt_done(self, req: Request, reason: str | None) -> None:
        if reason is None:
            self.world.finish(req, None)
            return
        if req.sampled:
            cause = _REASON_CAUSE.get(reason, "app_error")
            task = req.target.id if req.target else None
            self.world.event("hop", cause, request=req.id, task=task, reason=reason)
        self._error(req, reason)

    def _error(self, req: Request, reason: str) -> None:
        world = self.world
        if world.client_retries(req, reason, self.client["retries"]):
            world.engine.after(0.0, PRIO_REQUEST, self._retry, req, req.tag)
            return
        world.finish(req, reason)

    def _retry(self, req: Request, tag: int) -> None:
        if tag == req.tag:
            self.send(req)

    # ------------------------------------------------------------------ views

    def snapshot(self) -> dict[str, Any]:
        now = self.world.engine.now
        return {
            "dns_caches": {
                caller: cache.entries(now) for caller, cache in sorted(self.caches.items())
            },
            "resolver_caches": {
                az: resolver.entries(now) for az, resolver in sorted(self.resolvers.items())
            },
            "cloud_map": self.registry.snapshot(),
        }

    def summary_extra(self) -> dict[str, Any]:
        return {"dns": dict(self.counters)}
