"""The deployment steps of the Service Connect lesson and the DNS step of the Service Discovery
lesson (issue 12 §1): both languages, their inline scenarios, and what the engine makes of them.

The figures are the engine's, seed 1 (the seed lesson players run). The prose only says what these
tests hold: test traffic reaches green before production, a bad green is rolled back in
TEST_TRAFFIC_SHIFT with no production error, and every MULTIVALUE answer holds 8 of the 12 records.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from patterns.lessons import quiz
from patterns.lessons.comparison import SEED
from patterns.lessons.content import (
    LANGUAGES,
    ContentError,
    Player,
    Step,
    load_lessons,
    parse_lesson,
)
from patterns.player.playback import Playback
from patterns.sim import run
from patterns.sim.narrate import narrate

pytestmark = pytest.mark.unit

STEPS = {
    # (lesson, step number): (pattern, scenario name)
    ("service-connect", 7): ("service-connect", "canary-with-test-traffic"),
    ("service-connect", 8): ("service-connect", "canary-bad-green"),
    ("service-discovery", 7): ("service-discovery", "multivalue-12-tasks"),
}
TITLES = {
    "en": {
        ("service-connect", 7): "Deployments: blue/green, linear and canary",
        ("service-connect", 8): "A bad green, rolled back by its alarm",
        ("service-discovery", 7): "What DNS answers",
    },
    "ja": {
        ("service-connect", 7): "デプロイ：ブルー/グリーン、リニア、カナリア",
        ("service-connect", 8): "悪いグリーンを、アラームでロールバック",
        ("service-discovery", 7): "DNS が返す答え",
    },
}


def _step(lang: str, slug: str, number: int) -> Step:
    lessons = {lesson.slug: lesson for lesson in load_lessons(lang)}
    return lessons[slug].step(number)


def _scenario(slug: str, number: int, lang: str = "en") -> dict[str, Any]:
    player = _step(lang, slug, number).stage
    assert isinstance(player, Player)
    assert player.inline is not None
    return player.inline


def _run(slug: str, number: int) -> dict[str, Any]:
    pattern, _ = STEPS[(slug, number)]
    return run(_scenario(slug, number), pattern=pattern, seed=SEED)


def _deployment(result: dict[str, Any]) -> list[tuple[float, str, Any]]:
    return [
        (e["t"], e["cause"], e.get("green_percent"))
        for e in result["events"]
        if e["kind"] == "deployment" and e.get("service") == "inventory"
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("slug", "number"), sorted(STEPS))
def test_each_new_step_has_its_title_and_an_inline_player_in_both_languages(
    lang: str, slug: str, number: int
) -> None:
    step = _step(lang, slug, number)
    pattern, name = STEPS[(slug, number)]

    assert step.title == TITLES[lang][(slug, number)]
    assert isinstance(step.stage, Player)
    assert (step.stage.pattern, step.stage.scenario) == (pattern, "inline")
    assert step.stage.inline is not None
    assert step.stage.inline["name"] == name
    # The description is prose in the file's language; the scenario itself is the same.
    en, ja = (_scenario(slug, number, each) for each in ("en", "ja"))
    assert {**en, "description": ""} == {**ja, "description": ""}


def test_the_canary_step_sends_test_traffic_to_green_first_then_10_percent_then_all() -> None:
    result = _run("service-connect", 7)

    assert _deployment(result) == [
        (30.0, "strategy_deployment_started", None),
        (70.0, "test_traffic_shifted", 0.0),
        (80.0, "production_traffic_shifted", 10.0),
        (150.0, "production_traffic_shifted", 100.0),
        (160.0, "bake_time_started", None),
        (220.0, "blue_green_clean_up", None),
        (220.0, "deployment_finished", None),
    ]
    stages = [e["stage"] for e in result["events"] if e["kind"] == "deployment" and "stage" in e]
    assert stages == [
        "SCALE_UP",
        "TEST_TRAFFIC_SHIFT",
        "PRODUCTION_TRAFFIC_SHIFT",
        "PRODUCTION_TRAFFIC_SHIFT",
        "BAKE_TIME",
        "CLEAN_UP",
    ]
    assert result["summary"]["errors"] == {}


def test_the_bad_green_step_is_rolled_back_in_test_traffic_shift_before_any_user_sees_it() -> None:
    result = _run("service-connect", 8)

    assert _deployment(result) == [
        (30.0, "strategy_deployment_started", None),
        (70.0, "test_traffic_shifted", 0.0),
        (76.0, "deployment_alarm", 0.0),
        (76.0, "deployment_rolled_back", 0.0),
    ]
    rolled = next(e for e in result["events"] if e["cause"] == "deployment_rolled_back")
    assert (rolled["stage"], rolled["by"]) == ("TEST_TRAFFIC_SHIFT", "alarm")
    # The summary's edges follow the scenario's traffic entries; the last one is the test traffic.
    flows = zip(result["scenario"]["traffic"], result["summary"]["edges"], strict=True)
    errors = [(flow.get("test", False), edge["to"], edge["errors"]) for flow, edge in flows]
    assert errors == [
        (False, "contract", {}),
        (False, "inventory", {}),
        (False, "billing", {}),
        (True, "inventory", {"http_500": 3}),
    ]
    assert result["summary"]["errors"] == {"http_500": 3}


def test_the_dns_step_answers_8_records_of_12_tasks_and_shows_health_30_s_later() -> None:
    result = _run("service-discovery", 7)
    answers = [e for e in result["events"] if e["cause"] == "dns_cache_miss"]

    assert len(answers) == 24
    assert {(len(e["ips"]), e["answer"]) for e in answers} == {(8, "multivalue_answer")}
    inventory = result["scenario"]["services"][1]
    assert (inventory["name"], inventory["tasks"]) == ("inventory", 12)
    failed = next(e for e in result["events"] if e["cause"] == "container_health_failed")
    changed = next(e for e in result["events"] if e["cause"] == "custom_health_changed")
    assert (failed["task"], failed["t"]) == ("inventory-5", 113.661701)
    assert (changed["task"], changed["status"]) == ("inventory-5", "UNHEALTHY")
    assert changed["t"] == pytest.approx(failed["t"] + 30.0)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_dns_steps_player_lists_each_answer_with_its_record_count(lang: str) -> None:
    playback = Playback(
        _scenario("service-discovery", 7), "service-discovery", SEED, lang=lang, topology_hook=None
    )
    rows = []
    while not playback.ended:
        for frame in playback.step():
            rows.extend(row for row in frame["events"] if row["cause"] == "dns_cache_miss")

    assert len(rows) == 24
    # The player keeps a number with its unit (a no-break space): "8 件" never splits over lines.
    word = "8 records in the answer" if lang == "en" else "答えのレコードは 8\u00a0件です"
    assert all(word in row["text"] and "MULTIVALUE" in row["text"] for row in rows)


@pytest.mark.parametrize(
    ("answer", "ips", "en", "ja"),
    [
        (
            "multivalue_answer",
            8,
            ": 8 records in the answer (MULTIVALUE: up to 8 healthy).",
            "答えのレコードは 8 件です（MULTIVALUE、正常なレコードから最大 8 件）。",
        ),
        (
            "weighted_all_unhealthy",
            1,
            ": 1 records in the answer (WEIGHTED: none healthy, so one of all).",
            "答えのレコードは 1 件です（WEIGHTED、正常なレコードがないためすべて正常とみなして 1 件）。",
        ),
        ("dns_nxdomain", 0, ": 0 records in the answer (NXDOMAIN).", "0 件です（NXDOMAIN）。"),
    ],
)
def test_a_dns_answer_is_narrated_with_its_record_count_and_policy(
    answer: str, ips: int, en: str, ja: str
) -> None:
    event = {
        "t": 6.5,
        "kind": "hop",
        "cause": "dns_cache_miss",
        "source": "contract-1",
        "record": "inventory.local",
        "ips": ["10.0.0.1"] * ips,
        "answer": answer,
        "ttl_s": 30.0,
    }

    assert narrate(event, "en").endswith(en)
    assert narrate(event, "ja").endswith(ja)


CANARY = {
    "duration_s": 120,
    "actions": [{"at_s": 10, "do": "deploy", "service": "inventory", "strategy": "canary"}],
}


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [("service-discovery", "service-discovery"), ("app-mesh", "app-mesh"), ("all", "app-mesh")],
)
def test_an_inline_canary_under_a_pattern_that_refuses_it_fails_when_the_file_loads(
    pattern: str, refused: str
) -> None:
    text = (
        "---\ntitle: T\norder: 1\nsummary: S\nminutes: 3\n---\n## S\n"
        f"::: player pattern={pattern} scenario=inline\n{json.dumps(CANARY)}\n:::\n"
    )

    with pytest.raises(ContentError) as error:
        parse_lesson(text, Path("en/01-demo.md"), "en")

    assert error.value.line == 8
    assert f"player: inline scenario under pattern {refused}: actions[0].strategy" in str(
        error.value
    )
    assert "not supported" in str(error.value)


@pytest.mark.parametrize("pattern", ["elb", "service-connect"])
def test_an_inline_canary_under_elb_or_service_connect_loads(pattern: str) -> None:
    text = (
        "---\ntitle: T\norder: 1\nsummary: S\nminutes: 3\n---\n## S\n"
        f'::: player pattern={pattern} scenario=inline start=25 watch="Watch green."\n'
        f"{json.dumps(CANARY)}\n:::\n"
    )

    player = parse_lesson(text, Path("en/01-demo.md"), "en").steps[0].stage

    assert isinstance(player, Player)
    assert player.inline == CANARY


# --------------------------------------------------------------------------- quiz


@pytest.mark.parametrize(
    ("registered", "healthy", "records"),
    [(12, 12, 8), (12, 5, 5), (6, 6, 6), (12, 0, 8), (6, 0, 6), (16, 13, 8)],
)
def test_multivalue_answer_size_is_8_healthy_at_most_and_fails_open(
    registered: int, healthy: int, records: int
) -> None:
    assert quiz.multivalue_answer_size(registered, healthy) == records


def test_the_drawn_multivalue_question_has_one_right_answer_the_engines_rule() -> None:
    seen = set()
    for seed in range(60):
        with translation.override("en"):
            question = quiz.multivalue_records(random.Random(seed))
        registered, healthy = (
            int(n) for n in re.findall(r"(\d+) (?:tasks|of them)", question.prompt)
        )
        assert question.answer == quiz.multivalue_answer_size(registered, healthy)
        assert question.kind == "numeric" and question.tolerance == 0
        seen.add(healthy == 0)
    assert seen == {True, False}  # both the healthy and the fail-open case are drawn


NEW_QUESTIONS = {
    # (slug, quiz id): words of each new prompt, en and ja
    ("service-connect", "service-connect-basics"): {
        "en": ("reach the green revision first", "rolls a bad green back", "move the traffic"),
        "ja": (
            "最初にグリーン",
            "悪いグリーンを自動でロールバック",
            "ECS 自身がトラフィックを移す",
        ),
    },
    ("service-discovery", "service-discovery-basics"): {
        "en": ("fails its health check", "bridge network mode", "got NXDOMAIN"),
        "ja": (
            "すべてヘルスチェックに失敗",
            "ブリッジネットワークモード",
            "NXDOMAIN を受け取りました",
        ),
    },
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("slug", "quiz_id"), sorted(NEW_QUESTIONS))
def test_the_lesson_quizzes_ask_the_new_questions_in_both_languages(
    lang: str, slug: str, quiz_id: str
) -> None:
    lesson = {lesson.slug: lesson for lesson in load_lessons(lang)}[slug]
    directive = quiz.find_quiz(lesson, quiz_id)
    assert directive is not None

    with translation.override(lang):
        pool = quiz.written(directive)

    prompts = [variant.prompt for _key, variants in pool for variant in variants]
    for words in NEW_QUESTIONS[(slug, quiz_id)][lang]:
        assert sum(words in prompt for prompt in prompts) == 1, words


@pytest.mark.parametrize(("percent", "answer"), [(10, 10), (15, 7), (25, 4), (30, 4), (40, 3)])
def test_the_drawn_linear_question_counts_the_engines_production_steps(
    percent: int, answer: int
) -> None:
    for seed in range(200):
        with translation.override("en"):
            question = quiz.linear_steps(random.Random(seed))
        if f"stepPercent {percent}." not in question.prompt:
            continue
        assert question.answer == answer
        assert question.kind == "numeric" and question.tolerance == 0
        return
    pytest.fail(f"stepPercent {percent} was never drawn")
