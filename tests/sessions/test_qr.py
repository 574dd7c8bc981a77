"""The QR code of the join page."""

from __future__ import annotations

import re

import pytest

from patterns.sessions.qr import _runs, qr_matrix, qr_svg

pytestmark = pytest.mark.unit


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
