"""Network JSON is refused, with a reason, when a later layer could not handle it (review D7)."""

from __future__ import annotations

import pytest

from patterns.untrusted import MAX_DEPTH, UntrustedJSON, load

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, f"nested deeper than {MAX_DEPTH} levels"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH} levels"),
        ('{"a": NaN}', "NaN is not a number JSON allows"),
        ('{"a": -Infinity}', "-Infinity is not a number JSON allows"),
        ('{"name": "\\ud800"}', "contains a lone surrogate (not a Unicode character)"),
        ('{"\\udfff": 1}', "contains a lone surrogate (not a Unicode character)"),
        ('{"choices": ["\\u0000"]}', "contains a NUL character"),
        ("{'single': 1}", "not valid JSON"),
        (b"\xff\xfe", "not valid UTF-8"),
    ],
)
def test_hostile_json_is_refused_with_its_reason(text, reason) -> None:
    with pytest.raises(UntrustedJSON) as refused:
        load(text)
    assert str(refused.value) == reason


def test_ordinary_json_passes_unchanged() -> None:
    text = (
        '{"type": "action", "at_s": 1.5, "name": "在庫 🐈‍⬛", "deep": ' + "[" * 30 + "]" * 30 + "}"
    )
    data = load(text)
    assert data["name"] == "在庫 🐈‍⬛"
    assert load(b'"\\ud83d\\ude00"') == "😀"  # a surrogate pair is one character
