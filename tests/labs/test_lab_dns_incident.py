"""Lab 9, the stale-DNS incident: the diagnosis, then a fix between the goal and the query budget.

Learner seed 3 draws a client that caches forever (record TTL 10 s), a goal of 120 s and a budget
of 250 Route 53 queries; learner seed 2 a 600 s TTL honoured by the callers, 130 s and 200.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from patterns.labs import checks as labs
from patterns.labs.lab_dns_incident import DNS_INCIDENT


def _values(what: str, why: str, ttl: int | None, cache: str = "ttl") -> dict[str, Any]:
    return {"what_broke": what, "why": why, "dns_ttl_s": ttl, "dns_cache": cache}


def _check(values: dict[str, Any], learner_seed: int = 3) -> labs.Verdict:
    with translation.override("en"):
        return labs.check(DNS_INCIDENT, values, labs.draw_params(DNS_INCIDENT, learner_seed))


def _broken(verdict: labs.Verdict) -> dict[str, str]:
    return {o.key: o.detail for o in verdict.outcomes if not o.passed}


def test_dns_incident_draws() -> None:
    three, two = (labs.draw_params(DNS_INCIDENT, seed) for seed in (3, 2))

    assert (three["kind"], three["incident_ttl_s"], three["goal_s"], three["query_budget"]) == (
        "forever",
        10,
        120,
        250,
    )
    assert (two["kind"], two["incident_ttl_s"], two["goal_s"], two["query_budget"]) == (
        "ttl",
        600,
        130,
        200,
    )


def test_dns_incident_the_sandbox_plays_the_incident_before_any_answer() -> None:
    params = labs.draw_params(DNS_INCIDENT, 3)

    scenario = DNS_INCIDENT.build(DNS_INCIDENT.defaults(), params)

    assert scenario["settings"] == {
        "cloud_map": {"dns_ttl_s": 10},
        "client": {"dns_cache": "forever"},
    }


def test_dns_incident_needs_a_diagnosis_first() -> None:
    errors = DNS_INCIDENT.validate(DNS_INCIDENT.defaults())

    assert [name for name, _ in errors] == ["what_broke", "why"]


def test_dns_incident_reasoned_fix_passes() -> None:
    verdict = _check(_values("stale_ips", "client_forever", 15))

    assert verdict.passed is True
    assert verdict.moment == 170.0
    assert dict(verdict.measures) == {
        "Last second with a failed request": "169 s",
        "Failed requests": "492",
        "Queries sent to Route 53": "210",
    }


def test_dns_incident_the_long_ttl_variant_keeps_the_client_cache() -> None:
    verdict = _check(_values("stale_ips", "ttl_long", 25, ""), learner_seed=2)

    assert verdict.passed is True
    assert "callers stopped failing 124 s after the deployment started (goal 130 s)" in (
        verdict.message
    )


def test_dns_incident_wrong_diagnoses_are_not_corrected() -> None:
    what = _check(_values("unhealthy", "client_forever", 15))
    why = _check(_values("stale_ips", "ttl_long", 15))

    assert list(_broken(what)) == ["what-broke"]
    assert list(_broken(why)) == ["why"]
    assert why.message == (
        "Not yet. Why: it does not match the events: compare how long callers kept the old answer "
        "with the record's TTL."
    )
    assert "client" not in why.message  # the right cause is not given away
    assert what.moment == why.moment == 160.404519  # the first stale cache hit
    assert what.events[0] == (
        160.404519,
        "contract-1 resolved from a cache listing an IP the zone no longer serves.",
    )


def test_dns_incident_a_ttl_alone_does_not_fix_a_forever_cache() -> None:
    verdict = _check(_values("stale_ips", "client_forever", 15, ""))

    assert _broken(verdict) == {
        "failures-end": "callers failed until 290 s after the deployment started; the goal is at "
        "most 120 s."
    }


def test_dns_incident_ttl_zero_breaks_the_query_budget() -> None:
    verdict = _check(_values("stale_ips", "client_forever", 0))

    assert _broken(verdict) == {
        "query-budget": "the resolvers sent 10941 queries to Route 53; the budget is 250. A "
        "shorter TTL means more of them."
    }


def test_dns_incident_ttl_sixty_is_too_slow() -> None:
    verdict = _check(_values("stale_ips", "client_forever", 60))

    assert list(_broken(verdict)) == ["failures-end"]
    assert "callers failed until 127 s after the deployment started" in verdict.message
