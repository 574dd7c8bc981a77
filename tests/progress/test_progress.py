"""Progress: pure record functions, the session for anonymous learners, the database when signed
in, merging on sign-in, and the progress page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from patterns.lessons import quiz
from patterns.lessons.content import load_lessons
from patterns.progress import records as progress
from patterns.progress.models import LearnerProgress


def _elb():  # type: ignore[no-untyped-def]
    return {lesson.slug: lesson for lesson in load_lessons("en")}["elb"]


# Passes lab 1's variant of attempt seed 1 (the pinned one: a 13 s pause, a 27 s goal).
ELB_FAST = {"interval_s": 5, "timeout_s": 2, "unhealthy_threshold": 4}


def _seed_one(client: Client) -> None:
    session = client.session
    session[progress.SEED_KEY] = 1
    session.save()


def test_mark_step_twice_changes_once() -> None:
    record = progress.empty()

    changed = [progress.mark_step(record, "elb", 3), progress.mark_step(record, "elb", 3)]
    progress.mark_step(record, "elb", 1)

    assert changed == [True, False]
    assert record["steps"] == {"elb": [1, 3]}


def test_record_quiz_keeps_best_score_and_pass() -> None:
    record = progress.empty()

    progress.record_quiz(record, "elb", 4, 4)
    progress.record_quiz(record, "elb", 1, 4)

    assert record["quizzes"] == {"elb": {"score": 4, "total": 4, "passed": True}}


def test_record_lab_counts_attempts_and_keeps_pass() -> None:
    record = progress.empty()

    for passed in (False, True, False):
        progress.record_lab(record, "az-outage", passed)

    assert record["labs"] == {"az-outage": {"passed": True, "attempts": 3, "passed_hints": 0}}


def test_lab_attempts_have_their_own_seed_and_hints() -> None:
    record = progress.empty()

    entry = progress.lab_entry(record, "az-outage", 41)
    assert (entry["seed"], entry["hints"], entry["variants"]) == (41, 0, 1)
    assert progress.reveal_hint(record, "az-outage", 41, 3) == 1
    assert progress.reveal_hint(record, "az-outage", 41, 1) == 1  # never more than there are
    progress.record_lab(record, "az-outage", True)
    assert record["labs"]["az-outage"]["passed_hints"] == 1
    progress.new_lab_attempt(record, "az-outage", 41)
    entry = record["labs"]["az-outage"]
    assert entry["seed"] != 41 and entry["hints"] == 0 and entry["variants"] == 2
    progress.record_lab(record, "az-outage", True)
    assert entry["passed_hints"] == 0  # the fewest hints any passing attempt used


def test_merge_unites_steps_keeps_best_and_adds_attempts() -> None:
    saved = {
        "steps": {"elb": [1, 2]},
        "quizzes": {"elb": {"score": 2, "total": 4, "passed": False}},
        "labs": {"stale-dns": {"passed": True, "attempts": 1}},
    }
    anonymous = {
        "steps": {"elb": [2, 3], "app-mesh": [1]},
        "quizzes": {"elb": {"score": 3, "total": 4, "passed": False}},
        "labs": {"stale-dns": {"passed": False, "attempts": 2}},
    }

    merged = progress.merge(saved, anonymous)

    assert merged == {
        "steps": {"elb": [1, 2, 3], "app-mesh": [1]},
        "quizzes": {"elb": {"score": 3, "total": 4, "passed": False}},
        "labs": {"stale-dns": {"passed": True, "attempts": 3}},
        "review": [],
    }


@pytest.mark.django_db
def test_anonymous_progress_lives_in_the_session(client: Client) -> None:
    _seed_one(client)

    client.get("/lessons/elb/?step=2")
    client.post("/labs/elb-dead-task/check/", ELB_FAST)

    record = client.session[progress.SESSION_KEY]
    assert record["steps"] == {"elb": [2]}
    assert record["labs"]["elb-dead-task"]["passed"] is True
    assert record["labs"]["elb-dead-task"]["attempts"] == 1
    assert record["labs"]["elb-dead-task"]["seed"] == client.session[progress.SEED_KEY]
    assert LearnerProgress.objects.count() == 0


@pytest.mark.django_db
def test_first_lesson_view_creates_no_session_but_asks_the_page_to_report(client: Client) -> None:
    html = client.get("/lessons/elb/?step=1").text

    assert 'data-report-read="/labs/read/"' in html
    assert client.cookies.get("sessionid") is None


@pytest.mark.django_db
def test_step_read_report_records_the_step(client: Client) -> None:
    response = client.post("/labs/read/", {"lesson": "elb", "step": "1"})

    assert response.status_code == 204
    assert client.session[progress.SESSION_KEY]["steps"] == {"elb": [1]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [{"lesson": "elb", "step": "99"}, {"lesson": "nope", "step": "1"}, {"step": "x"}]
)
def test_step_read_report_bad_input_is_400(client: Client, data: dict[str, str]) -> None:
    response = client.post("/labs/read/", data)

    assert response.status_code == 400


@pytest.mark.django_db
def test_signed_in_progress_lives_in_the_database(client: Client) -> None:
    student = get_user_model().objects.create_user("student", password="pw-student-1")
    LearnerProgress.objects.create(user=student, seed=1, record=progress.empty())
    client.force_login(student)

    client.get("/lessons/elb/?step=4")
    client.post("/labs/elb-dead-task/check/", ELB_FAST)

    row = LearnerProgress.objects.get(user=student)
    assert row.record["steps"] == {"elb": [4]}
    assert row.record["labs"]["elb-dead-task"]["passed"] is True
    assert row.record["labs"]["elb-dead-task"]["attempts"] == 1
    assert row.record["labs"]["elb-dead-task"]["seed"] == row.seed


@pytest.mark.django_db
def test_sign_in_merges_anonymous_progress(client: Client) -> None:
    student = get_user_model().objects.create_user("student", password="pw-student-1")
    LearnerProgress.objects.create(
        user=student, seed=5, record={"steps": {"elb": [1]}, "quizzes": {}, "labs": {}}
    )
    client.post("/labs/read/", {"lesson": "elb", "step": "2"})
    _seed_one(client)
    client.post("/labs/elb-dead-task/check/", ELB_FAST)

    response = client.post("/accounts/login/", {"username": "student", "password": "pw-student-1"})

    assert response.status_code == 302
    row = LearnerProgress.objects.get(user=student)
    assert row.record["steps"] == {"elb": [1, 2]}
    assert row.record["labs"]["elb-dead-task"]["passed"] is True
    assert progress.SESSION_KEY not in client.session


@pytest.mark.django_db
def test_first_sign_in_keeps_the_lab_numbers_seen_before(client: Client) -> None:
    get_user_model().objects.create_user("student", password="pw-student-1")
    client.get("/labs/elb-dead-task/")
    seed = client.session[progress.SEED_KEY]

    client.post("/accounts/login/", {"username": "student", "password": "pw-student-1"})

    assert LearnerProgress.objects.get(user__username="student").seed == seed


@pytest.mark.django_db
def test_progress_page_shows_counts(client: Client) -> None:
    client.post("/labs/read/", {"lesson": "elb", "step": "1"})
    _seed_one(client)
    client.post("/labs/elb-dead-task/check/", ELB_FAST)
    client.post("/labs/quiz/elb/elb-basics/", {"attempt": quiz.sign_attempt(3)})

    html = client.get("/progress/").text

    steps = sum(len(lesson.steps) for lesson in load_lessons("en"))
    assert f'<dd data-testid="steps-read">1 / {steps}</dd>' in html
    assert '<dd data-testid="labs-passed">1 / 10</dd>' in html
    assert '<dd data-testid="quizzes-passed">0 / 8</dd>' in html
    total = len(quiz.questions(_elb(), quiz.find_quiz(_elb(), "elb-basics"), 3))  # type: ignore[arg-type]
    assert f"best 0 / {total}" in html
    assert html.count('data-testid="review-item"') == 0  # due tomorrow, not today
    assert 'data-testid="review-later"' in html
    assert "/accounts/login/?next=/progress/" in html


@pytest.mark.django_db
def test_progress_page_signed_in_says_saved_to_account(client: Client) -> None:
    client.force_login(get_user_model().objects.create_user("student"))

    html = client.get("/progress/").text

    assert "Saved to your account (student)." in html


DAY = datetime.date(2026, 12, 6)


def test_review_comes_back_after_1_then_3_then_7_days_and_leaves() -> None:
    record = progress.empty()
    progress.schedule_review(record, "elb", "elb-basics", "elb-basics:2", 17, DAY)

    dues = [record["review"][0]["due"]]
    for day in (7, 10, 17):
        today = datetime.date(2026, 12, day)
        assert [i["key"] for i in progress.due_reviews(record, today)] == ["elb-basics:2"]
        after = progress.review_answered(record, "elb", "elb-basics", "elb-basics:2", True, today)
        dues.append(after["due"] if after else None)

    assert dues == ["2026-12-07", "2026-12-10", "2026-12-17", None]
    assert record["review"] == []


def test_review_wrong_answer_goes_back_to_tomorrow() -> None:
    record = progress.empty()
    progress.schedule_review(record, "elb", "elb-basics", "k", 17, DAY)
    progress.review_answered(record, "elb", "elb-basics", "k", True, datetime.date(2026, 12, 7))

    after = progress.review_answered(
        record, "elb", "elb-basics", "k", False, datetime.date(2026, 12, 10)
    )

    assert after == {
        "lesson": "elb",
        "quiz": "elb-basics",
        "key": "k",
        "seed": 17,
        "box": 0,
        "due": "2026-12-11",
    }
    assert progress.due_reviews(record, datetime.date(2026, 12, 10)) == []


def test_review_one_item_a_concept_and_merge_keeps_the_sooner() -> None:
    record = progress.empty()
    progress.schedule_review(record, "elb", "q", "k", 1, DAY)
    progress.schedule_review(record, "elb", "q", "k", 2, DAY + datetime.timedelta(days=2))
    other = progress.empty()
    progress.schedule_review(other, "elb", "q", "k", 3, DAY)

    merged = progress.merge(record, other)

    assert [i["seed"] for i in record["review"]] == [2]
    assert [i["seed"] for i in merged["review"]] == [3]


@pytest.mark.django_db
def test_progress_page_asks_a_due_question_and_moves_it_on(client: Client) -> None:
    lesson = _elb()
    directive = quiz.find_quiz(lesson, "elb-basics")
    assert directive is not None
    asked = quiz.questions(lesson, directive, 9)
    choice = next(q for q in asked if q.kind == "choice" and not q.multiple and not q.predict)
    record = progress.empty()
    progress.schedule_review(
        record, "elb", "elb-basics", choice.key, 9, DAY - datetime.timedelta(days=3)
    )
    session = client.session
    session[progress.SESSION_KEY] = record
    session.save()

    page = client.get("/progress/").text
    index = re.search(r'name="index" value="(\d+)"', page)
    field = re.search(r'<input type="radio" name="([^"]+)"', page)  # as the browser sends it
    assert index is not None and field is not None
    (right,) = choice.correct
    response = client.post(
        "/progress/review/",
        {
            "lesson": "elb",
            "quiz": "elb-basics",
            "key": choice.key,
            "index": index.group(1),
            field.group(1): str(right),
        },
        HTTP_HX_REQUEST="true",
    )

    assert page.count('data-testid="review-item"') == 1
    assert choice.prompt in page
    assert 'data-testid="review-result"' in response.text
    assert choice.explanation in response.text
    assert field.group(1) == f"review{index.group(1)}-1"
    assert "review-item--right" in response.text
    assert "Next review:" in response.text
    assert client.session[progress.SESSION_KEY]["review"][0]["box"] == 1


@pytest.mark.django_db
def test_review_answer_for_a_question_not_in_review_is_404(client: Client) -> None:
    response = client.post("/progress/review/", {"lesson": "elb", "quiz": "elb-basics", "key": "x"})

    assert response.status_code == 404
