"""Learning progress: steps read, quiz results and labs passed.

A record is a plain dict, the same shape in the Django session (anonymous learners) and in
``LearnerProgress.record`` (signed-in learners)::

    {"steps": {"elb": [1, 2, 3]},
     "quizzes": {"elb": {"score": 3, "total": 4, "passed": false}},
     "labs": {"elb-dead-task": {"passed": true, "attempts": 2, "seed": 17, "hints": 1,
                                "variants": 2, "passed_hints": 1}},
     "review": [{"lesson": "elb", "quiz": "elb-basics", "key": "elb-basics:3", "seed": 17,
                 "box": 0, "due": "2026-12-07"}]}

A lab's entry counts its Checks (``attempts``) and holds the current attempt: ``seed`` draws its
variant (the first attempt uses the learner's seed; "New variant" draws another), ``hints`` is how
many hints it revealed, ``variants`` how many attempts were started, ``passed_hints`` the fewest
hints a passing attempt used.

``review`` holds the quiz questions answered wrongly at the first try (spaced review): due one day
later, then 3 and 7 days after each right answer, and back to one day after a wrong one.

The functions on records are pure; :class:`ProgressStore` picks where the record lives. Signing in
merges the session's record into the database one (union of steps, best quiz score, lab passed if
passed anywhere, attempts added), so nothing learnt before signing in is lost.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest

SESSION_KEY = "kumoben_progress"
SEED_KEY = "kumoben_learner_seed"


def empty() -> dict[str, Any]:
    return {"steps": {}, "quizzes": {}, "labs": {}, "review": []}


def normalized(record: Mapping[str, Any] | None) -> dict[str, Any]:
    out = empty()
    if record:
        out["steps"] = {k: sorted({int(n) for n in v}) for k, v in record.get("steps", {}).items()}
        out["quizzes"] = {k: dict(v) for k, v in record.get("quizzes", {}).items()}
        out["labs"] = {k: dict(v) for k, v in record.get("labs", {}).items()}
        out["review"] = [dict(item) for item in record.get("review", []) if _review_item(item)]
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


def lab_entry(record: dict[str, Any], lab: str, learner_seed: int) -> dict[str, Any]:
    """The learner's entry for a lab, with its current attempt: the attempt's seed (its variant;
    the first attempt uses the learner's seed) and the hints revealed in it."""
    entry = record["labs"].setdefault(lab, {"passed": False, "attempts": 0})
    if not isinstance(entry.get("seed"), int):
        entry["seed"] = learner_seed
    if not isinstance(entry.get("hints"), int):
        entry["hints"] = 0
    entry.setdefault("variants", 1)
    return entry


def new_lab_attempt(record: dict[str, Any], lab: str, learner_seed: int) -> dict[str, Any]:
    """Start another attempt of a lab: a new seed draws a new variant; its hints start hidden."""
    entry = lab_entry(record, lab, learner_seed)
    seed = new_seed()
    while seed == entry["seed"]:
        seed = new_seed()
    entry["seed"] = seed
    entry["hints"] = 0
    entry.pop("spent", None)  # a prediction lab's attempt spent by a wrong prediction
    entry["variants"] = int(entry["variants"]) + 1
    return entry


def reveal_hint(record: dict[str, Any], lab: str, learner_seed: int, total: int) -> int:
    """Reveal the attempt's next hint (at most ``total``); returns how many are revealed now."""
    entry = lab_entry(record, lab, learner_seed)
    entry["hints"] = min(int(entry["hints"]) + 1, total)
    return int(entry["hints"])


def record_lab(record: dict[str, Any], lab: str, passed: bool, hints: int | None = None) -> None:
    """Count a Check; a pass is kept, with the fewest hints any passing attempt used."""
    entry = record["labs"].setdefault(lab, {"passed": False, "attempts": 0})
    entry["attempts"] += 1
    entry["passed"] = entry["passed"] or passed
    if passed:
        used = int(hints if hints is not None else entry.get("hints", 0))
        best = entry.get("passed_hints")
        entry["passed_hints"] = used if not isinstance(best, int) else min(best, used)


# --------------------------------------------------------------------------- spaced review

#: Days until the next review: after a wrong answer, then after each right answer in a row.
REVIEW_DAYS = (1, 3, 7)


def _review_item(item: Any) -> bool:
    return (
        isinstance(item, Mapping)
        and all(isinstance(item.get(k), str) for k in ("lesson", "quiz", "key", "due"))
        and isinstance(item.get("seed"), int)
        and isinstance(item.get("box"), int)
    )


def _same(item: Mapping[str, Any], lesson: str, quiz: str, key: str) -> bool:
    return (item["lesson"], item["quiz"], item["key"]) == (lesson, quiz, key)


def schedule_review(
    record: dict[str, Any], lesson: str, quiz: str, key: str, seed: int, today: datetime.date
) -> None:
    """A question answered wrongly: due tomorrow, as the attempt asked it (one item a concept)."""
    record["review"] = [i for i in record["review"] if not _same(i, lesson, quiz, key)]
    due = today + datetime.timedelta(days=REVIEW_DAYS[0])
    record["review"].append(
        {"lesson": lesson, "quiz": quiz, "key": key, "seed": seed, "box": 0, "due": due.isoformat()}
    )


def review_answered(
    record: dict[str, Any], lesson: str, quiz: str, key: str, right: bool, today: datetime.date
) -> dict[str, Any] | None:
    """Move the item on: right -> the next interval (done after the last), wrong -> tomorrow.
    Returns the item as it is now, or None when it left the review (or was not there)."""
    for item in record["review"]:
        if _same(item, lesson, quiz, key):
            break
    else:
        return None
    box = item["box"] + 1 if right else 0
    if box >= len(REVIEW_DAYS):
        record["review"].remove(item)
        return None
    item["box"] = box
    item["due"] = (today + datetime.timedelta(days=REVIEW_DAYS[box])).isoformat()
    return item


def due_reviews(record: Mapping[str, Any], today: datetime.date) -> list[dict[str, Any]]:
    """The review items due today or earlier, the longest overdue first."""
    due = [i for i in record["review"] if i["due"] <= today.isoformat()]
    return sorted(due, key=lambda i: i["due"])


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
        mine = out["labs"].get(lab)
        if mine is None:
            out["labs"][lab] = dict(result)
            continue
        merged = {**result, **mine}  # the saved record's current attempt (seed, hints) goes on
        merged["passed"] = bool(mine["passed"] or result["passed"])
        merged["attempts"] = int(mine["attempts"]) + int(result["attempts"])
        best = [h for h in (mine.get("passed_hints"), result.get("passed_hints")) if h is not None]
        if best:
            merged["passed_hints"] = min(best)
        out["labs"][lab] = merged
    for item in extra["review"]:  # one item a concept: the one due sooner wins
        same = [i for i in out["review"] if _same(i, item["lesson"], item["quiz"], item["key"])]
        if not same:
            out["review"].append(item)
        elif item["due"] < same[0]["due"]:
            out["review"][out["review"].index(same[0])] = item
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
