"""Lab 10, choosing and configuring the pattern: graded with the guide's rules, the generated
"In AWS" configuration (the pattern, the port's appProtocol, the load balancer's Type and Scheme,
the deployment) and the engine's run of the deployment.

Learner 3: callers outside ECS in the same VPC, plain TCP, rolling updates of 4 tasks keeping 4, at
most 5 running, within 180 s. Learner 4: ECS callers in another namespace, HTTP, a canary of at
most 10 % with 80 requests to green, blue kept 1 min, all within 7 min. Learner 10: ECS callers of
one namespace whose team allows no proxy container. Learner 36: clients on the internet, HTTP.
Learner 2: another namespace, gRPC. Learner 11 and 16: one namespace, plain TCP and gRPC; learner
16's contract is also called by clients on the internet (a front variant).
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

import pytest
from django.utils import translation

from patterns.guide.decide import decide
from patterns.labs import checks as labs
from patterns.labs.lab_choose_pattern import (
    CHOOSE_PATTERN,
    answers,
    configuration,
    create_service,
    pick,
)
from tests.labs.reasoned import choose_pattern

TCP_ELB = {"pattern": "elb", "app_protocol": "tcp", "load_balancer": "network"}


def _check(learner_seed: int, **values: Any) -> labs.Verdict:
    with translation.override("en"):
        params = labs.draw_params(CHOOSE_PATTERN, learner_seed)
        return labs.check(CHOOSE_PATTERN, {**CHOOSE_PATTERN.defaults(), **values}, params)


def _params(seed: int) -> dict[str, Any]:
    with translation.override("en"):
        return labs.draw_params(CHOOSE_PATTERN, seed)


# --------------------------------------------------------------------------- the drawn space

SEEDS = range(1, 401)


def test_choose_pattern_draws_only_answers_whose_pick_kumoben_runs() -> None:
    picks = Counter(pick(_params(seed)) for seed in SEEDS)

    assert set(picks) == {"service-connect", "elb"}


def test_choose_pattern_draws_every_requirement_that_decides_the_configuration() -> None:
    drawn = [_params(seed) for seed in SEEDS]

    assert {p["callers"] for p in drawn} == {
        "same-namespace",
        "other-namespace",
        "outside-ecs",
        "internet",
    }
    assert {p["protocol"] for p in drawn} == {"http", "grpc", "tcp"}
    assert {p["no_proxy"] for p in drawn} == {True, False}
    assert {p["release"] for p in drawn} == {"rolling", "canary"}
    # Plain TCP comes with rolling updates only (test traffic is matched by an HTTP header).
    assert {p["release"] for p in drawn if p["protocol"] == "tcp"} == {"rolling"}
    # A team without proxies always has a pick other than Service Connect, which it would be
    # without that rule.
    for p in drawn:
        if p["no_proxy"]:
            assert decide(answers(p)).pick == "service-connect"
            assert pick(p) == "elb"


def test_choose_pattern_a_copied_configuration_rarely_carries_over() -> None:
    """The right (pattern, appProtocol, load balancer type, scheme) differs between variants:
    every one of the 9 that can be right is drawn, and the most common is right in under a
    quarter of the variants."""

    def balanced(s: dict[str, Any]) -> bool:
        return s["pattern"] == "elb" or s["front_door"] == "entry"

    shapes = Counter(
        (
            s["pattern"],
            s["app_protocol"],
            s["load_balancer"] if balanced(s) else "-",
            s["scheme"] if balanced(s) else "-",
            s["front_door"],
        )
        for s in (choose_pattern(_params(seed)) for seed in SEEDS)
    )

    # Service Connect x 3 protocols, ELB x 3 protocols x 2 schemes, and Service Connect behind
    # an internet-facing ALB for HTTP and gRPC.
    assert len(shapes) == 11
    assert shapes.most_common(1)[0][1] < 0.25 * len(SEEDS)


@pytest.mark.parametrize("seed", range(1, 101))
def test_choose_pattern_the_reasoned_configuration_passes_every_variant(seed: int) -> None:
    params = _params(seed)
    with translation.override("en"):
        verdict = labs.check(CHOOSE_PATTERN, choose_pattern(params), params)

    assert verdict.passed, verdict.message


# --------------------------------------------------------------------------- the generated configuration


def test_choose_pattern_grades_the_generated_create_service_input() -> None:
    params = _params(4)
    values = {
        **CHOOSE_PATTERN.defaults(),
        "pattern": "elb",
        "strategy": "canary",
        "canary_percent": 10.0,
        "canary_bake_time_min": 2,
        "bake_time_min": 2,
    }

    service = create_service(values, params)

    assert service["deploymentConfiguration"]["strategy"] == "CANARY"
    assert service["deploymentConfiguration"]["canaryConfiguration"] == {
        "canaryPercent": 10.0,
        "canaryBakeTimeInMinutes": 2,
    }
    assert service["deploymentConfiguration"]["bakeTimeInMinutes"] == 2
    assert "loadBalancers" in service


def _inputs(values: dict[str, Any], seed: int, operation: str) -> list[dict[str, Any]]:
    config = configuration({**CHOOSE_PATTERN.defaults(), **values}, _params(seed))
    return [c.input for c in config.calls if c.operation == operation]


def test_choose_pattern_the_learners_wire_reaches_the_generated_calls() -> None:
    values = {**TCP_ELB, "scheme": "internet-facing"}

    (lb,) = _inputs(values, 3, "CreateLoadBalancer")
    groups = _inputs(values, 3, "CreateTargetGroup")
    tasks = _inputs(values, 3, "RegisterTaskDefinition")

    assert (lb["Type"], lb["Scheme"]) == ("network", "internet-facing")
    assert {g["Protocol"] for g in groups} == {"TCP"}
    assert all("appProtocol" not in t["containerDefinitions"][0]["portMappings"][0] for t in tasks)


def test_choose_pattern_grpc_behind_an_alb_generates_a_grpc_target_group() -> None:
    verdict = _check(
        2, pattern="elb", app_protocol="grpc", minimum_healthy_percent=100, maximum_percent=140
    )

    assert verdict.passed, verdict.message
    measures = dict(verdict.measures)
    assert measures["portMappings[0].appProtocol"] == "grpc"
    assert measures["LoadBalancer Type / Scheme"] == "application / internal"
    assert measures["TargetGroup Protocol / ProtocolVersion"] == "HTTP / GRPC"


def test_choose_pattern_plain_tcp_under_service_connect_drops_the_per_request_timeout() -> None:
    values = {"pattern": "service-connect", "app_protocol": "tcp"}

    services = _inputs(values, 11, "CreateService")

    (inventory,) = [s for s in services if s.get("serviceName") == "inventory" and "cluster" in s]
    (served,) = inventory["serviceConnectConfiguration"]["services"]
    assert set(served["timeout"]) == {"idleTimeoutSeconds"}


# --------------------------------------------------------------------------- rolling (learner 3)


def test_choose_pattern_rolling_reasoned_setup_passes() -> None:
    verdict = _check(3, **TCP_ELB, minimum_healthy_percent=100, maximum_percent=125)

    assert verdict.passed is True
    assert verdict.message == (
        "Passed: the pattern fits, ECS keeps at least 4 tasks and runs at most 5 (required 4 and "
        "5), and the deployment finished after 160 s (at most 180 s)."
    )
    assert verdict.moment == 190.0


def test_choose_pattern_a_pattern_that_cannot_reach_the_callers_fails_with_the_guides_reason() -> (
    None
):
    verdict = _check(
        3,
        pattern="service-connect",
        app_protocol="tcp",
        minimum_healthy_percent=100,
        maximum_percent=125,
    )

    assert verdict.passed is False
    assert verdict.message == (
        "Not yet. Pattern fits the requirements: ECS Service Connect cannot meet these "
        "requirements. Clients outside the namespace can reach the proxy's address but cannot "
        "resolve Service Connect names, so they need a load balancer or DNS discovery."
    )


def test_choose_pattern_a_workable_but_heavier_pattern_fails_without_naming_the_answer() -> None:
    verdict = _check(
        3,
        pattern="service-discovery",
        app_protocol="tcp",
        minimum_healthy_percent=100,
        maximum_percent=125,
    )

    assert verdict.passed is False
    assert "another pattern meets these requirements with less to build and run" in verdict.message
    assert "ELB" not in verdict.message


def test_choose_pattern_an_alb_for_plain_tcp_fails_on_the_load_balancer_type() -> None:
    verdict = _check(
        3,
        **{**TCP_ELB, "load_balancer": "application"},
        minimum_healthy_percent=100,
        maximum_percent=125,
    )

    assert verdict.message == (
        "Not yet. Load balancer type: the load balancer's Type is application: an ALB's "
        "listeners speak HTTP and HTTPS only, and the service speaks plain TCP."
    )


@pytest.mark.parametrize("declared", ["http", "http2", "grpc"])
def test_choose_pattern_a_declared_protocol_on_a_plain_tcp_port_fails(declared: str) -> None:
    verdict = _check(
        3,
        **{**TCP_ELB, "app_protocol": declared},
        minimum_healthy_percent=100,
        maximum_percent=125,
    )

    assert verdict.message == (
        f"Not yet. Protocol the port declares: the port mapping declares appProtocol {declared}, "
        "but the service speaks plain TCP: declare no appProtocol."
    )


@pytest.mark.parametrize(
    ("percents", "message"),
    [
        (
            (100, 200),
            "Not yet. Tasks at once: maximumPercent, rounded down, allows 8 tasks at once;",
        ),
        (
            (50, 125),
            "Not yet. Capacity kept: minimumHealthyPercent, rounded up, keeps 2 tasks;",
        ),
        ((100, 100), "Not yet. Deployment time: the deployment never finished"),
    ],
)
def test_choose_pattern_rolling_extremes_fail_on_their_side(
    percents: tuple[int, int], message: str
) -> None:
    low, high = percents
    verdict = _check(3, **TCP_ELB, minimum_healthy_percent=low, maximum_percent=high)

    assert verdict.passed is False
    assert verdict.message.startswith(message)


# --------------------------------------------------------------------------- who calls


def test_choose_pattern_internet_callers_need_an_internet_facing_load_balancer() -> None:
    rolling = {"minimum_healthy_percent": 100, "maximum_percent": 140}
    internal = _check(36, pattern="elb", **rolling)
    facing = _check(36, pattern="elb", scheme="internet-facing", **rolling)
    mesh = _check(36, pattern="service-connect", **rolling)

    assert internal.message == (
        "Not yet. Who can reach it: the load balancer's Scheme is internal: its addresses are "
        "private, and the callers are on the internet."
    )
    assert facing.passed is True, facing.message
    assert mesh.message.startswith(
        "Not yet. Pattern fits the requirements: ECS Service Connect cannot meet these "
        "requirements."
    )
    assert (
        "Who can reach it: the configuration has no load balancer, and the callers are on the "
        "internet: only an internet-facing load balancer takes their calls." in mesh.message
    )


def test_choose_pattern_callers_inside_aws_get_no_internet_facing_load_balancer() -> None:
    verdict = _check(
        3, **TCP_ELB, scheme="internet-facing", minimum_healthy_percent=100, maximum_percent=125
    )

    assert verdict.message == (
        "Not yet. Who can reach it: the load balancer's Scheme is internet-facing: it gets "
        "public addresses and takes calls from the internet, but every caller is inside AWS."
    )


def test_choose_pattern_a_team_without_proxies_rules_service_connect_out() -> None:
    rolling = {"minimum_healthy_percent": 100, "maximum_percent": 150}
    connect = _check(10, pattern="service-connect", **rolling)
    elb = _check(10, pattern="elb", **rolling)

    assert connect.message == (
        "Not yet. Pattern fits the requirements: ECS Service Connect cannot meet these "
        "requirements. ECS adds its Service Connect proxy (Envoy) as a container to every task "
        "of the service, and the team allows no proxy beside the app."
    )
    assert elb.passed is True, elb.message


@pytest.mark.parametrize(
    ("seed", "values", "side"),
    [
        (16, {"pattern": "service-connect", "app_protocol": "http"}, "protocol"),
        (16, {"pattern": "service-connect", "app_protocol": "tcp"}, "protocol"),
        (
            2,
            {"pattern": "elb", "app_protocol": "grpc", "load_balancer": "network"},
            "load-balancer",
        ),
        (15, {"pattern": "service-connect", "app_protocol": "grpc"}, "protocol"),
    ],
)
def test_choose_pattern_the_wrong_protocol_fails_on_its_side(
    seed: int, values: dict[str, Any], side: str
) -> None:
    params = _params(seed)
    reasoned = choose_pattern(params)
    verdict = _check(seed, **{**reasoned, **values})

    assert [o.key for o in verdict.outcomes if not o.passed] == [side]


# --------------------------------------------------------------------------- canary (learner 4)


def test_choose_pattern_canary_reasoned_setup_passes() -> None:
    verdict = _check(
        4,
        pattern="elb",
        strategy="canary",
        canary_percent=10.0,
        canary_bake_time_min=2,
        bake_time_min=2,
    )

    assert verdict.passed is True
    assert dict(verdict.measures)["Requests to green in the canary step"] == "123"
    assert dict(verdict.measures)["Deployment finished after"] == "310 s"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"canary_percent": 20.0},
            "Not yet. Users a new version meets first: a new version gets 20 %",
        ),
        ({"canary_bake_time_min": 0}, "Not yet. Canary had data: green got 7 requests"),
        (
            {"canary_bake_time_min": 10},
            "Not yet. Deployment time: the deployment took 790 s; the requirement is 7 min.",
        ),
        ({"bake_time_min": 0}, "Not yet. Blue kept after the shift: bakeTimeInMinutes is 0;"),
        ({"strategy": "rolling"}, "Not yet. Release strategy: the generated service uses ROLLING;"),
    ],
)
def test_choose_pattern_canary_extremes_fail_on_their_side(
    values: dict[str, Any], message: str
) -> None:
    base = {"strategy": "canary", "canary_percent": 10.0, "canary_bake_time_min": 2}
    verdict = _check(4, pattern="elb", **{**base, "bake_time_min": 2, **values})

    assert verdict.passed is False
    assert verdict.message.startswith(message)


# --------------------------------------------------------------------------- the form and the words


@pytest.mark.parametrize(("pattern", "field"), [("", "pattern"), ("app-mesh", "pattern")])
def test_choose_pattern_needs_a_pattern_that_still_runs(pattern: str, field: str) -> None:
    errors = CHOOSE_PATTERN.validate({**CHOOSE_PATTERN.defaults(), "pattern": pattern})

    assert [name for name, _ in errors] == [field]


def test_choose_pattern_requirements_use_the_guides_words_in_japanese() -> None:
    with translation.override("ja"):
        params = labs.draw_params(CHOOSE_PATTERN, 3)

    assert params["requirements"].startswith("<strong>サービスを呼び出すのは誰ですか？</strong>")
    assert "タスクは 4 個。" in params["requirements"]
    assert params["requirements"].count("<br><strong>") == 4  # one requirement a line
    assert "&lt;" not in params["requirements"]


def test_choose_pattern_requirements_say_what_decides_the_configuration() -> None:
    internet = _params(36)["requirements"]
    no_proxy = html.unescape(_params(10)["requirements"])
    with translation.override("ja"):
        no_proxy_ja = labs.draw_params(CHOOSE_PATTERN, 10)["requirements"]

    assert "Clients on the internet" in internet
    assert "Where are the callers?" not in internet  # no VPC answer for internet clients
    assert "<strong>What do the services speak?</strong> HTTP/1.1 or HTTP/2" in internet
    assert (
        "<strong>What runs in a task?</strong> Only the team's own containers: its security "
        "review allows no proxy container beside the app." in no_proxy
    )
    assert "Only the team" not in no_proxy_ja


# --------------------------------------------------------------------------- a front door (learner 16)

FRONT = {
    "pattern": "service-connect",
    "app_protocol": "grpc",
    "front_door": "entry",
    "scheme": "internet-facing",
}


def test_choose_pattern_draws_front_variants_of_service_connect_callers_only() -> None:
    drawn = [_params(seed) for seed in SEEDS]
    front = [p for p in drawn if p["front"]]

    assert 0.05 * len(SEEDS) < len(front) < 0.25 * len(SEEDS)
    assert {pick(p) for p in front} == {"service-connect"}
    assert {p["protocol"] for p in front} == {"http", "grpc"}
    assert all("Who calls contract?" in p["requirements"] for p in front)
    assert not any("Who calls contract?" in p["requirements"] for p in drawn if not p["front"])


def _rolling16() -> dict[str, Any]:
    reasoned = choose_pattern(_params(16))
    return {k: reasoned[k] for k in ("strategy", "minimum_healthy_percent", "maximum_percent")}


def test_choose_pattern_service_connect_behind_an_internet_facing_alb_passes() -> None:
    verdict = _check(16, **FRONT, **_rolling16())

    assert verdict.passed, verdict.message
    measures = dict(verdict.measures)
    assert measures["LoadBalancer Type / Scheme"] == "application / internet-facing"
    assert measures["Load balancer targets"] == "contract"
    service = create_service({**CHOOSE_PATTERN.defaults(), **FRONT, **_rolling16()}, _params(16))
    assert "loadBalancers" not in service  # inventory is reached through Service Connect


@pytest.mark.parametrize(
    ("values", "failed"),
    [
        ({"front_door": "none"}, ["reach", "front-door"]),
        ({"scheme": "internal"}, ["reach"]),
        ({"load_balancer": "network"}, ["load-balancer"]),
        ({"pattern": "elb", "front_door": "none"}, ["pattern", "front-door"]),
    ],
)
def test_choose_pattern_a_front_variant_fails_on_the_side_it_breaks(
    values: dict[str, Any], failed: list[str]
) -> None:
    verdict = _check(16, **{**FRONT, **_rolling16(), **values})

    assert [o.key for o in verdict.outcomes if not o.passed] == failed
    if "front-door" in failed:
        assert (
            "Entry for clients outside: clients on the internet call contract, and nothing in the "
            "configuration takes their calls" in verdict.message
        )


def test_choose_pattern_a_front_door_nobody_outside_calls_fails() -> None:
    reasoned = choose_pattern(_params(11))  # one namespace, plain TCP, no outside clients
    verdict = _check(11, **{**reasoned, "front_door": "entry"})

    assert [o.key for o in verdict.outcomes if not o.passed] == ["front-door"]
    assert "no client outside AWS calls contract" in verdict.message
