"""Learning progress: steps read, quiz results and labs passed.

A record is a plain dict, the same shape in the Django session (anonymous learners) and in
``LearnerProgress.record`` (signed-in learners)::

    {"steps": {"elb": [1, 2, 3]},
     "quizzes": {"elb": {"score": 3, "total": 4, "passed": false}},
     "labs": {"elb-dead-task": {"passed": true, "attempts": 2}}}

The functions on records are pure; :class:`ProgressStore` picks where the record lives. Signing in
merges the session's record into the database one (union of steps, best quiz score, lab passed if
passed anywhere, attempts added), so nothing learnt before signing in is lost.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest

SESSION_KEY = "kumoben_progress"
SEED_KEY = "kumoben_learner_seed"


def empty() -> dict[str, Any]:
    return {"steps": {}, "quizzes": {}, "labs": {}}


def normalized(record: Mapping[str, Any] | None) -> dict[str, Any]:
    out = empty()
    if record:
        out["steps"] = {k: sorted({int(n) for n in v}) for k, v in record.get("steps", {}).items()}
        out["quizzes"] = {k: dict(v) for k, v in record.get("quizzes", {}).items()}
        out["labs"] = {k: dict(v) for k, v in record.get("labs", {}).items()}
    return out


def mark_step(record: dict[str, Any], lesson: str, step: int) -> bool:
    """Add a read step; True when the record changed."""
    steps = record["steps"].setdefault(lesson, [])
    if step in steps:
        return False
    steps.append(step)
    steps.sort()
    return True


def record_quiz(record: dict[str, Any], lesson: str, score: int, total: int) -> None:
    """Keep the best score; a quiz is passed once every question was answered right."""
    old = record["quizzes"].get(lesson)
    passed = score == total
    if old is None or score * old["total"] > old["score"] * total:
        record["quizzes"][lesson] = {"score": score, "total": total, "passed": passed}
    elif passed:
        record["quizzes"][lesson]["passed"] = True


def record_lab(record: dict[str, Any], lab: str, passed: bool) -> None:
    entry = record["labs"].setdefault(lab, {"passed": False, "attempts": 0})
    entry["attempts"] += 1
    entry["passed"] = entry["passed"] or passed


def merge(into: Mapping[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    """Both records' progress in one: steps united, best quiz, a lab passed if passed in either."""
    out = normalized(into)
    extra = normalized(other)
    for lesson, steps in extra["steps"].items():
        out["steps"][lesson] = sorted(set(out["steps"].get(lesson, [])) | set(steps))
    for lesson, quiz in extra["quizzes"].items():
        mine = out["quizzes"].get(lesson)
        if mine is None or quiz["score"] * mine["total"] > mine["score"] * quiz["total"]:
            out["quizzes"][lesson] = dict(quiz)
        out["quizzes"][lesson]["passed"] = bool(quiz.get("passed") or (mine or {}).get("passed"))
    for lab, result in extra["labs"].items():
        mine = out["labs"].get(lab, {"passed": False, "attempts": 0})
        out["labs"][lab] = {
            "passed": bool(mine["passed"] or result["passed"]),
            "attempts": int(mine["attempts"]) + int(result["attempts"]),
        }
    return out


def lesson_rows(record: Mapping[str, Any], lessons: Iterable[Any]) -> list[dict[str, Any]]:
    """One row a lesson for the progress page: steps read out of all, and the quiz result."""
    rows = []
    for lesson in lessons:
        read = len(record["steps"].get(lesson.slug, []))
        rows.append(
            {
                "lesson": lesson,
                "read": read,
                "total": len(lesson.steps),
                "quiz": record["quizzes"].get(lesson.slug),
            }
        )
    return rows


# --------------------------------------------------------------------------- where records live


class ProgressStore:
    """The learner's record: the session for anonymous learners, the database once signed in."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.user = getattr(request, "user", None)
        self._row: Any = None

    @property
    def signed_in(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    def _db_row(self) -> Any:
        if self._row is None:
            from patterns.progress.models import LearnerProgress

            self._row, _created = LearnerProgress.objects.get_or_create(
                user=self.user, defaults={"seed": new_seed(), "record": empty()}
            )
        return self._row

    def load(self) -> dict[str, Any]:
        if self.signed_in:
            return normalized(self._db_row().record)
        return normalized(self.request.session.get(SESSION_KEY))

    def save(self, record: dict[str, Any]) -> None:
        if self.signed_in:
            row = self._db_row()
            row.record = record
            row.save(update_fields=["record", "updated_at"])
        else:
            self.request.session[SESSION_KEY] = record

    def seed(self) -> int:
        """The learner's own seed: it draws their lab numbers, so answers differ between people."""
        if self.signed_in:
            return int(self._db_row().seed)
        seed = self.request.session.get(SEED_KEY)
        if not isinstance(seed, int):
            seed = new_seed()
            self.request.session[SEED_KEY] = seed
        return seed


def new_seed() -> int:
    return secrets.randbelow(1_000_000) + 1


def has_session(request: HttpRequest) -> bool:
    """True when recording costs no new session row (signed in, or a session exists already)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    return request.session.session_key is not None


def mark_step_read(request: HttpRequest, lesson: str, step: int) -> None:
    store = ProgressStore(request)
    record = store.load()
    if mark_step(record, lesson, step):
        store.save(record)
