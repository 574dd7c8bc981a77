"""Quiz grading: drawn questions, signed attempts, grading views and what they record."""

from __future__ import annotations

import random
import re

import pytest
from django.test import Client
from django.utils import translation

from patterns.lessons import quiz
from patterns.lessons.content import load_lessons
from patterns.progress.records import SESSION_KEY

HX = {"HTTP_HX_REQUEST": "true"}


def _lesson(slug: str):  # type: ignore[no-untyped-def]
    return {lesson.slug: lesson for lesson in load_lessons("en")}[slug]


def test_worst_alb_window_worked_example_defaults_give_65_s() -> None:
    # interval 30, timeout 5, threshold 2 (the ALB defaults): 2 x 30 + 5 = 65 s.
    assert quiz.worst_alb_window(30, 5, 2) == 65


def test_alb_window_question_answer_is_the_worst_window() -> None:
    with translation.override("en"):
        question = quiz.alb_window(random.Random(3))

    numbers = [int(n) for n in re.findall(r"(\d+) s", question.prompt)[:2]]
    threshold = int(re.search(r"after (\d+) failed", question.prompt).group(1))  # type: ignore[union-attr]
    right = [question.choices[n - 1] for n in question.correct]

    assert right == [f"{quiz.worst_alb_window(numbers[0], numbers[1], threshold)} s"]


def test_ejection_time_caps_at_300_s() -> None:
    answers = set()
    for seed in range(200):
        question = quiz.ejection_time(random.Random(seed))
        answers.update(question.choices[n - 1] for n in question.correct)

    assert "300 s" in answers
    assert all(float(a.split()[0]) <= 300 for a in answers)


def test_drawn_questions_never_ask_to_set_a_fixed_service_connect_knob() -> None:
    # Service Connect's retries and ejection rule are fixed by AWS: the retry count is an App Mesh
    # question, and the Service Connect ejection question always starts from AWS's 30 s.
    # (linear_steps asks about stepPercent, which a user sets in deploymentConfiguration.)
    assert quiz.DRAWN["service-connect"] == (quiz.ejection_time, quiz.linear_steps)
    assert quiz.retry_attempts not in quiz.DRAWN["service-connect"]
    assert quiz.retry_attempts in quiz.DRAWN["app-mesh"]
    prompts = {quiz.ejection_time(random.Random(seed)).prompt for seed in range(40)}
    assert all("fixed by AWS" in p and "ejected for 30 to 300 s" in p for p in prompts)
    assert "App Mesh route" in quiz.retry_attempts(random.Random(1)).prompt


@pytest.mark.parametrize(
    "draw",
    [
        quiz.alb_window,
        quiz.ejection_time,
        quiz.stale_dns_window,
        quiz.canary_share,
        quiz.retry_attempts,
    ],
)
def test_drawn_question_has_one_right_answer_among_distinct_choices(draw) -> None:  # type: ignore[no-untyped-def]
    for seed in range(50):
        question = draw(random.Random(seed))

        assert len(question.correct) == 1
        assert len(set(question.choices)) == len(question.choices) >= 3


def test_questions_same_attempt_same_numbers_new_attempt_new_numbers() -> None:
    lesson = _lesson("elb")
    directive = quiz.find_quiz(lesson, "elb-basics")
    assert directive is not None

    first = quiz.questions(lesson, directive, 11)
    again = quiz.questions(lesson, directive, 11)
    others = {quiz.questions(lesson, directive, seed)[-1].prompt for seed in range(2, 30)}

    assert first == again
    assert len(first) == len(directive.questions) + 1
    assert len(others) > 5


def test_grade_right_wrong_and_unanswered() -> None:
    asked = [
        quiz.Question("a", ("x", "y"), frozenset({2}), "why a"),
        quiz.Question("b", ("x", "y", "z"), frozenset({1, 3}), "why b"),
        quiz.Question("c", ("x", "y"), frozenset({1}), "why c"),
    ]

    graded = quiz.grade(asked, {1: frozenset({2}), 2: frozenset({1})})

    assert [g.right for g in graded] == [True, False, False]


