"""Quizzes: drawn and engine-run questions, shuffled attempts, variants, the lazy learner,
grading with a hint and a second try, and what the views record."""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import translation

from patterns.lessons import quiz
from patterns.lessons.comparison import dead_task_window
from patterns.lessons.content import load_lessons
from patterns.progress.records import SESSION_KEY
from patterns.sim import BUILTIN_SCENARIOS, run

HX = {"HTTP_HX_REQUEST": "true"}
ATTEMPTS = range(1, quiz.ATTEMPT_POOL + 1)


def _lesson(slug: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    return {lesson.slug: lesson for lesson in load_lessons(lang)}[slug]


def _all_quizzes(lang: str = "en"):  # type: ignore[no-untyped-def]
    for lesson in load_lessons(lang):
        for directive in quiz.lesson_quizzes(lesson):
            yield lesson, directive


def _asked(slug: str, seed: int, lang: str = "en") -> list[quiz.Question]:
    lesson = _lesson(slug, lang)
    (directive,) = quiz.lesson_quizzes(lesson)
    with translation.override(lang):
        return quiz.questions(lesson, directive, seed)


# --------------------------------------------------------------------------- drawn questions


def test_worst_alb_window_worked_example_defaults_give_65_s() -> None:
    # interval 30, timeout 5, threshold 2 (the ALB defaults): 2 x 30 + 5 = 65 s.
    assert quiz.worst_alb_window(30, 5, 2) == 65


def test_alb_window_question_answer_is_the_worst_window() -> None:
    with translation.override("en"):
        question = quiz.alb_window(random.Random(3))

    interval, timeout = (int(n) for n in re.findall(r"(\d+) s", question.prompt)[:2])
    threshold = int(re.search(r"after (\d+) failed", question.prompt).group(1))  # type: ignore[union-attr]

    assert question.kind == "numeric"
    assert question.answer == quiz.worst_alb_window(interval, timeout, threshold)
    assert question.tolerance == 0


def test_ejection_time_caps_at_300_s() -> None:
    answers = {quiz.ejection_time(random.Random(seed)).answer for seed in range(200)}

    assert 300 in answers
    assert max(answers) == 300


def test_drawn_questions_never_ask_to_set_a_fixed_service_connect_knob() -> None:
    # Service Connect's retries and ejection rule are fixed by AWS: the retry count is an App Mesh
    # question, and the Service Connect ejection question always starts from AWS's 30 s.
    assert quiz.retry_attempts not in quiz.DRAWN["service-connect"]
    assert quiz.retry_attempts in quiz.DRAWN["app-mesh"]
    prompts = {quiz.ejection_time(random.Random(seed)).prompt for seed in range(40)}
    assert all("fixed by AWS" in p and "ejected for 30 to 300 s" in p for p in prompts)
    assert "App Mesh route" in quiz.retry_attempts(random.Random(1)).prompt


@pytest.mark.parametrize("slug", sorted(quiz.DRAWN))
def test_every_lesson_draws_a_numeric_question(slug: str) -> None:
    kinds = {draw(random.Random(1)).kind for draw in quiz.DRAWN[slug]}

    assert "numeric" in kinds


@pytest.mark.parametrize(
    "draw", sorted({d for draws in quiz.DRAWN.values() for d in draws}, key=lambda d: d.__name__)
)
def test_drawn_question_is_well_formed(draw) -> None:  # type: ignore[no-untyped-def]
    for seed in range(12):
        question = draw(random.Random(seed))

        assert question.hint and question.explanation and question.key
        if question.kind == "numeric":
            assert question.choices == () and question.tolerance >= 0
        else:
            assert len(question.correct) == 1
            assert len(set(question.choices)) == len(question.choices) >= 3


def test_inventory_requests_key_is_the_engines_count() -> None:
    for seed in range(6):
        rng = random.Random(seed)
        rps, duration, run_seed = (
            rng.choice((5, 10, 20)),
            rng.choice((60, 90, 120)),
            rng.randint(1, 5),
        )
        question = quiz.inventory_requests(random.Random(seed))

        result = run(json.loads(quiz._steady(rps, duration)), pattern="elb", seed=run_seed)
        assert question.answer == result["summary"]["per_service"]["inventory"]["requests"]
        assert question.is_right(float(rps * duration))  # the learner's arithmetic is within 15 %


def test_dead_task_seconds_key_is_the_engines_window() -> None:
    for seed in range(8):
        rng = random.Random(seed)
        pattern = rng.choice(("elb", "service-discovery"))
        question = quiz.dead_task_seconds(random.Random(seed))

        window, _open = dead_task_window(run("kill-task", pattern=pattern, seed=1))
        assert question.answer == round(window, 1)


@pytest.mark.parametrize("pattern", ["elb", "service-discovery", "service-connect"])
def test_predict_key_is_the_engines_last_request_and_the_player_shows_that_run(
    pattern: str,
) -> None:
    for seed in range(4):
        question = quiz.predict_dead_task(pattern)(random.Random(seed))
        player = question.player
        assert player is not None

        result = run(player["scenario"], pattern=player["pattern"], seed=player["scenario"]["seed"])
        window, _open = dead_task_window(result)
        (right,) = [question.choices[n - 1] for n in question.correct]
        limit = {"less than 10 s": 10, "10 to 60 s": 60, "more than 60 s": 10_000}[right]
        assert window < limit
        assert player["at"] < 60 and player["pattern"] == pattern


def test_diagnose_pattern_key_names_the_pattern_the_engine_ran() -> None:
    with translation.override("en"):
        options = quiz._component_options()
        for seed in range(12):
            rng = random.Random(seed)
            scenario, pattern = (
                rng.choice(("kill-task", "az-outage")),
                rng.choice(("elb", "service-discovery", "service-connect")),
            )
            question = quiz.diagnose_pattern(random.Random(seed))

            assert [question.choices[n - 1] for n in question.correct] == [options[pattern]]
            assert scenario in BUILTIN_SCENARIOS
            assert "<table" in question.exhibit


def test_diagnose_timeout_shows_the_proxys_15_s_timeout() -> None:
    question = quiz.diagnose_timeout(random.Random(2))

    assert "http_504" in question.exhibit
    assert "15,000 ms" in question.exhibit


# --------------------------------------------------------------------------- attempts


def test_questions_same_attempt_same_order_new_attempt_other_order() -> None:
    first = _asked("elb", 11)
    again = _asked("elb", 11)
    orders = {tuple(q.choices for q in _asked("elb", seed)) for seed in ATTEMPTS}

    assert first == again
    assert len(orders) > 30


def test_shuffled_keeps_the_key_with_its_choice() -> None:
    question = quiz.Question("p", ("right", "b", "c", "d"), frozenset({1}), "why")

    for seed in range(20):
        mixed = quiz.shuffled(question, random.Random(seed))

        assert [mixed.choices[n - 1] for n in mixed.correct] == ["right"]


def test_order_question_shuffled_is_graded_by_the_true_order() -> None:
    question = quiz.Question(
        "p", ("a", "b", "c", "d"), frozenset(), "why", kind="order", order=(1, 2, 3, 4)
    )

    mixed = quiz.shuffled(question, random.Random(5))

    assert [mixed.choices[n - 1] for n in mixed.order] == ["a", "b", "c", "d"]
    assert mixed.is_right(mixed.order)
    assert not mixed.is_right((1, 2, 3, 4)) or mixed.order == (1, 2, 3, 4)


def test_correct_position_is_uniform_across_attempts() -> None:
    # Chi-square over every one-answer choice question of every lesson and every attempt seed,
    # grouped by the number of choices (critical values at p = 0.001: df 2 -> 13.82, 3 -> 16.27).
    counts: dict[int, Counter[int]] = {}
    for lesson, directive in _all_quizzes():
        for seed in ATTEMPTS:
            for question in quiz.questions(lesson, directive, seed):
                if question.kind == "choice" and len(question.correct) == 1:
                    (position,) = question.correct
                    counts.setdefault(len(question.choices), Counter())[position] += 1
    critical = {2: 10.83, 3: 13.82, 4: 16.27}

    for size, counter in counts.items():
        total = sum(counter.values())
        expected = total / size
        chi2 = sum((counter[p] - expected) ** 2 / expected for p in range(1, size + 1))
        assert chi2 < critical[size], (size, dict(counter))
    assert sum(sum(c.values()) for c in counts.values()) > 2000


def _lazy_answer(question: quiz.Question, position: int) -> quiz.Answer:
    if question.kind == "numeric":
        return 0.0
    if question.kind == "order":
        return tuple(range(1, len(question.choices) + 1))
    return frozenset({min(position, len(question.choices))})


@pytest.mark.parametrize("position", [1, 2, 3])
def test_a_lazy_learner_who_always_picks_one_position_scores_at_chance(position: int) -> None:
    score = chance = asked = 0.0
    for lesson, directive in _all_quizzes():
        for seed in ATTEMPTS:
            for question in quiz.questions(lesson, directive, seed):
                asked += 1
                score += question.is_right(_lazy_answer(question, position))
                if question.kind == "choice" and not question.multiple:
                    chance += 1 / len(question.choices)

    assert abs(score - chance) / asked < 0.03  # at chance: what guessing earns, no more
    assert score / asked < 0.4


@pytest.mark.parametrize("previous", [1, 2, 37, 59, 60])
def test_new_attempt_after_previous_asks_other_variants(previous: int) -> None:
    seeds = [
        quiz.new_attempt(previous, randbelow=lambda n, k=k: k)
        for k in range(len(quiz.RETAKE_STEPS))
    ]

    assert previous not in seeds
    for n in (2, 3):
        for offset in range(6):
            assert all((s + offset) % n != (previous + offset) % n for s in seeds)


def test_new_attempt_without_a_valid_previous_draws_from_the_whole_pool() -> None:
    seeds = [quiz.new_attempt(None, randbelow=lambda n, k=k: k) for k in range(quiz.ATTEMPT_POOL)]

    assert seeds == list(ATTEMPTS)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("65", 65.0),
        ("６５", 65.0),
        ("６５秒", 65.0),
        ("65 s", 65.0),
        ("1,200", 1200.0),
        ("１２．５", 12.5),
        ("", None),
        ("sixty", None),
    ],
)
def test_parse_number_accepts_full_width_digits_and_units(typed: str, value: float | None) -> None:
    assert quiz.parse_number(typed) == value


