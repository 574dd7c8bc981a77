"""DNS caching as it happens: the VPC resolver's cache, each caller's own cache phase, the bound.

Chain: caller cache -> VPC resolver cache (one per AZ) -> Route 53. The resolver honours the TTL
and hands out what is left of it, so a caller that honours the TTL drops a removed record at most
one TTL after the removal reaches Route 53 (propagation + TTL after the change), never 2 x TTL;
the JVM's 30 s hold comes on top. A run starts with a system already up: caches hold answers of
seeded ages, so they do not all expire together.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from patterns.sim import Simulation, run
from patterns.sim.discovery import CloudMapService, DnsCache, HostedZone, ResolverCache

pytestmark = pytest.mark.unit

SD = "service-discovery"
DEAD_IP = "10.0.16.14"  # inventory-2, in ap-northeast-1c
ALB_NODE_1A = "10.0.15.10"


def _kill_inventory_2(ttl_s: float) -> dict[str, Any]:
    """The sample system (3 contract tasks, one per AZ, call inventory), inventory-2 killed at 60 s."""
    return {
        "seed": 1,
        "duration_s": 600,
        "settings": {
            "cloud_map": {"dns_ttl_s": ttl_s},
            "trace": {"request_sample_every": 1},
        },
        "actions": [{"at_s": 60, "do": "kill_task", "task": "inventory-2"}],
    }


def _last_stale_requests(result: dict[str, Any]) -> dict[str, float]:
    """Per caller, the last request it sent to the killed task's IP."""
    last: dict[str, float] = {}
    for e in result["events"]:
        if e["cause"] == "client_ip_pick" and e["ip"] == DEAD_IP and e["t"] > 60.0:
            last[e["source"]] = e["t"]
    return dict(sorted(last.items()))


def _removed_from_route53(result: dict[str, Any]) -> float:
    return next(
        e["t"]
        for e in result["events"]
        if e["cause"] == "dns_propagated" and e["ip"] == DEAD_IP and e["change"] == "removed"
    )


@pytest.mark.parametrize(
    ("ttl_s", "lasts"),
    [
        (180.0, {"contract-1": 269.865831, "contract-2": 124.648571, "contract-3": 204.235766}),
        (300.0, {"contract-1": 150.788123, "contract-2": 207.644744, "contract-3": 341.590874}),
    ],
)
def test_each_caller_stops_using_a_removed_ip_on_its_own_phase_within_propagation_plus_ttl(
    ttl_s: float, lasts: dict[str, float]
) -> None:
    result = run(_kill_inventory_2(ttl_s), pattern=SD)

    gone = _removed_from_route53(result)
    stale = _last_stale_requests(result)

    # Deregistered 5 s after the kill, gone from Route 53 60 s later.
    assert gone == 125.0
    assert stale == lasts
    # The stale window ends on the last caller's phase, before propagation + TTL; the old model
    # (every cache filled at 0 s) ended it at the first expiry after 125 s: 180 s for both TTLs.
    assert max(stale.values()) <= gone + ttl_s
    assert len(set(stale.values())) == 3


def test_the_stale_window_grows_with_the_ttl() -> None:
    ends = [
        max(_last_stale_requests(run(_kill_inventory_2(t), pattern=SD)).values())
        for t in (60, 180, 300)
    ]

    assert ends == [161.013231, 269.865831, 341.590874]


def test_a_caller_behind_a_resolver_gets_what_is_left_of_the_ttl() -> None:
    result = run(_kill_inventory_2(180.0), pattern=SD)

    misses = [
        (e["t"], e["source"], e["ttl_s"], e["resolver"])
        for e in result["events"]
        if e["cause"] == "dns_cache_miss" and e["record"] == "inventory.local" and e["t"] < 130
    ]

    # contract-1 (1a) refetches when its AZ's entry runs out at 90.50 and sets a new one; the 1c
    # resolver's pre-run entry runs out at 124.68 and its refetch at 125.115 misses the dead IP.
    assert misses == [
        (25.029739, "contract-3", 180.0, "route53"),
        (90.642408, "contract-1", 180.0, "route53"),
        (125.115387, "contract-2", 180.0, "route53"),
    ]


def test_a_running_system_starts_with_caches_of_seeded_ages() -> None:
    sim = Simulation(_kill_inventory_2(180.0), pattern=SD)
    sim.advance(1.0)
    snap = sim.snapshot()

    resolvers = {
        az: round(entries["inventory.local"]["expires_at"], 6)
        for az, entries in snap["resolver_caches"].items()
    }
    callers = {
        caller: round(entries["inventory.local"]["expires_at"], 6)
        for caller, entries in snap["dns_caches"].items()
        if "inventory.local" in entries
    }

    assert resolvers == {
        "ap-northeast-1a": 90.501825,
        "ap-northeast-1c": 124.676617,
        "ap-northeast-1d": 25.012066,
    }
    # A caller that honours the TTL expires with its AZ's resolver (one contract task per AZ).
    assert callers == {"contract-1": 90.501825, "contract-2": 124.676617, "contract-3": 25.012066}


