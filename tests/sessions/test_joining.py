"""Joining a session: join codes and nicknames."""

from __future__ import annotations

import itertools

import pytest

from patterns.sessions import joining

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


def test_code_space_is_large_enough_to_guess_only_by_luck() -> None:
    # 31 ** 6 codes; 20 guesses per 5 minutes from one address find one of 100 live
    # sessions with chance 20 * 100 / 887,503,681, about 2 in a million.
    assert len(joining.CODE_ALPHABET) ** joining.CODE_LENGTH == 887_503_681
    assert list(itertools.islice(joining.CODE_ALPHABET, 3)) == ["2", "3", "4"]