def test_numeric_answer_is_right_within_its_tolerance() -> None:
    question = quiz.Question("p", (), frozenset(), "why", kind="numeric", answer=100, tolerance=5)

    assert [question.is_right(v) for v in (95.0, 105.0, 94.9, None)] == [True, True, False, False]


def test_parse_answers_reads_each_kind_and_flags_a_word_typed_for_a_number() -> None:
    asked = [
        quiz.Question("a", ("x", "y", "z"), frozenset({1, 3}), "why"),
        quiz.Question("b", ("x", "y"), frozenset(), "why", kind="order", order=(2, 1)),
        quiz.Question("c", (), frozenset(), "why", kind="numeric", answer=3),
        quiz.Question("d", (), frozenset(), "why", kind="numeric", answer=3),
    ]
    data = QueryDict("q-1=1&q-1=3&q-1=evil&q-2-1=2&q-2-2=1&q-3=３&q-4=three")

    answers, errors = quiz.parse_answers(data, "q", asked)

    assert answers == {1: frozenset({1, 3}), 2: (2, 1), 3: 3.0, 4: None}
    assert errors == {4: "three"}
    assert [g.right for g in quiz.grade(asked, answers)] == [True, True, True, False]


def test_read_attempt_rejects_forged_token() -> None:
    token = quiz.sign_attempt(42)

    assert quiz.read_attempt(token) == 42
    assert quiz.read_attempt(token[:-2] + "xx") is None
    assert quiz.read_second_try(quiz.sign_second_try(7, [2, 3])) == (7, (2, 3))
    assert quiz.read_second_try(token) is None


