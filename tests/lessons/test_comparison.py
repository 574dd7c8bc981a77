"""The measured rows of the comparison table."""

from __future__ import annotations

import pytest

from patterns.lessons.comparison import comparison_rows, dead_task_window

pytestmark = pytest.mark.unit


def _result(last_t: float, end_t: float) -> dict[str, object]:
    return {
        "t": end_t,
        "summary": {
            "key_moments": [
                {"kind": "action", "t": 60.0, "do": "kill_task", "task": "inventory-2"},
                {"kind": "last_request_to_task", "task": "inventory-1", "t": 200.0},
                {"kind": "last_request_to_task", "task": "inventory-2", "t": last_t},
            ]
        },
    }


def test_dead_task_window_is_the_docstring_example() -> None:
    window, still_receiving = dead_task_window(_result(64.557, 240.0))

    assert (round(window, 3), still_receiving) == (4.557, False)


def test_dead_task_window_is_open_when_requests_arrive_in_the_last_second() -> None:
    window, still_receiving = dead_task_window(_result(239.2, 240.0))

    assert (round(window, 1), still_receiving) == (179.2, True)


def test_comparison_rows_keep_the_order_asked_for() -> None:
    rows = comparison_rows(("ga", "setup"))

    assert [row.key for row in rows] == ["ga", "setup"]
    assert [str(cell.text) for cell in rows[0].cells][2:] == ["2018-03-22", "2022-11-27"]
    assert [cell.mark for cell in rows[1].cells] == ["△", "×", "◯", "◯"]
