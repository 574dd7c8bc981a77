"""Every troubleshooting recipe's "reproduce it" run shows its symptom: the permalink the page links
to is decoded and run through the engine, and the exact figures are pinned (seed 1)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from patterns.aws_docs import is_public_aws
from patterns.guide import recipes
from patterns.player import permalink
from patterns.sim import run

pytestmark = pytest.mark.unit

# recipe -> (errors by code, the counters that show the symptom: causes counted over the events,
# plus the pattern counters named "alb.*" / "dns.*" / "outlier.*").
EXPECTED: dict[str, tuple[dict[str, int], dict[str, int]]] = {
    "elb-502": ({"http_502": 139}, {"unhealthy_threshold_reached": 3, "ecs_replaced_unhealthy": 1}),
    "elb-504-connect": (
        {"http_504": 158},
        {"unhealthy_threshold_reached": 3, "alb.health_checks_failed": 6},
    ),
    "elb-504-idle": (
        {"http_504": 205},
        {"alb.health_checks_failed": 0, "ecs_replaced_unhealthy": 0},
    ),
    "elb-503-no-targets": ({"http_503": 617}, {"alb.no_target_503": 617}),
    "elb-target-5xx": ({"http_503": 582}, {"alb.no_target_503": 0, "alb.health_checks_failed": 0}),
    "elb-slow-starter": ({}, {"ecs_replaced_unhealthy": 17, "deployment_finished": 0}),
    "sd-stale-ips": (
        {"connect_timeout": 1816},
        {"dns.requests_to_deregistered_tasks": 1816, "deployment_finished": 1},
    ),
    "sd-nxdomain": ({"dns_nxdomain": 1391}, {"service_added": 1, "cloud_map_registered": 2}),
    "sd-5xx-no-retry": ({"http_503": 582}, {"client_retry": 0, "ecs_replaced_unhealthy": 0}),
    "sd-cache-forever": (
        {"connect_timeout": 4877},
        {"dns.dns_cache_misses": 0, "dns.requests_to_deregistered_tasks": 4976},
    ),
    "sd-slow-starter": (
        {"connect_refused": 29, "connect_timeout": 785},
        {"container_health_failed": 9, "ecs_replaced_unhealthy": 9, "deployment_finished": 0},
    ),
    "sc-new-name": (
        {"dns_nxdomain": 618},
        {"endpoint_unknown_to_client": 7, "deployment_finished": 1},
    ),
    "sc-not-ready": ({"http_503": 12}, {"outlier.enforced": 3, "app_ready": 3}),
    "sc-504-timeout": ({"http_504": 218}, {"outlier.enforced": 11, "outlier_returned": 9}),
    "sc-500-bursts": ({"http_500": 45}, {"outlier.enforced": 9, "outlier_returned": 6}),
    "sc-slow-starter": (
        {"http_503": 81},
        {"container_health_failed": 9, "ecs_replaced_unhealthy": 9, "deployment_finished": 0},
    ),
}


def _counters(result: dict[str, Any], names: list[str]) -> dict[str, int]:
    causes = Counter(event["cause"] for event in result["events"])
    summary = result["summary"]
    found = {}
    for name in names:
        group, _, key = name.partition(".")
        found[name] = summary[group][key] if key else causes[name]
    return found


def test_recipes_every_pattern_has_at_least_five() -> None:
    counts = Counter(r.pattern for r in recipes.RECIPES)

    assert counts == {"elb": 6, "service-discovery": 5, "service-connect": 5}
    assert set(EXPECTED) == set(recipes.BY_ID)


@pytest.mark.parametrize("recipe", recipes.RECIPES, ids=lambda r: r.id)
def test_recipe_reproduce_link_runs_a_scenario_that_shows_the_symptom(
    recipe: recipes.Recipe,
) -> None:
    link = permalink.decode(recipe.link_token)

    result = run(link.scenario, pattern=link.pattern, seed=link.seed)

    errors, counters = EXPECTED[recipe.id]
    assert (link.pattern, link.seed, link.log) == (recipe.pattern, 1, [])
    assert result["summary"]["errors"] == errors
    assert _counters(result, list(counters)) == counters
    assert set(recipe.symptom) == set(errors)


def test_recipe_evidence_is_the_engine_run() -> None:
    evidence = recipes.evidence("sc-not-ready")

    assert evidence == {
        "requests": 7116,
        "errors": {"http_503": 12},
        "retries": 66,
        "first_error_s": 75,
        "last_error_s": 80,
        "replaced_unhealthy": 0,
        "container_health_failed": 0,
        "deployment_finished": 0,
        "alb_no_target_503": 0,
        "dns_cache_misses": 0,
    }


# The metric names the facts files give (aws-facts-2026 6.1, 6.3; aws-semantics 1.2, 4.3).
FACT_METRICS = {
    "AWS/ApplicationELB": {
        "RequestCount",
        "TargetResponseTime",
        "HTTPCode_Target_5XX_Count",
        "HTTPCode_ELB_5XX_Count",
        "HTTPCode_ELB_502_Count",
        "HTTPCode_ELB_503_Count",
        "HTTPCode_ELB_504_Count",
        "HealthyHostCount",
        "UnHealthyHostCount",
        "TargetConnectionErrorCount",
        "RequestCountPerTarget",
    },
    "AWS/ECS": {
        "ActiveConnectionCount",
        "NewConnectionCount",
        "ProcessedBytes",
        "RequestCount",
        "GrpcRequestCount",
        "HTTPCode_Target_2XX_Count",
        "HTTPCode_Target_3XX_Count",
        "HTTPCode_Target_4XX_Count",
        "HTTPCode_Target_5XX_Count",
        "RequestCountPerTarget",
        "TargetProcessedBytes",
        "TargetResponseTime",
    },
}
FACT_DIMENSIONS = {
    "TargetGroup",
    "LoadBalancer",
    "ClusterName",
    "ServiceName",
    "DiscoveryName",
    "TargetDiscoveryName",
}


def test_recipes_name_only_metrics_and_dimensions_the_facts_give() -> None:
    for recipe in recipes.RECIPES:
        for metric in recipe.metrics:
            assert metric.name in FACT_METRICS[metric.namespace], (recipe.id, metric.name)
            assert set(metric.dimensions) <= FACT_DIMENSIONS
    assert not any(r.metrics for r in recipes.recipes_for("service-discovery"))  # it has none


def test_every_recipe_names_its_sources_a_public_aws_page_first() -> None:
    assert set(recipes.SOURCES) == {r.id for r in recipes.RECIPES}
    for recipe_id, sources in recipes.SOURCES.items():
        assert sources and is_public_aws(sources[0]), recipe_id
        assert all(url.startswith("https://") for url in sources), recipe_id