# --------------------------------------------------------------------------- the views


def _answers(asked: list[quiz.Question], quiz_id: str, right: bool = True) -> dict[str, object]:
    data: dict[str, object] = {}
    for n, q in enumerate(asked, start=1):
        if q.kind == "numeric":
            data[f"{quiz_id}-{n}"] = str(q.answer if right else q.answer + 10 * q.tolerance + 1000)
        elif q.kind == "order":
            order = q.order if right else tuple(reversed(q.order))
            for slot, position in enumerate(order, start=1):
                data[f"{quiz_id}-{n}-{slot}"] = str(position)
        else:
            chosen = q.correct if right else {min(set(range(1, len(q.choices) + 1)) - q.correct)}
            data[f"{quiz_id}-{n}"] = [str(c) for c in sorted(chosen)]
    return data


@pytest.mark.django_db
def test_quiz_view_all_right_records_passed_and_offers_a_new_attempt(client: Client) -> None:
    asked = _asked("elb", 7)
    data = {"attempt": quiz.sign_attempt(7), **_answers(asked, "elb-basics")}

    response = client.post("/labs/quiz/elb/elb-basics/", data, **HX)

    total = len(asked)
    assert response.status_code == 200
    assert f"{total} of {total} right" in response.text
    assert "A new attempt" in response.text
    assert "<!doctype" not in response.text
    assert client.session[SESSION_KEY]["quizzes"] == {
        "elb": {"score": total, "total": total, "passed": True}
    }
    assert client.session[SESSION_KEY]["review"] == []


