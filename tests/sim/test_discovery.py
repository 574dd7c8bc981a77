"""Cloud Map, the Route 53 private hosted zone and client DNS caches (facts 13-19)."""

from __future__ import annotations

import random

import pytest

from patterns.sim.discovery import (
    DEFAULT_HEALTH_PROPAGATION_S,
    DEFAULT_RECORD_PROPAGATION_S,
    CloudMapService,
    DnsAnswer,
    DnsCache,
    DnsRecord,
    HostedZone,
)

pytestmark = pytest.mark.unit

NAME = "inventory.local"


def _service_zone(
    tasks: int = 3,
    routing_policy: str = "MULTIVALUE",
    ttl_s: float = 60.0,
    record_types: tuple[str, ...] = ("A",),
) -> tuple[CloudMapService, HostedZone]:
    service = CloudMapService(
        "inventory", routing_policy=routing_policy, ttl_s=ttl_s, record_types=record_types
    )
    zone = HostedZone()
    zone.add_service(service)
    for n in range(1, tasks + 1):
        service.register(f"inventory-{n}", f"10.0.1.{n}", 0.0, port=8080, immediate=True)
    return service, zone


def _mark_all_unhealthy(service: CloudMapService, tasks: int) -> None:
    for n in range(1, tasks + 1):
        service.set_custom_health(f"inventory-{n}", "UNHEALTHY", 0.0)


# --- facts 13 and 14: MULTIVALUE and WEIGHTED answers ----------------------------------------------


def test_multivalue_with_up_to_8_healthy_returns_all_of_them() -> None:
    _, zone = _service_zone(tasks=8)

    answer = zone.answer(NAME, 1.0, random.Random(1))

    assert sorted(answer.ips) == [f"10.0.1.{n}" for n in range(1, 9)]
    assert (answer.cause, answer.ttl_s) == ("multivalue_answer", 60.0)


def test_multivalue_with_more_than_8_healthy_returns_8_distinct() -> None:
    _, zone = _service_zone(tasks=12)
    rng = random.Random(3)

    answers = [zone.answer(NAME, 1.0, rng) for _ in range(50)]

    assert {len(set(a.ips)) for a in answers} == {8}
    assert len({ip for a in answers for ip in a.ips}) == 12


def test_multivalue_leaves_out_unhealthy_records() -> None:
    service, zone = _service_zone(tasks=3)
    service.set_custom_health("inventory-2", "UNHEALTHY", 0.0)

    answer = zone.answer(NAME, 30.0, random.Random(1))

    assert sorted(answer.ips) == ["10.0.1.1", "10.0.1.3"]


def test_multivalue_all_unhealthy_returns_up_to_8_unhealthy() -> None:
    service, zone = _service_zone(tasks=10)
    _mark_all_unhealthy(service, 10)

    answer = zone.answer(NAME, 30.0, random.Random(1))

    assert (len(answer.ips), len(set(answer.ips))) == (8, 8)
    assert answer.cause == "multivalue_all_unhealthy"


def test_weighted_returns_one_random_healthy_record() -> None:
    service, zone = _service_zone(tasks=3, routing_policy="WEIGHTED")
    service.set_custom_health("inventory-1", "UNHEALTHY", 0.0)
    rng = random.Random(5)

    answers = [zone.answer(NAME, 30.0, rng) for _ in range(60)]

    assert {len(a.ips) for a in answers} == {1}
    assert sorted({a.ips[0] for a in answers}) == ["10.0.1.2", "10.0.1.3"]
    assert {a.cause for a in answers} == {"weighted_answer"}


def test_weighted_all_unhealthy_answers_as_if_all_were_healthy() -> None:
    service, zone = _service_zone(tasks=3, routing_policy="WEIGHTED")
    _mark_all_unhealthy(service, 3)
    rng = random.Random(5)

    answers = [zone.answer(NAME, 30.0, rng) for _ in range(60)]

    assert sorted({a.ips[0] for a in answers}) == ["10.0.1.1", "10.0.1.2", "10.0.1.3"]
    assert {a.cause for a in answers} == {"weighted_all_unhealthy"}


