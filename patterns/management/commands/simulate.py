"""``python manage.py simulate SCENARIO``: run a scenario and print what happened."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, ScenarioError, compare, run
from patterns.sim.report import format_json, format_table


class Command(BaseCommand):
    help = (
        "Run a built-in scenario or a scenario JSON file through the simulation engine and print "
        "a summary table or the full JSON result."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "scenario",
            help=f"a built-in scenario ({', '.join(sorted(BUILTIN_SCENARIOS))}) or a JSON file",
        )
        parser.add_argument("--pattern", choices=PATTERNS, help="the pattern to run")
        parser.add_argument("--seed", type=int, help="the random seed (overrides the scenario's)")
        parser.add_argument(
            "--duration", type=float, help="virtual seconds to simulate (overrides the scenario's)"
        )
        parser.add_argument(
            "--compare", action="store_true", help="run all four patterns side by side"
        )
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["compare"] and options["pattern"]:
            raise CommandError("--pattern: cannot be combined with --compare")
        scenario = _load(options["scenario"])
        try:
            if options["compare"]:
                results = compare(scenario, seed=options["seed"], duration_s=options["duration"])
            else:
                result = run(
                    scenario,
                    pattern=options["pattern"],
                    seed=options["seed"],
                    duration_s=options["duration"],
                )
                results = {result["pattern"]: result}
        except ScenarioError as error:
            raise CommandError(f"{error.path}: {error.reason}") from None
        if options["format"] == "json":
            data = results if options["compare"] else next(iter(results.values()))
            self.stdout.write(format_json(data), ending="")
        else:
            self.stdout.write(format_table(results), ending="")


def _load(name: str) -> str | dict[str, Any]:
    """A built-in scenario's name as is, or a JSON file's contents."""
    if name in BUILTIN_SCENARIOS:
        return name
    path = Path(name)
    if not path.is_file():
        raise CommandError(
            f"scenario: {name!r} is neither a built-in scenario "
            f"({', '.join(sorted(BUILTIN_SCENARIOS))}) nor a file"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise CommandError(f"scenario: {name} is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise CommandError(
            f"scenario: {name} is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from None
    if not isinstance(data, dict):
        raise CommandError(f"scenario: {name} must hold a JSON object, not {type(data).__name__}")
    return data