def test_parse_answers_ignores_junk() -> None:
    from django.http import QueryDict

    data = QueryDict("q-1=2&q-2=1&q-2=3&q-3=evil")

    answers = quiz.parse_answers(data, "q", 3)

    assert answers == {1: frozenset({2}), 2: frozenset({1, 3}), 3: frozenset()}


def test_read_attempt_rejects_forged_token() -> None:
    token = quiz.sign_attempt(42)

    assert quiz.read_attempt(token) == 42
    assert quiz.read_attempt(token[:-2] + "xx") is None
    assert quiz.read_attempt("") is None


def _right_answers(slug: str, quiz_id: str, seed: int) -> dict[str, list[str]]:
    lesson = _lesson(slug)
    directive = quiz.find_quiz(lesson, quiz_id)
    assert directive is not None
    with translation.override("en"):
        asked = quiz.questions(lesson, directive, seed)
    return {
        f"{quiz_id}-{n}": [str(c) for c in sorted(q.correct)] for n, q in enumerate(asked, start=1)
    }


@pytest.mark.django_db
def test_quiz_view_all_right_records_passed(client: Client) -> None:
    data = {"attempt": quiz.sign_attempt(7), **_right_answers("elb", "elb-basics", 7)}

    response = client.post("/labs/quiz/elb/elb-basics/", data, **HX)

    assert response.status_code == 200
    assert "4 of 4 right" in response.text
    assert "<!doctype" not in response.text
    assert client.session[SESSION_KEY]["quizzes"] == {
        "elb": {"score": 4, "total": 4, "passed": True}
    }


@pytest.mark.django_db
def test_quiz_view_wrong_answer_explains_why(client: Client) -> None:
    data = {"attempt": quiz.sign_attempt(7), **_right_answers("elb", "elb-basics", 7)}
    data["elb-basics-1"] = ["1"]  # "about 5 s"

    response = client.post("/labs/quiz/elb/elb-basics/", data)

    assert "3 of 4 right" in response.text
    assert "quiz-graded__item--wrong" in response.text
    assert "Your answer: <span>about 5 s</span>" in response.text
    assert "60 + 5 = 65 s at worst" in response.text
    assert "<!doctype html>" in response.text  # the full-page fallback
    assert client.session[SESSION_KEY]["quizzes"]["elb"]["passed"] is False


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


@pytest.mark.django_db
def test_lesson_quiz_step_has_live_form_with_drawn_question(client: Client) -> None:
    html = client.get("/lessons/elb/?step=8").text

    assert 'action="/labs/quiz/elb/elb-basics/"' in html
    assert 'name="attempt"' in html
    assert html.count('name="elb-basics-4"') == 4  # the drawn health-check window question
    assert re.search(r"checks it every \d+ s", html)


@pytest.mark.parametrize("previous", [1, 2, 37, 63, 64])
def test_new_attempt_reaches_every_other_seed_of_the_pool_and_never_the_previous(
    previous: int,
) -> None:
    # Every value the random draw can give, instead of hoping 500 draws hit each one.
    pool = quiz.ATTEMPT_POOL
    seeds = [quiz.new_attempt(previous, randbelow=lambda n, k=k: k) for k in range(pool - 1)]

    assert sorted(seeds) == [s for s in range(1, pool + 1) if s != previous]


@pytest.mark.parametrize("previous", [None, 0, 65])
def test_new_attempt_without_a_valid_previous_draws_from_the_whole_pool(previous) -> None:
    pool = quiz.ATTEMPT_POOL
    seeds = [quiz.new_attempt(previous, randbelow=lambda n, k=k: k) for k in range(pool)]

    assert seeds == list(range(1, pool + 1))


@pytest.mark.django_db
def test_lesson_quiz_form_carries_this_visitors_csrf_token(client: Client) -> None:
    html = client.get("/lessons/four-patterns/?step=6").text

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)

    assert token is not None
    assert token.group(1) != "kumoben-csrf-slot"
    assert "kumoben-csrf-slot" not in html
