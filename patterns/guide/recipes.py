"""Troubleshooting recipes: symptom -> what to look at -> cause -> fix, per pattern, each with a run
that shows the symptom.

The structure lives here (the pattern, the CloudWatch metrics to open, the scenario that reproduces
the symptom and the error codes it shows); the words live in ``patterns/content/guide/<lang>.md``
under the recipe's id. Metric names and dimensions are only those the facts files list
(``aws-facts-2026`` 6.1-6.6, ``aws-semantics`` 1.2 and 4.3). The "reproduce it" link is a playground
permalink of the scenario, so the playground replays exactly the run the tests check.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from patterns import aws_docs as docs
from patterns.player import permalink
from patterns.sim import run

SEED = 1
RECIPE_PATTERNS: tuple[str, ...] = ("elb", "service-discovery", "service-connect")

ALB = "AWS/ApplicationELB"
ECS = "AWS/ECS"
ALB_TG_DIMENSIONS = ("TargetGroup", "LoadBalancer")
SC_DIMENSIONS = ("ClusterName", "ServiceName", "DiscoveryName", "TargetDiscoveryName")


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipe:
    id: str
    pattern: str
    scenario: dict[str, Any]
    symptom: tuple[str, ...]  # the error codes (``summary.errors`` keys) the run shows
    metrics: tuple[Metric, ...] = field(default=())

    @property
    def link_token(self) -> str:
        return permalink.encode(self.scenario, SEED, self.pattern, [])


def _system(inventory_start_s: float) -> dict[str, Any]:
    """The sample system with a slow-starting inventory app."""
    return {
        "services": [
            {"name": "user", "tasks": 3},
            {"name": "contract", "tasks": 3},
            {"name": "inventory", "tasks": 3, "app_start_s": inventory_start_s},
            {"name": "billing", "tasks": 3},
        ],
        "traffic": [
            {"from": "user", "to": "contract", "rps": 10},
            {"from": "contract", "to": "inventory", "rps": 10},
            {"from": "contract", "to": "billing", "rps": 10},
        ],
    }


def _at(seconds: float, do: str, **fields: Any) -> dict[str, Any]:
    return {"at_s": seconds, "do": do, **fields}


_PAYMENTS = {
    "service": {"name": "payments", "tasks": 2},
    "traffic": [{"from": "contract", "to": "payments", "rps": 5}],
}

RECIPES: tuple[Recipe, ...] = (
    # ------------------------------------------------------------------ ELB
    Recipe(
        "elb-502",
        "elb",
        {
            "name": "elb-502",
            "duration_s": 180,
            "actions": [_at(60, "refuse_task", task="inventory-2")],
        },
        ("http_502",),
        (
            Metric(ALB, "HTTPCode_ELB_502_Count"),
            Metric(ALB, "UnHealthyHostCount", ALB_TG_DIMENSIONS),
        ),
    ),
    Recipe(
        "elb-504-connect",
        "elb",
        {
            "name": "elb-504-connect",
            "duration_s": 180,
            "actions": [_at(60, "blackhole_task", task="inventory-2")],
        },
        ("http_504",),
        (
            Metric(ALB, "HTTPCode_ELB_504_Count"),
            Metric(ALB, "TargetConnectionErrorCount"),
            Metric(ALB, "UnHealthyHostCount", ALB_TG_DIMENSIONS),
        ),
    ),
    Recipe(
        "elb-504-idle",
        "elb",
        {
            "name": "elb-504-idle",
            "duration_s": 180,
            "actions": [_at(60, "slow_task", task="inventory-2", delay_ms=90000)],
        },
        ("http_504",),
        (
            Metric(ALB, "HTTPCode_ELB_504_Count"),
            Metric(ALB, "TargetResponseTime"),
            Metric(ALB, "HealthyHostCount", ALB_TG_DIMENSIONS),
        ),
    ),
    Recipe(
        "elb-503-no-targets",
        "elb",
        {
            "name": "elb-503-no-targets",
            "duration_s": 120,
            "actions": [_at(60, "scale", service="inventory", count=0)],
        },
        ("http_503",),
        (Metric(ALB, "HTTPCode_ELB_503_Count"), Metric(ALB, "HealthyHostCount", ALB_TG_DIMENSIONS)),
    ),
    Recipe(
        "elb-target-5xx",
        "elb",
        {
            "name": "elb-target-5xx",
            "duration_s": 240,
            "actions": [_at(60, "fail_task", task="inventory-2", status=503)],
        },
        ("http_503",),
        (
            Metric(ALB, "HTTPCode_Target_5XX_Count"),
            Metric(ALB, "HTTPCode_ELB_503_Count"),
            Metric(ALB, "HealthyHostCount", ALB_TG_DIMENSIONS),
        ),
    ),
    Recipe(
        "elb-slow-starter",
        "elb",
        {
            "name": "elb-slow-starter",
            "duration_s": 400,
            **_system(90),
            "actions": [_at(30, "deploy", service="inventory")],
        },
        (),
        (Metric(ALB, "UnHealthyHostCount", ALB_TG_DIMENSIONS),),
    ),
    # ------------------------------------------------------------------ Service Discovery
    Recipe(
        "sd-stale-ips",
        "service-discovery",
        {
            "name": "sd-stale-ips",
            "duration_s": 600,
            "actions": [_at(60, "deploy", service="inventory")],
        },
        ("connect_timeout",),
    ),
    Recipe(
        "sd-nxdomain",
        "service-discovery",
        {
            "name": "sd-nxdomain",
            "duration_s": 300,
            "actions": [_at(30, "add_service", **_PAYMENTS)],
        },
        ("dns_nxdomain",),
    ),
    Recipe(
        "sd-5xx-no-retry",
        "service-discovery",
        {
            "name": "sd-5xx-no-retry",
            "duration_s": 240,
            "actions": [_at(60, "fail_task", task="inventory-2", status=503)],
        },
        ("http_503",),
    ),
    Recipe(
        "sd-cache-forever",
        "service-discovery",
        {
            "name": "sd-cache-forever",
            "duration_s": 600,
            "settings": {"client": {"dns_cache": "forever"}},
            "actions": [_at(60, "deploy", service="inventory")],
        },
        ("connect_timeout",),
    ),
    Recipe(
        "sd-slow-starter",
        "service-discovery",
        {
            "name": "sd-slow-starter",
            "duration_s": 400,
            **_system(150),
            "actions": [_at(30, "deploy", service="inventory")],
        },
        ("connect_timeout", "connect_refused"),
    ),
    # ------------------------------------------------------------------ Service Connect
    Recipe(
        "sc-new-name",
        "service-connect",
        {
            "name": "sc-new-name",
            "duration_s": 180,
            "actions": [
                _at(30, "add_service", **_PAYMENTS),
                _at(120, "deploy", service="contract"),
            ],
        },
        ("dns_nxdomain",),
        (Metric(ECS, "RequestCount", SC_DIMENSIONS),),
    ),
    Recipe(
        "sc-not-ready",
        "service-connect",
        {
            "name": "sc-not-ready",
            "duration_s": 240,
            **_system(15),
            "actions": [_at(60, "scale", service="inventory", count=6)],
        },
        ("http_503",),
        (
            Metric(ECS, "HTTPCode_Target_5XX_Count", SC_DIMENSIONS),
            Metric(ECS, "NewConnectionCount", SC_DIMENSIONS),
        ),
    ),
    Recipe(
        "sc-504-timeout",
        "service-connect",
        {
            "name": "sc-504-timeout",
            "duration_s": 240,
            "actions": [_at(60, "slow_task", task="inventory-2", delay_ms=20000)],
        },
        ("http_504",),
        (
            Metric(ECS, "TargetResponseTime", SC_DIMENSIONS),
            Metric(ECS, "RequestCount", SC_DIMENSIONS),
        ),
    ),
    Recipe(
        "sc-500-bursts",
        "service-connect",
        {
            "name": "sc-500-bursts",
            "duration_s": 240,
            "actions": [_at(60, "fail_task", task="inventory-2", status=500)],
        },
        ("http_500",),
        (
            Metric(ECS, "HTTPCode_Target_5XX_Count", SC_DIMENSIONS),
            Metric(ECS, "RequestCountPerTarget", SC_DIMENSIONS),
        ),
    ),
    Recipe(
        "sc-slow-starter",
        "service-connect",
        {
            "name": "sc-slow-starter",
            "duration_s": 400,
            **_system(150),
            "actions": [_at(30, "deploy", service="inventory")],
        },
        ("http_503",),
        (Metric(ECS, "HTTPCode_Target_5XX_Count", SC_DIMENSIONS),),
    ),
)

BY_ID: dict[str, Recipe] = {r.id: r for r in RECIPES}


_HEALTH_CHECK = f"{docs.ECS_API}/API_HealthCheck.html"
_DEPENDS_ON = f"{docs.ECS_API}/API_ContainerDependency.html"

#: Each recipe's sources, the public AWS page first (the page shows them under the fix).
SOURCES: dict[str, tuple[str, ...]] = {
    "elb-502": (docs.ALB_TROUBLE,),
    "elb-504-connect": (docs.ALB_TROUBLE,),
    "elb-504-idle": (docs.ALB_TROUBLE,),
    "elb-503-no-targets": (docs.ALB_TROUBLE,),
    "elb-target-5xx": (docs.ALB_HEALTH,),
    "elb-slow-starter": (f"{docs.ECS_API}/API_CreateService.html",),
    "sd-stale-ips": (docs.SERVICE_DISCOVERY,),
    "sd-nxdomain": (
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/SOA-NSrecords.html",
    ),
    "sd-5xx-no-retry": (docs.SERVICE_DISCOVERY,),
    "sd-cache-forever": (
        "https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/jvm-ttl-dns.html",
    ),
    "sd-slow-starter": (_HEALTH_CHECK,),
    "sc-new-name": (docs.SC_GUIDE,),
    "sc-not-ready": (_DEPENDS_ON, "https://github.com/aws/containers-roadmap/issues/2334"),
    "sc-504-timeout": (f"{docs.ECS_API}/API_TimeoutConfiguration.html",),
    "sc-500-bursts": (docs.SC_GUIDE,),
    "sc-slow-starter": (_HEALTH_CHECK, _DEPENDS_ON),
}


def recipes_for(pattern: str) -> tuple[Recipe, ...]:
    return tuple(r for r in RECIPES if r.pattern == pattern)


@functools.lru_cache(maxsize=len(RECIPES))
def evidence(recipe_id: str) -> dict[str, Any]:
    """What the recipe's run shows, computed by the engine (cached per process): its requests,
    the failures by code, retries and the key counters the recipe's text points at."""
    recipe = BY_ID[recipe_id]
    result = run(recipe.scenario, pattern=recipe.pattern, seed=SEED)
    summary = result["summary"]
    causes: dict[str, int] = {}
    for event in result["events"]:
        causes[event["cause"]] = causes.get(event["cause"], 0) + 1
    windows = [m for m in summary["key_moments"] if m["kind"] == "client_error_window"]
    return {
        "requests": summary["requests"],
        "errors": dict(sorted(summary["errors"].items())),
        "retries": summary["retries"],
        "first_error_s": windows[0]["from_t"] if windows else None,
        "last_error_s": windows[-1]["to_t"] if windows else None,
        "replaced_unhealthy": causes.get("ecs_replaced_unhealthy", 0),
        "container_health_failed": causes.get("container_health_failed", 0),
        "deployment_finished": causes.get("deployment_finished", 0),
        "alb_no_target_503": summary.get("alb", {}).get("no_target_503", 0),
        "dns_cache_misses": summary.get("dns", {}).get("dns_cache_misses", 0),
    }
