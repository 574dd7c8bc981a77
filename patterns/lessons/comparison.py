"""The comparison table of the four patterns: the talk's rows and rows the engine measures.

The talk's rows (ease of setup, extra proxy container, traffic metrics, GA date) are facts from the
verified comparison in the AWS reference notes; the ease-of-setup marks are the talk's own judgement
and say so. The measured rows are never written down: they are computed by running the built-in
scenarios through :mod:`patterns.sim` with a fixed seed, so they change when the engine does.

Measured rows:

``dead-task``      built-in ``kill-task``: seconds from the kill to the last request any caller sent
                   to the dead task, and how many requests failed in the run.
``deploy-errors``  built-in ``rolling-deploy``: requests that failed while inventory was redeployed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from patterns.sim import PATTERNS, run

SEED = 1


@dataclass(frozen=True)
class Cell:
    text: str | Promise
    mark: str = ""  # a symbol shown with the text (status by shape, not only colour)
    tone: str = ""  # good | fair | poor: a CSS hook
    missing: bool = False


@dataclass(frozen=True)
class Row:
    key: str
    label: Promise
    cells: tuple[Cell, ...]  # in PATTERNS order
    note: Promise | None = None
    measured: bool = False


_GOOD, _FAIR, _POOR = "good", "fair", "poor"


def _talk_rows() -> dict[str, Row]:
    return {
        "setup": Row(
            "setup",
            _("Ease of setup"),
            (
                Cell(_("Fair"), "△", _FAIR),
                Cell(_("Hard"), "×", _POOR),
                Cell(_("Easy"), "◯", _GOOD),
                Cell(_("Easy"), "◯", _GOOD),
            ),
            note=_("The talk's own judgement, not a measured fact."),
        ),
        "proxy": Row(
            "proxy",
            _("Extra proxy container"),
            (
                Cell(_("Not needed")),
                Cell(_("Needed (Envoy sidecar)")),
                Cell(_("Not needed")),
                Cell(_("Needed (managed agent, added by ECS)")),
            ),
        ),
        "metrics": Row(
            "metrics",
            _("Traffic metrics"),
            (
                Cell(_("Yes: ALB CloudWatch metrics"), "◯", _GOOD),
                Cell(_("Yes: Envoy statistics you export yourself"), "◯", _GOOD),
                Cell(_("No: the application must collect them"), "×", _POOR),
                Cell(_("Yes: built-in CloudWatch metrics"), "◯", _GOOD),
            ),
        ),
        "ga": Row(
            "ga",
            _("Generally available"),
            (
                Cell(_("2016-08-11 (ALB with dynamic ports; Classic ELB with ECS: 2015-04-09)")),
                Cell(_("2019-03-27 (end of support: 2026-09-30)")),
                Cell("2018-03-22"),
                Cell("2022-11-27"),
            ),
            note=_(
                "The talk left the ELB date open; the dates here are checked against AWS's document history."
            ),
        ),
    }


@functools.cache
def result_for(scenario: str, pattern: str, seed: int) -> dict[str, Any] | None:
    """One engine run, cached: the engine is deterministic, so the answer never changes."""
    try:
        return run(scenario, pattern=pattern, seed=seed)
    except (ImportError, NotImplementedError):
        # A pattern the engine does not model yet: the table says so instead of guessing.
        return None


def _seconds(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def dead_task_window(result: dict[str, Any]) -> tuple[float, bool]:
    """Seconds from the first kill to the last request sent to the killed task.

    Returns (seconds, still_receiving): still_receiving is True when requests reached the task
    in the run's last second, i.e. the window had not closed when the run ended.
    Example: killed at 60 s, last request at 64.557 s -> (4.557, False).
    """
    moments = result["summary"]["key_moments"]
    kill = next(m for m in moments if m["kind"] == "action" and m.get("do") == "kill_task")
    last = [
        m["t"]
        for m in moments
        if m["kind"] == "last_request_to_task" and m.get("task") == kill["task"]
    ]
    end = float(result["t"])
    if not last:
        return 0.0, False
    return last[0] - kill["t"], last[0] >= end - 1


def _failed(result: dict[str, Any]) -> int:
    return int(sum(result["summary"]["errors"].values()))


def _dead_task_cell(result: dict[str, Any] | None) -> Cell:
    if result is None:
        return Cell(_("Not modelled yet"), "–", missing=True)
    window, open_at_end = dead_task_window(result)
    failed = _failed(result)
    if open_at_end:
        text = _("still getting requests when the run ended (%(s)s s); %(n)s failed requests")
    else:
        text = _("%(s)s s; %(n)s failed requests")
    return Cell(text % {"s": _seconds(window), "n": f"{failed:,}"})


def _deploy_cell(result: dict[str, Any] | None) -> Cell:
    if result is None:
        return Cell(_("Not modelled yet"), "–", missing=True)
    failed = _failed(result)
    requests = int(result["summary"]["requests"])
    return Cell(_("%(n)s of %(total)s requests") % {"n": f"{failed:,}", "total": f"{requests:,}"})


def _measured_rows() -> dict[str, Row]:
    kill = [result_for("kill-task", pattern, SEED) for pattern in PATTERNS]
    deploy = [result_for("rolling-deploy", pattern, SEED) for pattern in PATTERNS]
    return {
        "dead-task": Row(
            "dead-task",
            _("Time until a dead task stops getting requests"),
            tuple(_dead_task_cell(result) for result in kill),
            note=_(
                "Measured by the engine: built-in scenario kill-task (inventory-2 killed at 60 s), seed 1, AWS defaults."
            ),
            measured=True,
        ),
        "deploy-errors": Row(
            "deploy-errors",
            _("Failed requests during a rolling deployment"),
            tuple(_deploy_cell(result) for result in deploy),
            note=_(
                "Measured by the engine: built-in scenario rolling-deploy (inventory redeployed at 60 s), seed 1."
            ),
            measured=True,
        ),
    }


def comparison_rows(keys: tuple[str, ...]) -> list[Row]:
    """The rows asked for, in the order asked; measured rows run the engine (cached)."""
    rows = _talk_rows()
    if any(key in ("dead-task", "deploy-errors") for key in keys):
        rows.update(_measured_rows())
    return [rows[key] for key in keys]