@pytest.mark.django_db
def test_quiz_view_wrong_answer_gives_a_hint_and_keeps_the_explanation_for_the_second_try(
    client: Client,
) -> None:
    asked = _asked("elb", 7)
    data = {"attempt": quiz.sign_attempt(7), **_answers(asked, "elb-basics")}
    data.update(_answers(asked[:1], "elb-basics", right=False))
    wrong = asked[0]

    first = client.post("/labs/quiz/elb/elb-basics/", data)

    total = len(asked)
    assert f"{total - 1} of {total} right" in first.text
    assert "quiz-graded__item--wrong" in first.text
    assert wrong.hint in first.text
    assert wrong.explanation not in first.text
    assert asked[1].explanation in first.text  # right answers are explained at once
    second = re.search(r'name="second" value="([^"]+)"', first.text)
    assert second is not None
    assert client.session[SESSION_KEY]["quizzes"]["elb"] == {
        "score": total - 1,
        "total": total,
        "passed": False,
    }
    (item,) = client.session[SESSION_KEY]["review"]
    assert (item["lesson"], item["quiz"], item["key"], item["seed"], item["box"]) == (
        "elb",
        "elb-basics",
        wrong.key,
        7,
        0,
    )

    again = client.post(
        "/labs/quiz/elb/elb-basics/",
        {"second": second.group(1), **_answers(asked[:1], "elb-basics")},
    )

    assert wrong.explanation in again.text
    assert f"Your score stays {total - 1} of {total}" in again.text
    assert client.session[SESSION_KEY]["quizzes"]["elb"]["score"] == total - 1
    assert "A new attempt" in again.text


@pytest.mark.django_db
def test_quiz_view_a_word_for_a_number_names_the_question_and_grades_nothing(
    client: Client,
) -> None:
    asked = _asked("elb", 7)
    data = {"attempt": quiz.sign_attempt(7), **_answers(asked, "elb-basics")}
    numeric = next(n for n, q in enumerate(asked, start=1) if q.kind == "numeric")
    data[f"elb-basics-{numeric}"] = "sixty"

    response = client.post("/labs/quiz/elb/elb-basics/", data, **HX)

    assert f'data-testid="error-elb-basics-{numeric}"' in response.text
    assert 'value="sixty"' in response.text
    assert "quiz-result" not in response.text
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_quiz_view_forged_attempt_gets_a_fresh_one(client: Client) -> None:
    response = client.post("/labs/quiz/elb/elb-basics/", {"attempt": "forged"}, **HX)

    assert response.status_code == 200
    assert "That attempt could not be read" in response.text
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_quiz_view_unknown_quiz_is_404(client: Client) -> None:
    response = client.post("/labs/quiz/elb/no-such-quiz/", {})

    assert response.status_code == 404


@pytest.mark.django_db
def test_quiz_view_needs_csrf() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/labs/quiz/elb/elb-basics/", {"attempt": quiz.sign_attempt(1)})

    assert response.status_code == 403


def _form_signature(html: str) -> list[str]:
    return re.findall(r"<(?:legend|li)>(.*?)</(?:legend|li)>", html.split('name="attempt"', 1)[1])


@pytest.mark.django_db
def test_lesson_quiz_reload_shows_the_same_attempt_and_grading_moves_on(client: Client) -> None:
    first = client.get("/lessons/elb/?step=8").text
    reload = client.get("/lessons/elb/?step=8").text
    token = re.search(r'name="attempt" value="([^"]+)"', first)
    assert token is not None
    seed = quiz.read_attempt(token.group(1))
    assert seed is not None

    assert _form_signature(first) == _form_signature(reload)
    assert 'action="/labs/quiz/elb/elb-basics/"' in first
    assert "Show the answer" not in first

    client.post("/labs/quiz/elb/elb-basics/", {"attempt": token.group(1)}, **HX)
    after = client.get("/lessons/elb/?step=8").text
    next_seed = quiz.read_attempt(re.search(r'name="attempt" value="([^"]+)"', after).group(1))  # type: ignore[union-attr]

    assert next_seed is not None and next_seed != seed
    assert 'data-quiz-player="' in after  # the predict question's player


@pytest.mark.django_db
def test_lesson_quiz_form_carries_this_visitors_csrf_token(client: Client) -> None:
    html = client.get("/lessons/four-patterns/?step=6").text

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)

    assert token is not None
    assert token.group(1) != "kumoben-csrf-slot"
    assert "kumoben-csrf-slot" not in html


