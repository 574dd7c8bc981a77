"""Name resolution: the Cloud Map registry, the Route 53 private hosted zone, client DNS caches.

A client of ECS service discovery resolves ``<service>.<namespace>`` through its own cache; on a
miss the hosted zone answers from what Cloud Map registered, as far as Route 53 has propagated it
and with Cloud Map's custom health applied. Times are virtual seconds; ``rng`` is the run's
``random.Random``.

API::

    CloudMapService(name, namespace="local", routing_policy="MULTIVALUE", record_types=("A",),
                    ttl_s=300.0, network_mode="awsvpc", custom_health=True,
                    health_propagation_s=30.0)
        .dns_name                                   # "<name>.<namespace>"
        .register(instance_id, ip, now, *, port=None, az=None, attributes=None,
                  init_health_status=None, immediate=False) -> float   # when DNS shows it
        .deregister(instance_id, now) -> float | None                # when DNS stops showing it
        .set_custom_health(instance_id, status, now) -> float         # when the change applies
        .health(instance_id, now) -> "HEALTHY" | "UNHEALTHY"
        .instances(now) -> list[Instance]                             # registered, API view
        .discover_instances(now, rng, health_status="HEALTHY", max_results=100) -> list[dict]
    HostedZone(name="local", record_propagation_s=60.0, negative_ttl_s=900.0)
        .add_service(service)                       # serve service.dns_name; sets its delay
        .set_static(name, ips, now, ttl_s=60.0, immediate=False) -> float  # e.g. the ALB name
        .answer(name, now, rng, record_type="A") -> DnsAnswer
        .current_ips(name, now) -> tuple[str, ...]  # every record Route 53 serves now (truth)
    DnsAnswer(name, record_type, records, ttl_s, cause)  .ips -> tuple[str, ...]
    DnsRecord(ip, port, instance_id)
    ResolverCache(zone, scope="vpc")                # the VPC resolver's cache (one per AZ here)
        .answer(name, now, rng, record_type="A") -> DnsAnswer   # ttl_s: what is left of the TTL
        .prewarm(name, phase, rng, record_type="A") # the entry a running system holds at 0 s
        .prerun(name, record_type="A") -> DnsAnswer | None     # that entry, TTL left at 0 s
        .last_hit                                   # whether the last answer came from the cache
        .entries(now) -> dict[name, dict]
    prewarmed_resolvers(zone, names, scopes, seed, record_type="A") -> {scope: ResolverCache}
    DnsCache(policy="ttl", fixed_ttl_s=None)        # policies: ttl, jvm_30s, forever, fixed
        .lookup(name, now, zone, rng, record_type="A") -> DnsLookup(answer, cause, expires_at)
        .prime(answer, phase, record_type="A")      # an entry the client fetched before 0 s
        .resolve(name, now, zone, rng) -> (ips, cause)   # cause dns_cache_hit / dns_cache_miss
        .entries(now) -> dict[name, dict]           # JSON-ready, for snapshots
        .flush()

Answer causes: multivalue_answer, multivalue_all_unhealthy, weighted_answer,
weighted_all_unhealthy, simple_answer, dns_nxdomain. Assumptions (to list in a scenario's
``assumptions``): record propagation uses the 60 s upper bound of "within ~60 s"; the JVM caches
a failed lookup for 10 s (``networkaddress.cache.negative.ttl``).

The chain is client cache -> VPC resolver cache -> Route 53. The resolver honours the record TTL
(negative answers: the zone's negative TTL) and hands out what is left of it, so a client that
honours the TTL drops its copy when the resolver does: after a record change reaches Route 53, a
client keeps the old answer at most one TTL longer (propagation + TTL after the change), never
two. A client policy that ignores the TTL adds its own hold on top (JVM: + 30 s; Envoy's logical
DNS: + its refresh interval). UNCONFIRMED: where the resolver's caches live (the callers of this
module keep one per AZ) and that it hands out cached records in the order it received them.
Sources: aws-semantics.md section 3 (CM-API, CM-SV, R53-MV, R53-ELB, ECS-SD, AMR-151, JVM).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

DEFAULT_NAMESPACE = "local"
DEFAULT_HEALTH_PROPAGATION_S = 30.0
DEFAULT_RECORD_PROPAGATION_S = 60.0
DEFAULT_DNS_TTL_S = 300.0
DEFAULT_NEGATIVE_TTL_S = 900.0
DEFAULT_ALB_DNS_TTL_S = 60.0
DEFAULT_DISCOVER_MAX_RESULTS = 100
MAX_DISCOVER_RESULTS = 1000
MAX_INSTANCES_PER_SERVICE = 1000
MULTIVALUE_MAX_RECORDS = 8
JVM_POSITIVE_TTL_S = 30.0
JVM_NEGATIVE_TTL_S = 10.0

HEALTHY = "HEALTHY"
UNHEALTHY = "UNHEALTHY"
HEALTH_FILTERS = (HEALTHY, UNHEALTHY, "ALL", "HEALTHY_OR_ELSE_ALL")
ROUTING_MULTIVALUE = "MULTIVALUE"
ROUTING_WEIGHTED = "WEIGHTED"
ROUTING_POLICIES = (ROUTING_MULTIVALUE, ROUTING_WEIGHTED)
RECORD_A = "A"
RECORD_SRV = "SRV"
RECORD_TYPES = (RECORD_A, RECORD_SRV)
NETWORK_MODES = ("awsvpc", "bridge", "host")
CACHE_TTL = "ttl"
CACHE_JVM_30S = "jvm_30s"
CACHE_FOREVER = "forever"
CACHE_FIXED = "fixed"
CACHE_POLICIES = (CACHE_TTL, CACHE_JVM_30S, CACHE_FOREVER, CACHE_FIXED)

CAUSE_MULTIVALUE = "multivalue_answer"
CAUSE_MULTIVALUE_ALL_UNHEALTHY = "multivalue_all_unhealthy"
CAUSE_WEIGHTED = "weighted_answer"
CAUSE_WEIGHTED_ALL_UNHEALTHY = "weighted_all_unhealthy"
CAUSE_SIMPLE = "simple_answer"
CAUSE_NXDOMAIN = "dns_nxdomain"
CAUSE_CACHE_HIT = "dns_cache_hit"
CAUSE_CACHE_MISS = "dns_cache_miss"


# --- Cloud Map -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Instance:
    """One registered task: address, attributes and its custom health history."""

    instance_id: str
    ip: str
    port: int | None
    az: str | None
    attributes: dict[str, str]
    registered_at: float
    visible_at: float
    deregistered_at: float | None = None
    hidden_at: float | None = None
    # (effective time, status), in the order the changes were made; the first entry is the
    # initial status, effective at once.
    health_changes: list[tuple[float, str]] = field(default_factory=list)

    def health(self, now: float) -> str:
        status = HEALTHY
        for effective_at, new_status in self.health_changes:
            if effective_at <= now:
                status = new_status
        return status

    def in_dns(self, now: float) -> bool:
        return self.visible_at <= now and (self.hidden_at is None or now < self.hidden_at)


class CloudMapService:
    """A Cloud Map service with a custom health check (HealthCheckCustomConfig)."""

    def __init__(
        self,
        name: str,
        namespace: str = DEFAULT_NAMESPACE,
        routing_policy: str = ROUTING_MULTIVALUE,
        record_types: Iterable[str] = (RECORD_A,),
        ttl_s: float = DEFAULT_DNS_TTL_S,
        network_mode: str = "awsvpc",
        custom_health: bool = True,
        health_propagation_s: float = DEFAULT_HEALTH_PROPAGATION_S,
        record_propagation_s: float = DEFAULT_RECORD_PROPAGATION_S,
    ) -> None:
        types = tuple(record_types)
        if routing_policy not in ROUTING_POLICIES:
            raise ValueError(f"routing_policy: must be one of {', '.join(ROUTING_POLICIES)}")
        if not types or any(kind not in RECORD_TYPES for kind in types):
            raise ValueError(f"record_types: must be some of {', '.join(RECORD_TYPES)}")
        if network_mode not in NETWORK_MODES:
            raise ValueError(f"network_mode: must be one of {', '.join(NETWORK_MODES)}")
        if network_mode != "awsvpc" and RECORD_A in types:
            raise ValueError("record_types: bridge and host network modes support only SRV records")
        if ttl_s < 0:
            raise ValueError("ttl_s: must be zero or more")
        if health_propagation_s < 0:
            raise ValueError("health_propagation_s: must be zero or more")
        if record_propagation_s < 0:
            raise ValueError("record_propagation_s: must be zero or more")
        self.name = name
        self.namespace = namespace
        self.routing_policy = routing_policy
        self.record_types = types
        self.ttl_s = ttl_s
        self.network_mode = network_mode
        self.custom_health = custom_health
        self.health_propagation_s = health_propagation_s
        self.record_propagation_s = record_propagation_s
        self._instances: dict[str, Instance] = {}

    @property
    def dns_name(self) -> str:
        return f"{self.name}.{self.namespace}"

    def register(
        self,
        instance_id: str,
        ip: str,
        now: float,
        *,
        port: int | None = None,
        az: str | None = None,
        attributes: Mapping[str, str] | None = None,
        init_health_status: str | None = None,
        immediate: bool = False,
    ) -> float:
        """Register (or re-register) an instance; returns when Route 53 starts serving it.

        ``immediate`` is for the initial state of a system already running when the
        simulation starts. A new instance is HEALTHY unless ``init_health_status`` is UNHEALTHY.
        """
        current = self._instances.get(instance_id)
        live = sum(1 for i in self._instances.values() if i.deregistered_at is None)
        if (current is None or current.deregistered_at is not None) and (
            live >= MAX_INSTANCES_PER_SERVICE
        ):
            raise ValueError(
                f"instance_id: service {self.name!r} already has "
                f"{MAX_INSTANCES_PER_SERVICE} instances"
            )
        if init_health_status not in (None, HEALTHY, UNHEALTHY):
            raise ValueError("init_health_status: must be HEALTHY or UNHEALTHY")
        visible_at = now if immediate else now + self.record_propagation_s
        initial = init_health_status if self.custom_health and init_health_status else HEALTHY
        self._instances[instance_id] = Instance(
            instance_id=instance_id,
            ip=ip,
            port=port,
            az=az,
            attributes=self._attributes(ip, port, az, attributes, init_health_status),
            registered_at=now,
            visible_at=visible_at,
            health_changes=[(now, initial)],
        )
        return visible_at

    def _attributes(
        self,
        ip: str,
        port: int | None,
        az: str | None,
        extra: Mapping[str, str] | None,
        init_health_status: str | None,
    ) -> dict[str, str]:
        attributes = {"AWS_INSTANCE_IPV4": ip, "ECS_SERVICE_NAME": self.name}
        if port is not None:
            attributes["AWS_INSTANCE_PORT"] = str(port)
        if az is not None:
            attributes["AVAILABILITY_ZONE"] = az
        if init_health_status is not None:
            attributes["AWS_INIT_HEALTH_STATUS"] = init_health_status
        attributes.update(extra or {})
        return attributes

    def deregister(self, instance_id: str, now: float) -> float | None:
        """Deregister; returns when Route 53 stops serving it (None if it was not registered)."""
        instance = self._instances.get(instance_id)
        if instance is None or instance.deregistered_at is not None:
            return None
        instance.deregistered_at = now
        # A record that never became visible disappears with its deregistration.
        instance.hidden_at = max(now + self.record_propagation_s, instance.visible_at)
        return instance.hidden_at

    def set_custom_health(self, instance_id: str, status: str, now: float) -> float:
        """UpdateInstanceCustomHealthStatus; returns when the new status takes effect.

        FailureThreshold is always 1, so one call is enough, and it applies
        ``health_propagation_s`` (30 s) later. Repeating the status that is already on its way
        changes nothing: a change asked at 10 s and repeated at 25 s still applies at 40 s.
        """
        if status not in (HEALTHY, UNHEALTHY):
            raise ValueError("status: must be HEALTHY or UNHEALTHY")
        if not self.custom_health:
            raise ValueError(f"instance_id: service {self.name!r} has no custom health check")
        instance = self._live(instance_id)
        last_effective_at, last_status = instance.health_changes[-1]
        if last_status == status:
            return last_effective_at
        effective_at = now + self.health_propagation_s
        instance.health_changes.append((effective_at, status))
        return effective_at

    def _live(self, instance_id: str) -> Instance:
        instance = self._instances.get(instance_id)
        if instance is None or instance.deregistered_at is not None:
            raise ValueError(f"instance_id: no instance {instance_id!r} in service {self.name!r}")
        return instance

    def health(self, instance_id: str, now: float) -> str:
        instance = self._instances.get(instance_id)
        if instance is None:
            raise ValueError(f"instance_id: no instance {instance_id!r} in service {self.name!r}")
        return instance.health(now) if self.custom_health else HEALTHY

    def instances(self, now: float) -> list[Instance]:
        """Registered instances as the Cloud Map API sees them (no DNS propagation delay)."""
        del now  # the API view has no delay; kept so every query names its time
        return [i for i in self._instances.values() if i.deregistered_at is None]

    def dns_instances(self, now: float) -> list[Instance]:
        """Instances whose records Route 53 serves at ``now``."""
        return [i for i in self._instances.values() if i.in_dns(now)]

    def discover_instances(
        self,
        now: float,
        rng: random.Random,
        health_status: str = HEALTHY,
        max_results: int = DEFAULT_DISCOVER_MAX_RESULTS,
    ) -> list[dict[str, Any]]:
        """DiscoverInstances: a randomized list of at most ``max_results`` instances.

        HEALTHY_OR_ELSE_ALL fails open to every instance when none is healthy; a service without
        a health check ignores the filter.
        """
        if health_status not in HEALTH_FILTERS:
            raise ValueError(f"health_status: must be one of {', '.join(HEALTH_FILTERS)}")
        if not 1 <= max_results <= MAX_DISCOVER_RESULTS:
            raise ValueError(f"max_results: must be between 1 and {MAX_DISCOVER_RESULTS}")
        everyone = self.instances(now)
        chosen = everyone
        if self.custom_health and health_status != "ALL":
            wanted = UNHEALTHY if health_status == UNHEALTHY else HEALTHY
            chosen = [i for i in everyone if i.health(now) == wanted]
            if not chosen and health_status == "HEALTHY_OR_ELSE_ALL":
                chosen = everyone
        picked = rng.sample(chosen, min(len(chosen), max_results))
        return [
            {
                "instance_id": i.instance_id,
                "health_status": self.health(i.instance_id, now),
                "attributes": dict(i.attributes),
            }
            for i in picked
        ]


# --- Route 53 ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DnsRecord:
    ip: str
    port: int | None = None
    instance_id: str | None = None


@dataclass(frozen=True, slots=True)
class DnsAnswer:
    name: str
    record_type: str
    records: tuple[DnsRecord, ...]
    ttl_s: float
    cause: str

    @property
    def ips(self) -> tuple[str, ...]:
        return tuple(record.ip for record in self.records)


@dataclass(slots=True)
class _StaticName:
    ttl_s: float
    # (visible at, ips), in the order the changes were made.
    versions: list[tuple[float, tuple[str, ...]]]

    def ips(self, now: float) -> tuple[str, ...]:
        current: tuple[str, ...] = ()
        for visible_at, ips in self.versions:
            if visible_at <= now:
                current = ips
        return current


class HostedZone:
    """A Route 53 private hosted zone as resolvers in the VPC see it."""

    def __init__(
        self,
        name: str = DEFAULT_NAMESPACE,
        record_propagation_s: float = DEFAULT_RECORD_PROPAGATION_S,
        negative_ttl_s: float = DEFAULT_NEGATIVE_TTL_S,
    ) -> None:
        self.name = name
        self.record_propagation_s = record_propagation_s
        self.negative_ttl_s = negative_ttl_s
        self._services: dict[str, CloudMapService] = {}
        self._static: dict[str, _StaticName] = {}

    def add_service(self, service: CloudMapService) -> None:
        """Serve ``service.dns_name``; the zone's propagation delay becomes the service's."""
        service.record_propagation_s = self.record_propagation_s
        self._services[service.dns_name] = service

    def set_static(
        self,
        name: str,
        ips: Iterable[str],
        now: float,
        ttl_s: float = DEFAULT_ALB_DNS_TTL_S,
        immediate: bool = False,
    ) -> float:
        """Publish a plain A record set (e.g. an ALB's node IPs); returns when it is served."""
        visible_at = now if immediate else now + self.record_propagation_s
        entry = self._static.get(name)
        if entry is None:
            entry = self._static[name] = _StaticName(ttl_s, [])
        entry.ttl_s = ttl_s
        entry.versions.append((visible_at, tuple(ips)))
        return visible_at

    def current_ips(self, name: str, now: float) -> tuple[str, ...]:
        """Every address Route 53 serves for ``name`` at ``now``, healthy or not."""
        service = self._services.get(name)
        if service is not None:
            return tuple(i.ip for i in service.dns_instances(now))
        static = self._static.get(name)
        return static.ips(now) if static is not None else ()

    def answer(
        self, name: str, now: float, rng: random.Random, record_type: str = RECORD_A
    ) -> DnsAnswer:
        """What a resolver gets for ``name`` at ``now`` (a missing type reads as NXDOMAIN)."""
        service = self._services.get(name)
        if service is not None:
            return self._service_answer(service, name, now, rng, record_type)
        static = self._static.get(name)
        ips = static.ips(now) if static is not None and record_type == RECORD_A else ()
        if static is None or not ips:
            return self._nxdomain(name, record_type)
        records = tuple(DnsRecord(ip) for ip in _up_to(list(ips), MULTIVALUE_MAX_RECORDS, rng))
        return DnsAnswer(name, record_type, records, static.ttl_s, CAUSE_SIMPLE)

    def _nxdomain(self, name: str, record_type: str) -> DnsAnswer:
        return DnsAnswer(name, record_type, (), self.negative_ttl_s, CAUSE_NXDOMAIN)

    def _service_answer(
        self,
        service: CloudMapService,
        name: str,
        now: float,
        rng: random.Random,
        record_type: str,
    ) -> DnsAnswer:
        served = service.dns_instances(now)
        if not served or record_type not in service.record_types:
            return self._nxdomain(name, record_type)
        healthy = [i for i in served if service.health(i.instance_id, now) == HEALTHY]
        if service.routing_policy == ROUTING_MULTIVALUE:
            # Up to 8 healthy records; with none healthy, up to 8 unhealthy ones.
            pool, cause = (
                (healthy, CAUSE_MULTIVALUE) if healthy else (served, CAUSE_MULTIVALUE_ALL_UNHEALTHY)
            )
            chosen = _up_to(pool, MULTIVALUE_MAX_RECORDS, rng)
        else:
            # One random record; with none healthy, Route 53 treats them all as healthy.
            pool, cause = (
                (healthy, CAUSE_WEIGHTED) if healthy else (served, CAUSE_WEIGHTED_ALL_UNHEALTHY)
            )
            chosen = [pool[int(rng.random() * len(pool))]]
        with_port = record_type == RECORD_SRV
        records = tuple(
            DnsRecord(i.ip, i.port if with_port else None, i.instance_id) for i in chosen
        )
        return DnsAnswer(name, record_type, records, service.ttl_s, cause)


def _up_to(items: list[Any], limit: int, rng: random.Random) -> list[Any]:
    """At most ``limit`` items in random order (all of them when there are few enough)."""
    return rng.sample(items, min(len(items), limit))


# --- the VPC resolver ----------------------------------------------------------------------------


class Answers(Protocol):
    """What a client cache asks on a miss: a resolver cache or the zone itself."""

    def answer(
        self, name: str, now: float, rng: random.Random, record_type: str = RECORD_A
    ) -> DnsAnswer: ...


class ResolverCache:
    """One cache of the Route 53 VPC resolver (AmazonProvidedDNS, VPC+2 or 169.254.169.253).

    It keeps Route 53's answer until the record TTL runs out and hands out what is left of the TTL,
    so every client behind it that honours the TTL drops the answer at the same moment it does.
    ``prewarm`` gives a run that starts with a system already up the entry such a resolver holds at
    0 s: fetched ``phase`` (0 to 1) of a TTL before 0 s, from the zone as it is at 0 s.

    Worked example (TTL 100 s, propagation 60 s): a record deleted at 10 s leaves Route 53 at 70 s.
    A resolver that fetched it at 69.5 s keeps it to 169.5 s; a TTL-honouring client asking at 169 s
    gets 0.5 s and drops it at 169.5 s, within 70 + 100 (not 70 + 2 x 100); a JVM client asking at
    169 s keeps it 30 s, to 199 s.
    """

    def __init__(self, zone: HostedZone, scope: str = "vpc") -> None:
        self.zone = zone
        self.scope = scope
        self.last_hit = False
        # (name, record type) -> (answer as Route 53 gave it, expires at)
        self._entries: dict[tuple[str, str], tuple[DnsAnswer, float]] = {}
        self._prerun: dict[tuple[str, str], DnsAnswer] = {}

    def prewarm(
        self, name: str, phase: float, rng: random.Random, record_type: str = RECORD_A
    ) -> None:
        answer = self.zone.answer(name, 0.0, rng, record_type)
        expires_at = answer.ttl_s * (1.0 - phase)
        if expires_at <= 0.0 or not answer.records:
            return  # a name with no record at 0 s (e.g. a service added later) starts uncached
        key = (name, record_type)
        self._entries[key] = (answer, expires_at)
        self._prerun[key] = _with_ttl(answer, expires_at)

    def prerun(self, name: str, record_type: str = RECORD_A) -> DnsAnswer | None:
        """The entry held at 0 s (its TTL is what was left of it at 0 s), if there was one."""
        return self._prerun.get((name, record_type))

    def answer(
        self, name: str, now: float, rng: random.Random, record_type: str = RECORD_A
    ) -> DnsAnswer:
        key = (name, record_type)
        cached = self._entries.get(key)
        if cached is not None and now < cached[1]:
            self.last_hit = True
            return _with_ttl(cached[0], cached[1] - now)
        self.last_hit = False
        answer = self.zone.answer(name, now, rng, record_type)
        self._entries[key] = (answer, now + answer.ttl_s)
        return answer

    def entries(self, now: float) -> dict[str, dict[str, Any]]:
        """Live entries, JSON-ready."""
        result: dict[str, dict[str, Any]] = {}
        for (name, record_type), (answer, expires_at) in sorted(self._entries.items()):
            if now >= expires_at:
                continue
            key = name if record_type == RECORD_A else f"{name} {record_type}"
            result[key] = {
                "ips": list(answer.ips),
                "expires_at": expires_at,
                "answer": answer.cause,
            }
        return result


def prewarmed_resolvers(
    zone: HostedZone,
    names: Iterable[str],
    scopes: Iterable[str],
    seed: int,
    record_type: str = RECORD_A,
) -> dict[str, ResolverCache]:
    """One resolver cache per scope (AZ), each holding every name (as ``record_type``) at a
    seeded age at 0 s."""
    wanted = list(dict.fromkeys(names))
    resolvers: dict[str, ResolverCache] = {}
    for scope in scopes:
        resolver = resolvers[scope] = ResolverCache(zone, scope)
        for name in wanted:
            rng = random.Random(f"kumoben-dns-resolver:{seed}:{scope}:{name}")
            resolver.prewarm(name, rng.random(), rng, record_type)
    return resolvers


def _with_ttl(answer: DnsAnswer, ttl_s: float) -> DnsAnswer:
    return DnsAnswer(answer.name, answer.record_type, answer.records, ttl_s, answer.cause)


# --- client DNS caches ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DnsLookup:
    answer: DnsAnswer
    cause: str
    expires_at: float

    @property
    def ips(self) -> tuple[str, ...]:
        return self.answer.ips


class DnsCache:
    """One client's resolver cache (the OS or the language runtime).

    ``ttl`` keeps an answer for its record TTL; ``jvm_30s`` keeps a successful answer 30 s and a
    failed one 10 s, whatever the TTL (the JVM without a security manager); ``forever`` never
    drops a successful answer (the JVM with one); ``fixed`` keeps every answer ``fixed_ttl_s``,
    e.g. 5 s for Envoy's logical DNS refresh, which ignores the TTL.
    """

    def __init__(self, policy: str = CACHE_TTL, fixed_ttl_s: float | None = None) -> None:
        if policy not in CACHE_POLICIES:
            raise ValueError(f"policy: must be one of {', '.join(CACHE_POLICIES)}")
        if policy == CACHE_FIXED and (fixed_ttl_s is None or fixed_ttl_s < 0):
            raise ValueError("fixed_ttl_s: the fixed policy needs a hold time of zero or more")
        self.policy = policy
        self.fixed_ttl_s = fixed_ttl_s
        self._entries: dict[tuple[str, str], DnsLookup] = {}

    def _hold_s(self, answer: DnsAnswer) -> float:
        negative = not answer.records
        if self.policy == CACHE_TTL:
            return answer.ttl_s
        if self.policy == CACHE_FIXED:
            return self.fixed_ttl_s or 0.0
        if negative:
            return JVM_NEGATIVE_TTL_S
        return JVM_POSITIVE_TTL_S if self.policy == CACHE_JVM_30S else math.inf

    def prime(self, answer: DnsAnswer, phase: float, record_type: str = RECORD_A) -> None:
        """Hold ``answer`` as a client that fetched it before 0 s: ``phase`` (0 to 1) of its hold
        time has passed at 0 s. Under ``ttl`` the answer's TTL is what the resolver had left at
        0 s, so the entry expires with the resolver's whatever the phase."""
        hold = self._hold_s(answer)
        if self.policy == CACHE_TTL:
            expires_at = hold
        elif math.isinf(hold):
            expires_at = math.inf
        else:
            expires_at = hold * (1.0 - phase)
        self._entries[(answer.name, record_type)] = DnsLookup(answer, CAUSE_CACHE_MISS, expires_at)

    def lookup(
        self,
        name: str,
        now: float,
        zone: Answers,
        rng: random.Random,
        record_type: str = RECORD_A,
    ) -> DnsLookup:
        """Answer from the cache while the entry lives, else ask the resolver (or the zone) and
        keep its answer."""
        key = (name, record_type)
        cached = self._entries.get(key)
        if cached is not None and now < cached.expires_at:
            return DnsLookup(cached.answer, CAUSE_CACHE_HIT, cached.expires_at)
        answer = zone.answer(name, now, rng, record_type)
        fresh = DnsLookup(answer, CAUSE_CACHE_MISS, now + self._hold_s(answer))
        self._entries[key] = fresh
        return fresh

    def resolve(
        self, name: str, now: float, zone: Answers, rng: random.Random
    ) -> tuple[tuple[str, ...], str]:
        """A-record lookup reduced to (ips, cause); cause is dns_cache_hit or dns_cache_miss."""
        found = self.lookup(name, now, zone, rng)
        return found.ips, found.cause

    def entries(self, now: float) -> dict[str, dict[str, Any]]:
        """Live entries, JSON-ready (``expires_at`` None means never)."""
        result: dict[str, dict[str, Any]] = {}
        for (name, record_type), found in sorted(self._entries.items()):
            if now >= found.expires_at:
                continue
            key = name if record_type == RECORD_A else f"{name} {record_type}"
            result[key] = {
                "ips": list(found.ips),
                "expires_at": None if math.isinf(found.expires_at) else found.expires_at,
                "answer": found.answer.cause,
            }
        return result

    def flush(self) -> None:
        self._entries.clear()