# --- fact 15 and 16: custom health ----------------------------------------------------------------


def test_custom_health_change_takes_effect_30_s_later() -> None:
    service, _ = _service_zone()

    effective_at = service.set_custom_health("inventory-2", "UNHEALTHY", 10.0)

    assert DEFAULT_HEALTH_PROPAGATION_S == 30.0
    assert effective_at == 40.0
    assert service.health("inventory-2", 39.999) == "HEALTHY"
    assert service.health("inventory-2", 40.0) == "UNHEALTHY"


def test_custom_health_repeated_call_does_not_speed_it_up_or_delay_it() -> None:
    service, _ = _service_zone()
    service.set_custom_health("inventory-2", "UNHEALTHY", 10.0)

    repeat = service.set_custom_health("inventory-2", "UNHEALTHY", 25.0)

    assert repeat == 40.0
    assert service.health("inventory-2", 39.0) == "HEALTHY"
    assert service.health("inventory-2", 40.0) == "UNHEALTHY"


def test_custom_health_flip_back_applies_in_order() -> None:
    service, _ = _service_zone()
    service.set_custom_health("inventory-2", "UNHEALTHY", 10.0)

    back = service.set_custom_health("inventory-2", "HEALTHY", 20.0)

    assert back == 50.0
    assert [service.health("inventory-2", t) for t in (39.0, 45.0, 50.0)] == [
        "HEALTHY",
        "UNHEALTHY",
        "HEALTHY",
    ]


def test_new_instance_is_healthy_unless_init_status_unhealthy() -> None:
    service, _ = _service_zone(tasks=0)

    service.register("inventory-1", "10.0.1.1", 5.0)
    service.register("inventory-2", "10.0.1.2", 5.0, init_health_status="UNHEALTHY")

    assert service.health("inventory-1", 5.0) == "HEALTHY"
    assert service.health("inventory-2", 5.0) == "UNHEALTHY"
    assert service.instances(5.0)[1].attributes["AWS_INIT_HEALTH_STATUS"] == "UNHEALTHY"


def test_registration_attributes_follow_ecs() -> None:
    service, _ = _service_zone(tasks=0)

    service.register("inventory-1", "10.0.1.1", 0.0, port=8080, az="ap-northeast-1a")

    assert service.instances(0.0)[0].attributes == {
        "AWS_INSTANCE_IPV4": "10.0.1.1",
        "ECS_SERVICE_NAME": "inventory",
        "AWS_INSTANCE_PORT": "8080",
        "AVAILABILITY_ZONE": "ap-northeast-1a",
    }


def test_set_custom_health_unknown_instance_names_the_field() -> None:
    service, _ = _service_zone()

    with pytest.raises(ValueError) as excinfo:
        service.set_custom_health("inventory-9", "UNHEALTHY", 1.0)

    assert str(excinfo.value) == "instance_id: no instance 'inventory-9' in service 'inventory'"


# --- fact 17: DiscoverInstances --------------------------------------------------------------------


def test_discover_instances_returns_at_most_100_by_default_in_random_order() -> None:
    service, _ = _service_zone(tasks=150)

    first = service.discover_instances(1.0, random.Random(1))
    second = service.discover_instances(1.0, random.Random(2))

    assert (len(first), len(second)) == (100, 100)
    assert [i["instance_id"] for i in first] != [i["instance_id"] for i in second]


def test_discover_instances_max_results_is_capped_at_1000() -> None:
    service, _ = _service_zone(tasks=1)

    with pytest.raises(ValueError) as excinfo:
        service.discover_instances(1.0, random.Random(1), max_results=1001)

    assert str(excinfo.value) == "max_results: must be between 1 and 1000"


