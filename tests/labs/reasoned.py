"""Reasoned solutions: for each lab, settings worked out from the attempt's drawn numbers the way
the lab's hints teach, so a test can show the lab can be passed by thinking (and only so: see
test_lazy_learner.py). A module that registers a lab adds its solution here.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

Solution = Callable[[Mapping[str, Any]], dict[str, Any]]


def elb_dead_task(p: Mapping[str, Any]) -> dict[str, Any]:
    # The shortest interval, a threshold one above the checks a pause can fail, a short timeout.
    return {"interval_s": 5, "timeout_s": 2, "unhealthy_threshold": math.ceil(p["pause_s"] / 5) + 1}


def stale_dns(p: Mapping[str, Any]) -> dict[str, Any]:
    # The shortest TTL the query budget allows, a client that respects it and retries another IP.
    return {"dns_ttl_s": p["ttl_min"], "retries": 5, "dns_cache": "ttl"}


def service_connect_outlier(p: Mapping[str, Any]) -> dict[str, Any]:
    # The first whole second above the slowest healthy answer: fail fast, cut off nothing healthy.
    return {"per_request_timeout_s": math.floor(float(p["normal_s"])) + 1}


def app_mesh_canary(p: Mapping[str, Any]) -> dict[str, Any]:
    # Run for the minimum time plus a margin, with the weight that gathers the minimum requests
    # in that time at about 10 requests a second (a quarter more, for the randomness).
    run_s = p["min_s"] + 5
    weight = math.ceil(p["min_canary"] * 100 / (10 * run_s) * 1.25)
    return {"canary_weight": weight, "rollback_at_s": run_s}


def az_outage(p: Mapping[str, Any]) -> dict[str, Any]:
    # Who retries on another task before the request is lost? A Service Connect timeout below
    # Envoy's 5 s connect timeout cuts off every request sent into the dead AZ before its retry,
    # so Service Connect fails too. Without client retries Service Discovery's callers keep
    # failing until their cached answers expire; with 3, they heal themselves and the ALB (whose
    # callers retry too) loses almost nothing. App Mesh without outlier detection fails every
    # request sent into the dead AZ unless its route retries.
    cut_off = p["sc_timeout_s"] < 5
    if not cut_off:
        fewest = "service-connect"
    elif p["retries"] >= 3:
        fewest = "elb"
    elif p["mesh_retries"] >= 2:
        fewest = "app-mesh"
    else:
        fewest = "service-connect"
    if p["retries"] == 0:
        most = "service-discovery"
    elif p["mesh_retries"] == 0 or not cut_off:
        most = "app-mesh"
    else:
        most = "service-connect"
    return {"predict_most": most, "predict_fewest": fewest}


def slow_starters(p: Mapping[str, Any]) -> dict[str, Any]:
    # Hold the task out of Service Connect until the app answers; count failures from 10 s
    # before the app can answer, so a starter fails at most once and the broken task is
    # replaced two checks later.
    return {
        "depends_on_healthy": "yes",
        "start_period_s": p["app_start_s"] - p["hc_interval_s"],
        "grace_period_s": 0,
    }


REASONED: dict[str, Solution] = {
    "elb-dead-task": elb_dead_task,
    "stale-dns": stale_dns,
    "service-connect-outlier": service_connect_outlier,
    "app-mesh-canary": app_mesh_canary,
    "az-outage": az_outage,
    "slow-starters": slow_starters,
}


def choose_pattern(p: Mapping[str, Any]) -> dict[str, Any]:
    # The guide's answer for the callers, network, protocol and release; a team that allows no
    # proxy container rules Service Connect out (its Envoy runs in every task), so the guide's
    # best other option. Then what the service speaks and who calls decide the port's
    # appProtocol and the load balancer (an NLB for plain TCP; internet-facing for the
    # internet), and the numbers decide the deployment.
    from patterns.guide.decide import OPTIONS, decide
    from patterns.labs.lab_choose_pattern import answers

    advice = decide(answers(p))
    options = [
        v
        for v in advice.verdicts.values()
        if not v.out and not (p["no_proxy"] and v.option == "service-connect")
    ]
    pattern = min(options, key=lambda v: (-v.score, OPTIONS.index(v.option))).option
    tasks = p["tasks"]
    low = min(m for m in range(101) if math.ceil(tasks * m / 100 - 1e-9) >= p["min_serving"])
    high = max(m for m in range(100, 201) if math.floor(tasks * m / 100 + 1e-9) <= p["max_running"])
    percent = p["max_percent"]
    # The canary step lasts 10 s plus its bake: gather the minimum with 80 % to spare (the split
    # is not exact), within what the time budget leaves after blue's bake and about 2 minutes
    # of scaling up and shifting.
    needed = math.ceil((p["min_canary_requests"] * 1.8 / (p["rps"] * percent / 100) - 10) / 60)
    bake = min(needed, p["budget_min"] - p["min_bake_min"] - 2)
    return {
        "pattern": pattern,
        "app_protocol": p["protocol"],
        "load_balancer": "network" if p["protocol"] == "tcp" else "application",
        "scheme": "internet-facing" if p["callers"] == "internet" or p["front"] else "internal",
        # Clients on the internet call contract: a load balancer in front of it.
        "front_door": "entry" if p["front"] else "none",
        "strategy": p["release"],
        "minimum_healthy_percent": low,
        "maximum_percent": high,
        "canary_percent": float(percent),
        "canary_bake_time_min": bake,
        "bake_time_min": p["min_bake_min"],
    }


def _new_labs() -> None:
    """The four labs of their own modules: their reasoned answers live beside their tests."""
    from tests.labs.test_lab_new_labs_lazy import NEW_LABS, _reasoned

    for slug in NEW_LABS:
        REASONED[slug] = functools.partial(_reasoned, slug)
    REASONED["choose-pattern"] = choose_pattern


_new_labs()
