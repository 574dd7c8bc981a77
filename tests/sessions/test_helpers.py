"""Pure helpers of study sessions: codes, nicknames, the state fold, bins, CSV safety, QR."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timezone

import pytest

from patterns.sessions import fields, joining, log, polls, report
from patterns.sessions import shared_run as session_sim
from patterns.sessions.models import Poll, SessionCommand
from patterns.sessions.qr import _runs, qr_matrix, qr_svg

pytestmark = pytest.mark.unit


def test_generate_code_uses_only_unambiguous_characters() -> None:
    codes = [joining.generate_code() for _ in range(200)]

    assert {len(code) for code in codes} == {6}
    assert set("".join(codes)) <= set(joining.CODE_ALPHABET)
    assert set("0O1IL") & set(joining.CODE_ALPHABET) == set()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("K7P-4QM", "K7P4QM"),
        (" k7p 4qm ", "K7P4QM"),
        ("Ｋ７Ｐ－４ＱＭ", "K7P4QM"),  # full-width, as a Japanese IME types it
        ("K7P4Q", None),
        ("K7P-4QO", None),  # O is never in a code
        ("K7P-4Q1", None),
        ("", None),
    ],
)
def test_normalize_code_accepts_display_forms_only(typed: str, expected: str | None) -> None:
    assert joining.normalize_code(typed) == expected


def test_normalize_nickname_folds_width_and_case_into_one_key() -> None:
    shown, key = joining.normalize_nickname("  Ａｙａ   Ｓ ")

    assert (shown, key) == ("Aya S", "aya s")
    assert joining.normalize_nickname("AYA S")[1] == key


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("   ", "Type a nickname."),
        ("x" * 25, "Use at most 24 characters."),
        ("bad\u200bname", "Use letters, digits and spaces only."),
        ("tab\x07", "Use letters, digits and spaces only."),
    ],
)
def test_normalize_nickname_refuses_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(fields.SessionError) as caught:
        joining.normalize_nickname(raw)

    assert (caught.value.field, caught.value.reason) == ("nickname", reason)


def test_normalize_nickname_keeps_24_characters_exactly() -> None:
    assert joining.normalize_nickname("y" * 24)[0] == "y" * 24


def test_virtual_time_worked_example() -> None:
    sim = {"playing": True, "speed": 2.0, "vt": 4.0, "since": 100.0, "actions": 0}

    assert session_sim.virtual_time(sim, 101.5) == 7.0
    assert session_sim.virtual_time({**sim, "playing": False}, 101.5) == 4.0


def _command(seq: int, at: float, command: str, **payload: object) -> SessionCommand:
    return SessionCommand(
        seq=seq, at=datetime.fromtimestamp(at, tz=timezone.utc), kind=command, payload=payload
    )


def test_fold_replays_slides_simulation_and_polls() -> None:
    commands = [
        _command(1, 100.0, "slide", slide=3, step=1),
        _command(2, 101.0, "play"),
        _command(3, 103.0, "speed", value=2.0),
        _command(4, 104.0, "action", action={"kind": "kill_task", "task": "inventory-2"}),
        _command(5, 105.0, "pause"),
        _command(6, 106.0, "highlight", el="task-inventory-2"),
        _command(
            7,
            107.0,
            "poll.open",
            id=9,
            number=1,
            kind="choice",
            prompt="Which?",
            choices=["a", "b"],
            unit="",
            scored=True,
            tolerance=0.0,
            correct=1,
        ),
        _command(8, 108.0, "poll.reveal", id=9, correct=1),
    ]

    state = log.fold(commands)

    assert state == {
        "slide": 3,
        "step": 1,
        "highlight": "task-inventory-2",
        # played 101->103 at 1x (2 s), then 103->105 at 2x (4 s): 6 s of virtual time
        "sim": {"playing": False, "speed": 2.0, "vt": 6.0, "since": 105.0, "actions": 1},
        "poll": {
            "id": 9,
            "number": 1,
            "kind": "choice",
            "prompt": "Which?",
            "choices": ["a", "b"],
            "unit": "",
            "scored": True,
            "state": "revealed",
            "correct": 1,
        },
        "ended": False,
    }


def test_fold_hides_the_right_answer_until_the_reveal() -> None:
    commands = [
        _command(
            1,
            100.0,
            "poll.open",
            id=9,
            number=1,
            kind="numeric",
            prompt="How long?",
            choices=[],
            unit="s",
            scored=False,
            tolerance=1.0,
            correct=30.0,
        )
    ]

    assert log.fold(commands)["poll"]["correct"] is None


def test_numeric_bins_worked_example() -> None:
    assert polls.numeric_bins([3, 7, 12]) == [
        (2, 4),
        (4, 6),
        (6, 8),
        (8, 10),
        (10, 12),
        (12, 14),
    ]


def test_numeric_bins_single_value_and_empty() -> None:
    assert polls.numeric_bins([5.0, 5.0]) == [(5.0, 5.0)]
    assert polls.numeric_bins([]) == []


def test_numeric_tally_counts_each_value_in_its_bin() -> None:
    poll = Poll(pk=1, kind=Poll.NUMERIC, prompt="?", correct=7.0)

    tally = polls.tally_answers(poll, [(None, 3.0), (None, 7.0), (None, 7.5), (None, 12.0)])

    assert (tally["labels"][:3], tally["counts"], tally["correct"]) == (
        ["2–4", "4–6", "6–8"],
        [1, 0, 2, 0, 0, 1],
        2,
    )


def test_histogram_rows_scale_to_the_largest_count() -> None:
    hist = polls.histogram_rows(
        {"labels": ["a", "b"], "counts": [3, 6], "correct": 1, "answered": 9}
    )

    assert [(r["width"], r["correct"], r["bar_y"]) for r in hist["rows"]] == [
        (125.0, False, 16),
        (250.0, True, 52),
    ]
    assert (hist["summary"], hist["height"]) == ("a: 3; b: 6", 72)


def test_histogram_html_draws_the_rows_as_svg_without_inline_styles() -> None:
    tally = {"labels": ["a<b", "c"], "counts": [3, 6], "correct": 1, "answered": 9}

    html = polls.histogram_html(tally, "Answers so far")

    assert html.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="histogram__svg"')
    assert 'viewBox="0 0 320 72"' in html
    assert 'aria-label="Answers so far (a&lt;b: 3; c: 6)"' in html
    assert '<rect x="0" y="16" width="125.0" height="14" rx="2" class="bar__rect"/>' in html
    assert '<g class="bar bar--correct"><text x="0" y="48" class="bar__label">✓ c</text>' in html
    assert '<text x="256.0" y="63" class="bar__count">6</text>' in html
    assert "style" not in html and "<script" not in html


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Aya", "Aya"),
    ],
)
def test_csv_safe_defuses_formula_starts(text: str, safe: str) -> None:
    assert report.csv_safe(text) == safe


def test_runs_worked_example() -> None:
    assert _runs([False, True, True, False, True]) == [(1, 2), (4, 1)]


def test_qr_svg_draws_exactly_the_dark_modules() -> None:
    matrix = qr_matrix("https://kumoben.example/sessions/join/K7P-4QM/")

    svg = qr_svg("https://kumoben.example/sessions/join/K7P-4QM/", 'QR "join"')

    drawn = set()
    for x, y, length in re.findall(r"M(\d+) (\d+)h(\d+)", svg):
        drawn |= {(int(x) + i, int(y)) for i in range(int(length))}
    dark = {(x, y) for y, row in enumerate(matrix) for x, cell in enumerate(row) if cell}
    assert drawn == dark
    assert 'aria-label="QR &quot;join&quot;"' in svg
    assert "style" not in svg


def test_code_space_is_large_enough_to_guess_only_by_luck() -> None:
    # 31 ** 6 codes; 20 guesses per 5 minutes from one address find one of 100 live
    # sessions with chance 20 * 100 / 887,503,681, about 2 in a million.
    assert len(joining.CODE_ALPHABET) ** joining.CODE_LENGTH == 887_503_681
    assert list(itertools.islice(joining.CODE_ALPHABET, 3)) == ["2", "3", "4"]


def test_lesson_polls_turn_the_quiz_into_plain_text_polls() -> None:
    made = polls.from_lesson("summary", "en", seed=1)

    assert made == [
        {
            "step": 4,
            "prompt": "Your services all run on ECS and you want retries and traffic metrics "
            "without running a mesh. What fits best?",
            "choices": ["ECS Service Discovery", "ECS Service Connect", "AWS App Mesh"],
            "correct": 1,
        },
        {
            # Two right answers: a poll takes one, so this one cannot be scored.
            "step": 4,
            "prompt": "A Lambda function must call one of your ECS services. Which options work?",
            "choices": ["an ALB", "ECS Service Discovery", "ECS Service Connect alone"],
            "correct": None,
        },
    ]


def test_lesson_polls_draw_new_numbers_per_seed_and_follow_the_language() -> None:
    first, second = (polls.from_lesson("elb", "en", seed) for seed in (1, 2))
    ja = polls.from_lesson("elb", "ja", seed=1)

    assert first[:-1] == second[:-1]  # the written questions
    assert first[-1] != second[-1]  # the drawn one
    assert [p["step"] for p in ja] == [p["step"] for p in first]
    assert ja[0]["prompt"].startswith("既定の health check")
    assert polls.from_lesson("no-such-lesson", "en", 1) == []
    assert polls.from_lesson("", "en", 1) == []
