"""Polls: round bins, the tally, the histogram and the lesson's quiz as polls."""

from __future__ import annotations

import pytest

from patterns.sessions import polls
from patterns.sessions.fields import (
    SessionError,
    parse_typed_number,
    read_answer_number,
    read_text,
)
from patterns.sessions.models import Poll

pytestmark = pytest.mark.unit


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


def _unordered(made: list[dict]) -> list[tuple]:  # type: ignore[type-arg]
    """A poll without its choice order (each attempt shuffles the choices)."""
    return [
        (p["step"], p["prompt"], tuple(sorted(p["choices"])),
         None if p["correct"] is None else p["choices"][p["correct"]])
        for p in made
    ]  # fmt: skip


def test_lesson_polls_turn_the_quiz_into_plain_text_polls() -> None:
    # Attempts ask one variant of each concept: the written polls over all attempts.
    made = {
        poll
        for seed in range(1, 61)
        for poll in _unordered(polls.from_lesson("summary", "en", seed))
    }

    assert {
        (
            4,
            "Your services all run on ECS and you want retries and traffic metrics "
            "without running a mesh. What fits best?",
            ("AWS App Mesh", "ECS Service Connect", "ECS Service Discovery"),
            "ECS Service Connect",
        ),
        (
            # Two right answers: a poll takes one, so this one cannot be scored.
            4,
            "A Lambda function attached to your VPC must call one of your ECS services. "
            "Which options work?",
            ("ECS Service Connect alone", "ECS Service Discovery", "an ALB"),
            None,
        ),
    } <= made


def test_lesson_polls_shuffle_per_seed_and_follow_the_language() -> None:
    first, second = (polls.from_lesson("elb", "en", seed) for seed in (1, 7))
    ja = polls.from_lesson("elb", "ja", seed=1)

    assert [p["choices"] for p in first] != [p["choices"] for p in second]
    assert [p["step"] for p in ja] == [p["step"] for p in first]
    assert any(p["prompt"].startswith("デフォルトのヘルスチェック") for p in ja)
    assert polls.from_lesson("no-such-lesson", "en", 1) == []
    assert polls.from_lesson("", "en", 1) == []


def test_poll_text_keeps_japanese_full_width_punctuation() -> None:
    # NFKC would turn （ ） ？ into ( ) ? and break the Japanese style the lessons follow.
    prompt = "デフォルトのヘルスチェック（30 秒ごと）の場合、何秒ですか？"

    assert read_text({"prompt": prompt}, "prompt", 300) == prompt
    assert read_text({"prompt": "  a\u3000 b "}, "prompt", 300) == "a b"


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("42", 42.0),
        ("１２．５", 12.5),
        ("  ３０ ", 30.0),
        ("1,5", 1.5),
        ("1,000", 1000.0),
        ("１，０００．５", 1000.5),
        ("−3", -3.0),
        (".5", 0.5),
        ("１２秒", None),
        ("30 s", None),
        ("1.2.3", None),
        ("thirty", None),
        ("", None),
    ],
)
def test_typed_numbers_read_as_a_phone_types_them(typed: str, number: float | None) -> None:
    assert parse_typed_number(typed) == number


def test_a_refused_number_says_what_was_typed_and_why() -> None:
    with pytest.raises(SessionError) as error:
        read_answer_number({"value": "１２秒"}, "value", -1e9, 1e9)

    assert (error.value.field, error.value.reason) == (
        "value",
        "“１２秒” is not a number: write only digits, such as 42 or 1.5.",
    )


def test_lesson_texts_name_one_question_in_every_language() -> None:
    texts = polls.lesson_texts("summary", "summary-choice:0", 3)

    assert sorted(texts) == ["en", "ja"]
    assert texts["en"] == polls.from_lesson("summary", "en", 3)[0]
    assert texts["ja"]["correct"] == texts["en"]["correct"] == 2
    assert texts["ja"]["prompt"] != texts["en"]["prompt"]
    assert polls.lesson_texts("summary", "summary-choice:99", 3) == {}
    assert polls.lesson_texts("no-such-lesson", "summary-choice:0", 3) == {}


def test_localized_tally_swaps_in_the_viewers_labels_only_when_it_has_them() -> None:
    tally = {"labels": ["a", "b"], "counts": [1, 2], "texts": {"ja": ["あ", "い"]}}

    assert polls.localized(tally, "ja") == {"labels": ["あ", "い"], "counts": [1, 2]}
    assert polls.localized(tally, "en") == {"labels": ["a", "b"], "counts": [1, 2]}
    assert polls.without_answer({"correct": 2, "counts": [1]}) == {"correct": None, "counts": [1]}
