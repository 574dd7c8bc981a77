"""Labs: checks pass and fail with exact verdicts, per-learner numbers, texts in both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from patterns.labs import checks as labs
from patterns.labs.texts import LAB_TEXT_DIR, lab_text
from patterns.lessons.content import LANGUAGES
from patterns.sim import load_scenario

# One configuration a lab accepts for any drawn numbers (the canary's rollback is set per test).
SOLUTIONS: dict[str, dict[str, Any]] = {
    "elb-dead-task": {"interval_s": 5, "timeout_s": 2, "unhealthy_threshold": 2},
    # ECS stops the old tasks only once the new ones pass their first container check (30 s
    # after RUNNING), so a TTL of 5 s with 2 retries now ends 79-85 s after the deploy: too late
    # for the 70 and 80 s goals. With 5 retries callers reach a new IP by 53 s at the latest.
    "stale-dns": {"dns_ttl_s": 5, "retries": 5, "dns_cache": "ttl"},
    # Short enough that the slow task is ejected soon, longer than the healthy answers (<= 2.1 s).
    "service-connect-outlier": {"per_request_timeout_s": 3},
    "app-mesh-canary": {"canary_weight": 10, "rollback_at_s": 60},
    "az-outage": {"predict_most": "service-discovery", "predict_fewest": "service-connect"},
    # Held PENDING until the app's first passing check, and failures counted from 40 s after the
    # containers start: starters of 40-60 s fail at most twice first (3 retries), the broken
    # task is replaced 70 s after the scale-out, inside every drawn goal (80-110 s).
    "slow-starters": {"depends_on_healthy": "yes", "start_period_s": 40, "grace_period_s": 0},
}
WRONG_PREDICTION = {"predict_most": "elb", "predict_fewest": "elb"}


def _check(slug: str, values: dict[str, Any], learner_seed: int = 1) -> labs.Verdict:
    lab = labs.LABS[slug]
    with translation.override("en"):
        return labs.check(lab, values, labs.draw_params(lab, learner_seed))


def test_labs_are_listed_in_order() -> None:
    orders = [lab.order for lab in labs.LABS.values()]

    assert orders == list(range(1, 11))


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


def test_service_connect_check_only_sets_what_aws_lets_you_set() -> None:
    # Content review A1: retries and outlier detection are fixed by AWS, so the lab's one field
    # is ServiceConnectService.timeout.perRequestTimeoutSeconds, and its runs are never what-ifs.
    lab = labs.SC_OUTLIER
    scenario = lab.build(lab.defaults(), labs.draw_params(lab, 1))

    assert [f.setting for f in lab.fields] == ["settings.service_connect.per_request_timeout_s"]
    assert load_scenario({**scenario, "pattern": "service-connect"}).what_if == ()


def test_service_connect_check_default_timeout_lets_requests_pile_up() -> None:
    verdict = _check("service-connect-outlier", labs.SC_OUTLIER.defaults())

    assert verdict.message == "Not yet: callers saw 225 failed requests; the goal is at most 120."


def test_service_connect_check_too_short_a_timeout_cuts_off_healthy_tasks() -> None:
    verdict = _check("service-connect-outlier", {"per_request_timeout_s": 1})

    assert verdict.message == (
        "Not yet: callers saw 6162 failed requests; the goal is at most 120. A 1 s timeout also "
        "cuts off the healthy tasks, whose answers take up to 2.1 s."
    )


def test_service_connect_check_a_short_timeout_passes() -> None:
    verdict = _check("service-connect-outlier", SOLUTIONS["service-connect-outlier"])

    assert verdict.message == (
        "Passed: 70 failed requests (goal at most 120) with a 3 s per-request timeout."
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


def _slow(depends_on_healthy: str, start_period_s: int, grace_period_s: int = 0) -> labs.Verdict:
    # Learner 1 draws an app that answers 40 s after its containers start, at most 2 failed
    # requests and the broken task replaced within 90 s of the scale-out.
    assert labs.draw_params(labs.SLOW_STARTERS, 1)["app_start_s"] == 40
    values = {
        "depends_on_healthy": depends_on_healthy,
        "start_period_s": start_period_s,
        "grace_period_s": grace_period_s,
    }
    return _check("slow-starters", values)


def test_slow_starters_check_fields_are_real_ecs_settings() -> None:
    names = [(f.name, f.setting) for f in labs.SLOW_STARTERS.fields]

    assert names == [
        ("depends_on_healthy", "settings.ecs.depends_on_healthy"),
        ("start_period_s", "settings.ecs.container_health_start_period_s"),
        ("grace_period_s", "settings.ecs.health_check_grace_period_s"),
    ]


def test_slow_starters_check_defaults_fail_on_replaced_starters() -> None:
    verdict = _check("slow-starters", labs.SLOW_STARTERS.defaults())

    assert verdict.message == (
        "Not yet: ECS replaced inventory-4 while its app was still starting (8 tasks in all); the "
        "goal is that no starting task is replaced. Its health check failed its retries before "
        "the app could answer."
    )


def test_slow_starters_check_start_period_without_depends_on_fails_on_requests() -> None:
    verdict = _slow("no", 40)

    assert verdict.message == (
        "Not yet: callers saw 10 failed requests; the goal is at most 2. Service Connect sent "
        "them to tasks that were RUNNING but could not answer yet."
    )


def test_slow_starters_check_depends_on_without_start_period_fails_on_replaced_starters() -> None:
    verdict = _slow("yes", 0)

    assert verdict.passed is False
    assert verdict.message.startswith("Not yet: ECS replaced inventory-4 while its app was still")


@pytest.mark.parametrize("values", [("yes", 300, 0), ("yes", 0, 7200)])
def test_slow_starters_check_endless_start_or_grace_period_never_replaces_the_broken_task(
    values: tuple[str, int, int],
) -> None:
    verdict = _slow(*values)

    assert verdict.message == (
        "Not yet: by the end of the run ECS had not replaced the broken task inventory-5; the "
        "goal is within 90 s of the scale-out. A start or grace period that long also hides a "
        "task that never starts."
    )


def test_slow_starters_check_long_start_period_replaces_the_broken_task_too_late() -> None:
    # Failures count from 170 s (containers at 70 s + 100 s): the third is at 190 s.
    verdict = _slow("yes", 100)

    assert verdict.message == (
        "Not yet: ECS replaced the broken task inventory-5 only 130 s after the scale-out; the "
        "goal is within 90 s. A start or grace period that long also hides a task that never "
        "starts."
    )


def test_slow_starters_check_passes_with_depends_on_and_a_start_period() -> None:
    verdict = _check("slow-starters", SOLUTIONS["slow-starters"])

    assert verdict.passed is True
    assert verdict.message == (
        "Passed: no starting task was replaced, callers saw 0 failed requests (at most 2), ECS "
        "replaced the broken task 70 s after the scale-out (goal 90 s) and all 6 inventory tasks "
        "serve."
    )
    assert verdict.measures == (
        ("Failed requests", "0"),
        ("Starting tasks ECS replaced", "—"),
        ("Broken task replaced at", "130 s"),
        ("inventory tasks serving at the end", "6"),
    )


def test_slow_starters_check_passes_with_depends_on_and_a_grace_period() -> None:
    # The starters turn UNHEALTHY inside the 50 s grace and pass at 110 s; the broken task is
    # still UNHEALTHY when its grace ends at 120 s.
    verdict = _slow("yes", 0, 50)

    assert verdict.passed is True
    assert "replaced the broken task 60 s after the scale-out" in verdict.message


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
