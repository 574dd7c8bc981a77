"""Labs: checks pass and fail with exact verdicts, per-learner numbers, texts in both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from patterns.labs import checks as labs
from patterns.labs.texts import LAB_TEXT_DIR, lab_text
from patterns.lessons.content import LANGUAGES

# One configuration a lab accepts for any drawn numbers (the canary's rollback is set per test).
SOLUTIONS: dict[str, dict[str, Any]] = {
    "elb-dead-task": {"interval_s": 5, "timeout_s": 2, "unhealthy_threshold": 2},
    # ECS stops the old tasks only once the new ones pass their first container check (30 s
    # after RUNNING), so a TTL of 5 s with 2 retries now ends 79-85 s after the deploy: too late
    # for the 70 and 80 s goals. With 5 retries callers reach a new IP by 53 s at the latest.
    "stale-dns": {"dns_ttl_s": 5, "retries": 5, "dns_cache": "ttl"},
    "service-connect-outlier": {
        "num_retries": 2,
        "retry_on": "5xx",
        "consecutive_5xx": 1,
        "base_ejection_time_s": 300,
    },
    "app-mesh-canary": {"canary_weight": 10, "rollback_at_s": 60},
    "az-outage": {"predict_most": "service-discovery", "predict_fewest": "service-connect"},
    # The grace must last until the targets are healthy again (5 passes 10 s apart after the app
    # answers); with 60 s they are still unhealthy when it ends and ECS replaces them then.
    "slow-starters": {"pattern": "elb", "interval_s": 10, "grace_period_s": 90, "num_retries": 2},
}
WRONG_PREDICTION = {"predict_most": "elb", "predict_fewest": "elb"}


def _check(slug: str, values: dict[str, Any], learner_seed: int = 1) -> labs.Verdict:
    lab = labs.LABS[slug]
    with translation.override("en"):
        return labs.check(lab, values, labs.draw_params(lab, learner_seed))


def test_labs_there_are_six_in_order() -> None:
    orders = [lab.order for lab in labs.LABS.values()]

    assert orders == [1, 2, 3, 4, 5, 6]


def test_draw_params_same_seed_same_numbers() -> None:
    lab = labs.LABS["elb-dead-task"]

    first, again = labs.draw_params(lab, 1), labs.draw_params(lab, 1)

    assert first == again == {"fault_at": 75, "goal_s": 30, "seed": 168}


def test_draw_params_differ_between_learners() -> None:
    lab = labs.LABS["service-connect-outlier"]

    drawn = {tuple(sorted(labs.draw_params(lab, seed).items())) for seed in range(1, 11)}

    assert len(drawn) == 10


def test_elb_check_defaults_fail_naming_measured_window_and_goal() -> None:
    verdict = _check("elb-dead-task", labs.ELB_DEAD_TASK.defaults())

    assert verdict.passed is False
    assert verdict.message == (
        "Not yet: the dead task still got requests until 136.9 s, 61.9 s after it stopped "
        "answering; the goal is 30 s."
    )


def test_elb_check_fast_health_checks_pass() -> None:
    verdict = _check("elb-dead-task", SOLUTIONS["elb-dead-task"])

    assert verdict.passed is True
    assert verdict.message == (
        "Passed: the dead task got its last request at 83.4 s, 8.4 s after it stopped "
        "answering; the goal was at most 30 s."
    )
    assert verdict.measures[2] == ("Dead-task window", "8.4 s")


def test_stale_dns_check_default_ttl_fails() -> None:
    verdict = _check("stale-dns", labs.STALE_DNS.defaults())

    assert verdict.message == (
        "Not yet: callers still used stale IPs and failed until 418 s, 348 s after the "
        "deployment started; the goal is 80 s."
    )


def test_stale_dns_check_short_ttl_passes() -> None:
    verdict = _check("stale-dns", SOLUTIONS["stale-dns"])

    assert verdict.message == (
        "Passed: callers stopped failing at 120 s, 50 s after the deployment started; the goal "
        "was at most 80 s."
    )


def test_service_connect_check_default_retries_miss_http_500() -> None:
    verdict = _check("service-connect-outlier", labs.SC_OUTLIER.defaults())

    assert verdict.message == "Not yet: callers saw 45 failed requests; the goal is at most 8."


def test_service_connect_check_retries_alone_cost_too_many_retries() -> None:
    values = {"num_retries": 2, "retry_on": "5xx", "consecutive_5xx": 5, "base_ejection_time_s": 30}

    verdict = _check("service-connect-outlier", values)

    assert verdict.passed is False
    assert verdict.message == (
        "Almost: only 0 failed requests, but the proxies sent 45 retries to hide them; the goal "
        "is at most 30. Let outlier detection take the bad task out sooner."
    )


def test_canary_check_without_rollback_fails() -> None:
    verdict = _check("app-mesh-canary", labs.MESH_CANARY.defaults())

    assert verdict.message == (
        "Not yet: inventory-v2 fails and you never rolled back, so it kept 223 requests and "
        "callers saw 90 failures. Set a rollback time."
    )


def test_canary_check_rollback_after_enough_requests_passes() -> None:
    verdict = _check("app-mesh-canary", SOLUTIONS["app-mesh-canary"])

    assert verdict.message == (
        "Passed: the canary got 57 requests (at least 40) and the rollback kept failed requests "
        "to 25 (at most 32)."
    )


def test_canary_check_too_small_a_canary_fails() -> None:
    verdict = _check("app-mesh-canary", {"canary_weight": 1, "rollback_at_s": 60})

    assert verdict.passed is False
    assert verdict.message.startswith("Not yet: the canary got only ")


def test_az_outage_check_wrong_prediction_names_what_engine_measured() -> None:
    verdict = _check("az-outage", WRONG_PREDICTION)

    assert verdict.message == (
        "Not this time: the engine measured ECS Service Discovery failing the most requests "
        "(1707) and ECS Service Connect the fewest (0) when ap-northeast-1c failed. Read the "
        "hints, then predict again."
    )


def test_az_outage_check_right_prediction_passes() -> None:
    verdict = _check("az-outage", SOLUTIONS["az-outage"])

    assert verdict.passed is True
    assert [label for label, _ in verdict.measures] == [
        "ELB",
        "AWS App Mesh",
        "ECS Service Discovery",
        "ECS Service Connect",
    ]


def test_slow_starters_check_service_connect_defaults_fail() -> None:
    verdict = _check("slow-starters", labs.SLOW_STARTERS.defaults())

    assert verdict.message == (
        "Not yet: callers saw 8 failed requests while the new tasks started; the goal is at most 2."
    )


def test_slow_starters_check_eager_alb_health_check_gets_tasks_replaced() -> None:
    values = {"pattern": "elb", "interval_s": 10, "grace_period_s": 0, "num_retries": 2}

    verdict = _check("slow-starters", values)

    assert verdict.message == (
        "Not yet: inventory-6 failed its load balancer health checks while its app was still "
        "starting, so ECS stopped it (12 tasks replaced in all). Give new tasks time before "
        "health checks count."
    )


@pytest.mark.parametrize(
    "values",
    [
        SOLUTIONS["slow-starters"],
        {"pattern": "service-connect", "interval_s": 10, "grace_period_s": 0, "num_retries": 4},
    ],
)
def test_slow_starters_check_passes_with_either_pattern(values: dict[str, Any]) -> None:
    verdict = _check("slow-starters", values)

    assert verdict.message == (
        "Passed: all 6 inventory tasks serve, none was replaced, and callers saw 0 failed "
        "requests (at most 2)."
    )


@pytest.mark.parametrize("learner_seed", [2, 3, 4])
@pytest.mark.parametrize("slug", sorted(SOLUTIONS))
def test_lab_every_learner_fails_defaults_and_can_pass(slug: str, learner_seed: int) -> None:
    lab = labs.LABS[slug]
    params = labs.draw_params(lab, learner_seed)
    tries = [dict(SOLUTIONS[slug])]
    if slug == "app-mesh-canary":  # about one canary request a second at weight 10: try a few
        tries = [{**tries[0], "rollback_at_s": params["min_canary"] * f} for f in (1.2, 1.4, 1.6)]
    defaults = WRONG_PREDICTION if slug == "az-outage" else lab.defaults()

    with translation.override("en"):
        failed = labs.check(lab, defaults, params)
        passed = [labs.check(lab, values, params) for values in tries]

    assert failed.passed is False
    assert any(verdict.passed for verdict in passed), [v.message for v in passed]


def test_lab_verdicts_in_japanese() -> None:
    lab = labs.ELB_DEAD_TASK

    with translation.override("ja"):
        verdict = labs.check(lab, lab.defaults(), labs.draw_params(lab, 1))

    assert "136.9" in verdict.message
    assert "30" in verdict.message


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", sorted(labs.LABS))
def test_lab_text_exists_and_fills_only_drawn_numbers(slug: str, lang: str) -> None:
    lab = labs.LABS[slug]
    params = labs.draw_params(lab, 1)

    text = lab_text(lang, slug)
    tokens = set(re.findall(r"\[\[(\w+)\]\]", text["goal"] + "".join(text["hints"])))

    assert len(text["hints"]) >= 2
    assert tokens <= set(params), tokens - set(params)


def test_lab_texts_same_files_in_every_language() -> None:
    names = {lang: sorted(p.name for p in (LAB_TEXT_DIR / lang).glob("*.md")) for lang in LANGUAGES}

    assert (
        names["en"]
        == names["ja"]
        == [f"{lab.order:02d}-{lab.slug}.md" for lab in labs.LABS.values()]
    )