def test_discover_instances_healthy_filter_and_healthy_or_else_all() -> None:
    service, _ = _service_zone(tasks=3)
    _mark_all_unhealthy(service, 3)
    rng = random.Random(1)

    healthy = service.discover_instances(30.0, rng, health_status="HEALTHY")
    fail_open = service.discover_instances(30.0, rng, health_status="HEALTHY_OR_ELSE_ALL")

    assert healthy == []
    assert sorted(i["instance_id"] for i in fail_open) == [
        "inventory-1",
        "inventory-2",
        "inventory-3",
    ]
    assert {i["health_status"] for i in fail_open} == {"UNHEALTHY"}


def test_discover_instances_sees_registration_without_dns_delay() -> None:
    service, _ = _service_zone(tasks=0)
    service.register("inventory-1", "10.0.1.1", 10.0)

    found = service.discover_instances(10.0, random.Random(1))

    assert [i["instance_id"] for i in found] == ["inventory-1"]


# --- fact 18: A versus SRV -------------------------------------------------------------------------


def test_bridge_network_mode_rejects_a_records() -> None:
    with pytest.raises(ValueError) as excinfo:
        CloudMapService("inventory", network_mode="bridge", record_types=("A",))

    assert str(excinfo.value) == (
        "record_types: bridge and host network modes support only SRV records"
    )


def test_srv_answer_carries_the_port_and_a_answer_does_not() -> None:
    _, zone = _service_zone(tasks=1, record_types=("A", "SRV"))

    a_answer = zone.answer(NAME, 1.0, random.Random(1), record_type="A")
    srv_answer = zone.answer(NAME, 1.0, random.Random(1), record_type="SRV")

    assert a_answer.records == (DnsRecord("10.0.1.1", None, "inventory-1"),)
    assert srv_answer.records == (DnsRecord("10.0.1.1", 8080, "inventory-1"),)


def test_srv_only_service_has_no_a_record() -> None:
    _, zone = _service_zone(tasks=1, record_types=("SRV",))

    answer = zone.answer(NAME, 1.0, random.Random(1), record_type="A")

    assert (answer.ips, answer.cause) == ((), "dns_nxdomain")


# --- fact 19: propagation and stale caches --------------------------------------------------------


def test_registered_record_is_served_after_propagation() -> None:
    service, zone = _service_zone(tasks=1)

    visible_at = service.register("inventory-2", "10.0.1.2", 100.0)

    assert DEFAULT_RECORD_PROPAGATION_S == 60.0
    assert visible_at == 160.0
    assert zone.current_ips(NAME, 159.9) == ("10.0.1.1",)
    assert zone.current_ips(NAME, 160.0) == ("10.0.1.1", "10.0.1.2")


def test_deregistered_record_is_served_until_propagation_ends() -> None:
    service, zone = _service_zone(tasks=2)

    hidden_at = service.deregister("inventory-2", 60.0)

    assert hidden_at == 120.0
    assert zone.current_ips(NAME, 119.9) == ("10.0.1.1", "10.0.1.2")
    assert zone.current_ips(NAME, 120.0) == ("10.0.1.1",)
    assert [i.instance_id for i in service.instances(60.0)] == ["inventory-1"]


def test_ttl_cache_keeps_a_stopped_tasks_ip_until_ttl_after_record_removal() -> None:
    service, zone = _service_zone(tasks=2, ttl_s=60.0)
    cache = DnsCache("ttl")
    rng = random.Random(1)
    service.deregister("inventory-2", 60.0)  # served until 120 s
    cache.resolve(NAME, 119.0, zone, rng)  # last answer still holding inventory-2

    at_178 = cache.resolve(NAME, 178.9, zone, rng)
    at_179 = cache.resolve(NAME, 179.0, zone, rng)

    assert (sorted(at_178[0]), at_178[1]) == (["10.0.1.1", "10.0.1.2"], "dns_cache_hit")
    assert at_179 == (("10.0.1.1",), "dns_cache_miss")


