"""The session report: every question with its tally and histogram, every student's answers
and score, and the same as CSV safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from patterns.sessions.models import (
    Answer,
    Participant,
    Poll,
    StudySession,
)
from patterns.sessions.polls import (
    POINTS_PER_CORRECT,
    format_number,
    histogram_rows,
    public_correct,
    tally_answers,
)


@dataclass
class StudentRow:
    participant: Participant
    cells: list[dict[str, Any]]
    answered: int
    right: int
    score: int


def report(session: StudySession) -> dict[str, Any]:
    polls = list(session.polls.order_by("number"))
    people = list(session.participants.order_by("joined_at", "id"))
    answers = {
        (a.poll_id, a.participant_id): a for a in Answer.objects.filter(poll__session=session)
    }
    questions = []
    for poll in polls:
        given = [a for (pid, _p), a in answers.items() if pid == poll.pk]
        marks = [poll.is_correct(a.choice, a.value) for a in given]
        counts = tally_answers(poll, [(a.choice, a.value) for a in given])
        questions.append(
            {
                "poll": poll,
                "tally": counts,
                "hist": histogram_rows(counts),
                "answered": len(given),
                "right": sum(1 for m in marks if m),
                "correct_text": _answer_text(poll, public_correct(poll), poll.correct),
            }
        )
    students = []
    for person in people:
        cells, right, score = [], 0, 0
        for poll in polls:
            a = answers.get((poll.pk, person.pk))
            mark = poll.is_correct(a.choice, a.value) if a else None
            right += 1 if mark else 0
            if mark and poll.scored and poll.state == Poll.REVEALED:
                score += POINTS_PER_CORRECT
            cells.append(
                {
                    "poll": poll,
                    "answer": a,
                    "text": _answer_text(poll, a and a.choice, a and a.value),
                    "correct": mark,
                }
            )
        answered = sum(1 for c in cells if c["answer"] is not None)
        students.append(StudentRow(person, cells, answered, right, score))
    return {"questions": questions, "students": students, "polls": polls}


def _answer_text(poll: Poll, choice: Any, value: Any) -> str:
    if poll.kind == Poll.CHOICE:
        if choice is None:
            return ""
        index = int(choice)
        return poll.choices[index] if 0 <= index < len(poll.choices) else ""
    if value is None:
        return ""
    return f"{format_number(float(value))}{(' ' + poll.unit) if poll.unit else ''}"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def csv_safe(text: str) -> str:
    """Text a spreadsheet will not run: a leading '=', '+', '-', '@' (or tab/CR) starts a
    formula in Excel and LibreOffice, so such a cell gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


# Excel on Japanese Windows reads a CSV without a byte-order mark as Shift_JIS.
BOM = "\ufeff"


def _local(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    """A time as a spreadsheet reads it, in the viewer's zone: 2026-12-07 02:40:05."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def report_csv(session: StudySession, zone: dt.tzinfo = dt.timezone.utc) -> str:
    """The report as CSV text starting with a BOM; times in `zone`, named in the headers."""
    data = report(session)
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    zone_name = str(zone)
    writer.writerow(
        [
            "nickname",
            f"joined_at ({zone_name})",
            f"last_seen ({zone_name})",
            "question",
            "prompt",
            "answer",
            "correct",
            f"answered_at ({zone_name})",
            "score",
        ]
    )
    for row in data["students"]:
        p = row.participant
        base = [csv_safe(p.nickname), _local(p.joined_at, zone), _local(p.last_seen, zone)]
        if not row.cells:
            writer.writerow([*base, "", "", "", "", "", row.score])
        for cell in row.cells:
            a = cell["answer"]
            mark = {True: "yes", False: "no", None: ""}[cell["correct"]]
            writer.writerow(
                [
                    *base,
                    cell["poll"].number,
                    csv_safe(cell["poll"].prompt),
                    csv_safe(cell["text"]),
                    mark,
                    _local(a.answered_at, zone) if a else "",
                    row.score,
                ]
            )
    return out.getvalue()