def test_jvm_callers_expire_on_their_own_phase_behind_one_resolver() -> None:
    scenario = {
        "seed": 1,
        "duration_s": 60,
        "services": [
            {"name": "web", "tasks": 3, "azs": ["ap-northeast-1a"]},
            {"name": "api", "tasks": 2},
        ],
        "traffic": [{"from": "web", "to": "api", "rps": 30}],
        "settings": {"client": {"dns_cache": "jvm_30s"}},
    }
    sim = Simulation(scenario, pattern=SD)
    sim.advance(1.0)
    caches = sim.snapshot()["dns_caches"]

    expiries = {
        caller: round(entries["api.local"]["expires_at"], 6) for caller, entries in caches.items()
    }

    # Three callers in one AZ, one resolver, three phases: web-1's entry from before 0 s ran out
    # at once and it refetched at its first request (0.745671).
    assert expiries == {"web-1": 30.745671, "web-2": 5.057009, "web-3": 2.41745}


def _zone_with_one_record() -> tuple[HostedZone, CloudMapService]:
    zone = HostedZone(record_propagation_s=60.0)
    service = CloudMapService("api", ttl_s=100.0)
    zone.add_service(service)
    service.register("api-1", "10.0.0.1", 0.0, immediate=True)
    service.register("api-2", "10.0.0.2", 0.0, immediate=True)
    return zone, service


def test_resolver_and_client_caches_do_not_stack_two_ttls() -> None:
    zone, service = _zone_with_one_record()
    resolver = ResolverCache(zone, "ap-northeast-1a")
    rng = random.Random(0)
    assert service.deregister("api-1", 10.0) == 70.0  # gone from Route 53 at 70

    assert "10.0.0.1" in resolver.answer("api.local", 69.5, rng).ips  # cached until 169.5
    honours_ttl = DnsCache("ttl").lookup("api.local", 169.0, resolver, rng)
    jvm = DnsCache("jvm_30s").lookup("api.local", 169.0, resolver, rng)
    after = DnsCache("ttl").lookup("api.local", 169.5, resolver, rng)

    # The resolver hands out 0.5 s: the TTL caller drops the IP at 169.5 <= 70 + 100, not 269.
    assert (honours_ttl.answer.ttl_s, honours_ttl.expires_at) == (pytest.approx(0.5), 169.5)
    assert jvm.expires_at == 199.0  # the JVM holds 30 s whatever is left: 70 + 100 + 30 at most
    assert after.ips == ("10.0.0.2",)
    assert not resolver.last_hit


def test_a_prewarmed_resolver_entry_is_as_old_as_its_phase() -> None:
    zone, _ = _zone_with_one_record()
    resolver = ResolverCache(zone)
    resolver.prewarm("api.local", 0.25, random.Random(0))

    before = resolver.prerun("api.local")
    cache = DnsCache("jvm_30s")
    assert before is not None
    cache.prime(before, 0.5)

    assert before.ttl_s == 75.0
    assert resolver.answer("api.local", 74.0, random.Random(0)).ttl_s == pytest.approx(1.0)
    assert resolver.last_hit
    assert cache.lookup("api.local", 14.0, resolver, random.Random(0)).expires_at == 15.0


def test_alb_callers_keep_a_node_removed_from_dns_until_their_own_entry_runs_out() -> None:
    scenario = {
        "seed": 1,
        "duration_s": 300,
        "actions": [{"at_s": 100, "do": "az_outage", "az": "ap-northeast-1a"}],
    }
    sim = Simulation(scenario, pattern="elb")
    sim.advance(101.0)
    caches = sim.snapshot()["dns_caches"]

    holding = {c: e["expires_t"] for c, e in caches.items() if ALB_NODE_1A in e["ips"]}

    # Each AZ's resolver has its own phase; the ALB TTL is 60 s, so all end before 160 s.
    assert holding == {
        "contract-1": 122.86855,
        "contract-2": 145.940559,
        "contract-3": 123.747193,
        "user-1": 122.86855,
        "user-2": 145.940559,
        "user-3": 123.747193,
    }


@pytest.mark.parametrize(
    ("policy", "timeouts", "last_end"),
    [
        # Sent at 145.9 s at the latest: within the outage + the ALB's 60 s TTL.
        ("ttl", 376, 155.907709),
        # The JVM may take a copy the resolver is about to drop and keep it 30 s: sent by 167.1 s.
        ("jvm_30s", 524, 177.082616),
        # Never re-resolved: the failed AZ's node is tried until the run ends.
        ("forever", 1462, 299.972761),
    ],
)
def test_alb_callers_honour_their_dns_cache_policy_after_an_az_leaves_dns(
    policy: str, timeouts: int, last_end: float
) -> None:
    scenario = {
        "seed": 1,
        "duration_s": 300,
        "settings": {"client": {"dns_cache": policy}, "trace": {"request_sample_every": 1}},
        "actions": [{"at_s": 100, "do": "az_outage", "az": "ap-northeast-1a"}],
    }

    result = run(scenario, pattern="elb")

    ends = [
        e["t"]
        for e in result["events"]
        if e["kind"] == "request_end" and e.get("reason") == "connect_timeout"
    ]
    # Each such request waited the client's 10 s connect timeout for the node that is gone.
    assert (len(ends), ends[-1]) == (timeouts, last_end)