# --------------------------------------------------------------------------- the pools


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_lesson_quiz_asks_at_least_6_with_2_or_3_variants_a_concept_and_a_hint_each(
    lang: str,
) -> None:
    lessons = load_lessons(lang)
    assert len(lessons) == 8
    for lesson in lessons:
        (directive,) = quiz.lesson_quizzes(lesson)
        pool = quiz.written(directive)

        assert all(q.hint for q in directive.questions), lesson.slug
        assert all(2 <= len(variants) <= 3 for _key, variants in pool), lesson.slug
        for seed in (1, 2):
            with translation.override(lang):
                asked = quiz.questions(lesson, directive, seed)
            assert len(asked) >= 6, lesson.slug
            assert any(q.kind == "numeric" for q in asked), lesson.slug


def test_a_retake_asks_another_variant_of_every_written_concept() -> None:
    for lesson, directive in _all_quizzes():
        for seed in ATTEMPTS:
            retake = quiz.new_attempt(seed)
            first = {q.key: q.prompt for q in quiz.questions(lesson, directive, seed)}
            second = {q.key: q.prompt for q in quiz.questions(lesson, directive, retake)}

            for key, _variants in quiz.written(directive):
                assert first[key] != second[key], (lesson.slug, key, seed)


def test_the_elb_quiz_has_the_stop_order_question() -> None:
    lesson = _lesson("elb")
    (directive,) = quiz.lesson_quizzes(lesson)
    stop = dict(quiz.written(directive))["elb-basics:stop-order"]

    assert stop[0].kind == "order"
    assert [re.sub(r"<[^>]+>", "", c).split()[1] for c in stop[0].choices] == [
        "deregisters",
        "target",
        "sends",
        "sends",
    ]
    assert "SIGTERM" in stop[0].choices[2] and "SIGKILL" in stop[0].choices[3]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pool_holds_every_variant_and_each_drawn_question_the_same_in_every_language(
    lang: str,
) -> None:
    for lesson, directive in _all_quizzes(lang):
        with translation.override(lang):
            pool = quiz.pool(lesson, directive, 11)
            again = quiz.pool(lesson, directive, 11)
        written = quiz.written(directive)
        drawn = pool[len(written) :]

        assert [key for key, _variants in pool[: len(written)]] == [key for key, _v in written]
        assert len(drawn) == len(quiz.DRAWN.get(lesson.slug, ()))
        assert all(len(v) == 1 and k.startswith(("drawn:", "predict:")) for k, v in drawn)
        for (_key, shown), (_key2, variants) in zip(pool, written, strict=False):
            assert [q.prompt for q in shown] == [q.prompt for q in variants]
            for q, original in zip(shown, variants, strict=True):  # shuffled, key kept
                assert sorted(q.choices) == sorted(original.choices)
                assert {q.choices[n - 1] for n in q.correct} == {
                    original.choices[n - 1] for n in original.correct
                }
                assert [q.choices[n - 1] for n in q.order] == [
                    original.choices[n - 1] for n in original.order
                ]
        assert [(k, [q.choices for q in v]) for k, v in pool] == [
            (k, [q.choices for q in v]) for k, v in again
        ]
    en = {lesson.slug: lesson for lesson in load_lessons("en")}
    for lesson, directive in _all_quizzes(lang):  # the same places in the pool in both languages
        other = en[lesson.slug]
        (other_quiz,) = quiz.lesson_quizzes(other)
        with translation.override(lang):
            here = quiz.pool(lesson, directive, 11)
        with translation.override("en"):
            there = quiz.pool(other, other_quiz, 11)
        assert [(k, [(q.kind, q.correct, q.order) for q in v]) for k, v in here] == [
            (k, [(q.kind, q.correct, q.order) for q in v]) for k, v in there
        ]


@pytest.mark.django_db
def test_the_standalone_quiz_page_carries_the_compact_player_for_its_predict_question(
    client: Client,
) -> None:
    """A quiz graded without htmx answers with the whole page: with a predict question to ask
    again, it loads quiz.js and carries the player's markup and the engine's run URL; the htmx
    fragment carries neither (the lesson step already has them)."""
    asked = _asked("elb", 7)
    data = {"attempt": quiz.sign_attempt(7), **_answers(asked, "elb-basics", right=False)}

    page = client.post("/labs/quiz/elb/elb-basics/", data).text
    fragment = client.post("/labs/quiz/elb/elb-basics/", data, **HX).text

    assert any(q.predict for q in asked)
    assert 'data-quiz-player="' in page
    assert 'src="/static/js/quiz.js"' in page
    assert "<template data-lesson-player>" in page and 'data-role="player"' in page
    assert 'data-quiz-page data-run-url="/playground/api/run"' in page
    assert "js/quiz.js" not in fragment and "data-lesson-player" not in fragment