def test_jvm_30s_cache_ignores_a_long_ttl() -> None:
    service, zone = _service_zone(tasks=2, ttl_s=300.0)
    cache = DnsCache("jvm_30s")
    rng = random.Random(1)
    cache.resolve(NAME, 0.0, zone, rng)
    service.deregister("inventory-2", 0.0)

    hit = cache.resolve(NAME, 29.9, zone, rng)
    miss_before_propagation = cache.resolve(NAME, 30.0, zone, rng)
    miss_after = cache.resolve(NAME, 60.0, zone, rng)

    assert hit[1] == "dns_cache_hit"
    assert (sorted(miss_before_propagation[0]), miss_before_propagation[1]) == (
        ["10.0.1.1", "10.0.1.2"],
        "dns_cache_miss",
    )
    assert miss_after == (("10.0.1.1",), "dns_cache_miss")


def test_forever_cache_never_asks_again() -> None:
    service, zone = _service_zone(tasks=2, ttl_s=5.0)
    cache = DnsCache("forever")
    rng = random.Random(1)
    cache.resolve(NAME, 0.0, zone, rng)
    service.deregister("inventory-2", 0.0)

    later = cache.resolve(NAME, 86_400.0, zone, rng)

    assert (sorted(later[0]), later[1]) == (["10.0.1.1", "10.0.1.2"], "dns_cache_hit")
    assert cache.entries(86_400.0)[NAME]["expires_at"] is None


def test_fixed_cache_refreshes_on_its_own_period() -> None:
    _, zone = _service_zone(tasks=1, ttl_s=300.0)
    cache = DnsCache("fixed", fixed_ttl_s=5.0)
    rng = random.Random(1)
    cache.resolve(NAME, 0.0, zone, rng)

    causes = [cache.resolve(NAME, t, zone, rng)[1] for t in (4.9, 5.0)]

    assert causes == ["dns_cache_hit", "dns_cache_miss"]


def test_unknown_name_is_nxdomain_cached_for_the_negative_ttl() -> None:
    _, zone = _service_zone(tasks=1)
    cache = DnsCache("ttl")

    found = cache.lookup("billing.local", 0.0, zone, random.Random(1))

    assert found.answer == DnsAnswer("billing.local", "A", (), 900.0, "dns_nxdomain")
    assert found.expires_at == 900.0


def test_jvm_cache_keeps_a_failed_lookup_10_s() -> None:
    _, zone = _service_zone(tasks=1)
    cache = DnsCache("jvm_30s")

    found = cache.lookup("billing.local", 0.0, zone, random.Random(1))

    assert found.expires_at == 10.0


def test_static_alb_name_serves_node_ips_with_60_s_ttl() -> None:
    zone = HostedZone()
    zone.set_static("internal-alb.elb", ["10.0.0.10", "10.0.0.11"], 0.0, immediate=True)

    visible_at = zone.set_static("internal-alb.elb", ["10.0.0.10"], 30.0)
    before = zone.answer("internal-alb.elb", 89.0, random.Random(1))
    after = zone.answer("internal-alb.elb", 90.0, random.Random(1))

    assert visible_at == 90.0
    assert (sorted(before.ips), before.ttl_s, before.cause) == (
        ["10.0.0.10", "10.0.0.11"],
        60.0,
        "simple_answer",
    )
    assert after.ips == ("10.0.0.10",)


def test_cache_policy_unknown_names_the_field() -> None:
    with pytest.raises(ValueError) as excinfo:
        DnsCache("weekly")

    assert str(excinfo.value) == "policy: must be one of ttl, jvm_30s, forever, fixed"


def test_service_instance_limit_is_1000() -> None:
    service, _ = _service_zone(tasks=1000)

    with pytest.raises(ValueError) as excinfo:
        service.register("inventory-1001", "10.0.9.1", 0.0)

    assert str(excinfo.value) == "instance_id: service 'inventory' already has 1000 instances"


def test_cache_entries_snapshot_lists_live_entries() -> None:
    _, zone = _service_zone(tasks=1, ttl_s=60.0)
    cache = DnsCache("ttl")
    cache.resolve(NAME, 10.0, zone, random.Random(1))

    live = cache.entries(20.0)
    expired = cache.entries(70.0)

    assert live == {NAME: {"ips": ["10.0.1.1"], "expires_at": 70.0, "answer": "multivalue_answer"}}
    assert expired == {}
