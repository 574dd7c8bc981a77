"""Lab: a stale-DNS incident after a deployment, diagnosed from the event list, then fixed.

The sandbox first plays the incident: a rolling deployment of ``inventory`` under ECS Service
Discovery, after which callers keep failing for minutes. The draw decides the cause: a long record
TTL that resolvers and callers honour (``ttl``), or an HTTP client that caches DNS answers forever
whatever the TTL (``forever``, the JVM's ``networkaddress.cache.ttl=-1``). The learner answers what
broke and why, and sets the fix: the record TTL and, if it is the cause, the client's cache.

The Check judges the diagnosis first (a wrong one is named wrong, not corrected), then pulls two
ways: callers must stop failing within ``goal_s`` of the deployment, and the run must send at most
``query_budget`` queries to Route 53 (a TTL of 0 sends one for every lookup the resolver cannot
answer). Measured with the default sample system and seed: TTL 10 s ends the failures 105 s after
the deploy with 315 Route 53 queries, TTL 20 s after 118 s with 159, TTL 30 s after 125 s with 107.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patterns.labs.checks import (
    DNS_CACHES,
    Lab,
    LabField,
    Outcome,
    Verdict,
    _fmt,
    failed_requests,
    judged,
    last_error_second,
    register,
    setting_field,
)

DEPLOY_AT = 60
KINDS = {"ttl": (120, 300, 600), "forever": (10, 15, 30)}  # incident kind: its record TTLs
# (goal_s, query_budget) pairs with room for a reasoned TTL between the two limits.
LIMITS = ((110, 400), (120, 250), (130, 200))
WHAT_BROKE = (
    ("unhealthy", gettext_lazy("New tasks failed their health checks and ECS kept replacing them")),
    (
        "stale_ips",
        gettext_lazy("Callers kept sending requests to the IPs of tasks that had stopped"),
    ),
    ("nxdomain", gettext_lazy("The name stopped resolving: Route 53 answered NXDOMAIN")),
    ("throttled", gettext_lazy("Route 53 throttled the callers' DNS queries")),
)
WHY = (
    ("health_check", gettext_lazy("The Cloud Map health check marked the new tasks unhealthy")),
    ("ttl_long", gettext_lazy("The record TTL let resolvers and callers keep the old answer long")),
    ("no_records", gettext_lazy("ECS registered the new tasks under another service name")),
    ("client_forever", gettext_lazy("The callers' HTTP client caches DNS answers forever")),
)
RIGHT_WHAT = "stale_ips"
RIGHT_WHY = {"ttl": "ttl_long", "forever": "client_forever"}


def _draw(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(sorted(KINDS))
    goal_s, budget = rng.choice(LIMITS)
    return {
        "kind": kind,
        "incident_ttl_s": rng.choice(KINDS[kind]),
        "incident_cache": "ttl" if kind == "ttl" else "forever",
        "deploy_at": DEPLOY_AT,
        "goal_s": goal_s,
        "query_budget": budget,
    }


def _build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    ttl = values.get("dns_ttl_s")
    cache = values.get("dns_cache") or params["incident_cache"]
    return {
        "name": "lab-dns-incident",
        "duration_s": DEPLOY_AT + 300,
        "settings": {
            "cloud_map": {"dns_ttl_s": params["incident_ttl_s"] if ttl is None else ttl},
            "client": {"dns_cache": cache},
        },
        "actions": [{"at_s": DEPLOY_AT, "do": "deploy", "service": "inventory"}],
    }


def route53_queries(result: Mapping[str, Any]) -> int:
    return int(result["summary"].get("dns", {}).get("route53_queries", 0))


def _validate(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (name, _("Choose an answer: the diagnosis comes before the fix."))
        for name in ("what_broke", "why")
        if not values.get(name)
    ]


def _judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    last = last_error_second(result)
    window = (last + 1 - DEPLOY_AT) if last is not None else 0
    queries = route53_queries(result)
    measures = (
        (_("Last second with a failed request"), f"{last} s" if last is not None else "—"),
        (_("Failed requests"), str(failed_requests(result))),
        (_("Queries sent to Route 53"), str(queries)),
    )
    fields = {
        "window": window,
        "goal": params["goal_s"],
        "queries": queries,
        "budget": params["query_budget"],
    }
    stale = [e for e in result["events"] if e["cause"] == "dns_cache_hit_stale"]
    right_what = values["what_broke"] == RIGHT_WHAT
    right_why = values["why"] == RIGHT_WHY[params["kind"]]
    matches = _("it matches the events.")
    outcomes = (
        Outcome(
            "what-broke",
            _("What broke"),
            right_what,
            matches
            if right_what
            else _(
                "it does not match the events: read which tasks the failed requests went to, and "
                "whether those tasks were still running."
            ),
        ),
        Outcome(
            "why",
            _("Why"),
            right_why,
            matches
            if right_why
            else _(
                "it does not match the events: compare how long callers kept the old answer with "
                "the record's TTL."
            ),
        ),
        Outcome(
            "failures-end",
            _("Failures end soon"),
            window <= params["goal_s"],
            _fmt(
                _(
                    "callers failed until %(window)s s after the deployment started; the goal is "
                    "at most %(goal)s s."
                ),
                **fields,
            ),
        ),
        Outcome(
            "query-budget",
            _("DNS query budget"),
            queries <= params["query_budget"],
            _fmt(
                _(
                    "the resolvers sent %(queries)s queries to Route 53; the budget is %(budget)s. "
                    "A shorter TTL means more of them."
                ),
                **fields,
            ),
        ),
    )
    end = float(last + 1) if last is not None else None
    first_stale = float(stale[0]["t"]) if stale else None
    broken = [o.key for o in outcomes if not o.passed]
    moment = first_stale if broken and broken[0] in ("what-broke", "why") else end
    events = tuple(
        (
            float(e["t"]),
            _fmt(
                _("%(caller)s resolved from a cache listing an IP the zone no longer serves."),
                caller=e.get("source", "?"),
            ),
        )
        for e in stale[:3]
    )
    passed = _fmt(
        _(
            "Passed: the diagnosis matches the events, callers stopped failing %(window)s s after "
            "the deployment started (goal %(goal)s s) and Route 53 got %(queries)s queries (budget "
            "%(budget)s)."
        ),
        **fields,
    )
    return judged(outcomes, measures, passed, moment, events)


DNS_INCIDENT = Lab(
    slug="dns-incident",
    order=9,
    pattern="service-discovery",
    fields=(
        LabField(
            "what_broke",
            gettext_lazy("What broke?"),
            "",
            choices=WHAT_BROKE,
            integer=False,
            required=False,
            shuffle=True,
        ),
        LabField(
            "why",
            gettext_lazy("Why?"),
            "",
            choices=WHY,
            integer=False,
            required=False,
            shuffle=True,
        ),
        setting_field(
            "dns_ttl_s",
            gettext_lazy("Fix: record TTL (s; empty = as in the incident)"),
            None,
            "settings.cloud_map.dns_ttl_s",
            required=False,
        ),
        LabField(
            "dns_cache",
            gettext_lazy("Fix: the callers' DNS cache (empty = as in the incident)"),
            "",
            choices=DNS_CACHES,
            integer=False,
            required=False,
        ),
    ),
    draw=_draw,
    build=_build,
    judge=_judge,
    validate=_validate,
)

register(DNS_INCIDENT)
