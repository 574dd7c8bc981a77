"""The report: CSV cells a spreadsheet will not run."""

from __future__ import annotations

import pytest

from patterns.sessions import report

pytestmark = pytest.mark.unit


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
