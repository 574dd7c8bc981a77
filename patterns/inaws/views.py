"""The "In AWS" panel: the configuration for the scenario on screen, highlighted, copyable and
downloadable. Thin: ``generate`` builds it, ``render`` writes and highlights it.

Input (GET or POST): ``scenario`` is a built-in scenario's name or a scenario as JSON (what the
playground's setup check or the player's hello hands over), ``pattern`` one of the four or ``all``
(default: the scenario's own), ``log`` a live run's actions as JSON (each with its ``at_s``) and
``at`` the playhead in seconds (default 0, the start): the configuration is the run's state there
(``fold.py``). htmx gets the panel's partial; a plain request the whole page. Bad input answers
400 with the reason beside its field, never a 500.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from patterns import untrusted
from patterns.errors import localized
from patterns.inaws import texts
from patterns.inaws.fold import Step, fold
from patterns.inaws.generate import (
    APP_PROTOCOLS,
    LOAD_BALANCER_TYPES,
    SCHEMES,
    Config,
    Wire,
    generate,
)
from patterns.inaws.render import api_json, call_json, highlighted, note_lines, template_yaml
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, Scenario, ScenarioError, load_scenario

ALL = "all"
#: Product names (the same in every language).
PATTERN_LABELS = {
    "elb": "Elastic Load Balancing",
    "app-mesh": "App Mesh",
    "service-discovery": "Service Discovery (Cloud Map DNS)",
    "service-connect": "Service Connect",
}
MAX_SCENARIO_CHARS = 200_000
MAX_LOG_ACTIONS = 500
#: Keys the engine adds to a scenario it hands out (the player's hello), not input.
OUTPUT_ONLY = ("assumptions", "what_if")


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _param(request: HttpRequest, name: str) -> str:
    value = request.POST.get(name) if request.method == "POST" else request.GET.get(name)
    return (value or "").strip()


def read_scenario(text: str) -> Scenario:
    """A built-in scenario's name, or a scenario as JSON; ScenarioError otherwise."""
    if not text:
        raise ScenarioError("scenario", "is required: a built-in scenario's name or JSON")
    if len(text) > MAX_SCENARIO_CHARS:
        raise ScenarioError("scenario", f"longer than {MAX_SCENARIO_CHARS} characters")
    if text in BUILTIN_SCENARIOS:
        return load_scenario(text)
    try:
        data = untrusted.load(text)
    except untrusted.UntrustedJSON as refused:
        if str(refused) != "not valid JSON":
            raise ScenarioError("scenario", str(refused)) from None
        names = ", ".join(BUILTIN_SCENARIOS)
        raise ScenarioError("scenario", f"neither a built-in scenario ({names}) nor JSON") from None
    if not isinstance(data, dict):
        raise ScenarioError("scenario", "must be a JSON object")
    return load_scenario({k: v for k, v in data.items() if k not in OUTPUT_ONLY})


def read_log(text: str) -> list[dict[str, Any]]:
    """A live run's action log as JSON: a list of actions, each with its ``at_s``."""
    if not text:
        return []
    if len(text) > MAX_SCENARIO_CHARS:
        raise ScenarioError("log", f"longer than {MAX_SCENARIO_CHARS} characters")
    try:
        data = untrusted.load(text)
    except untrusted.UntrustedJSON as refused:
        if str(refused) != "not valid JSON":
            raise ScenarioError("log", str(refused)) from None
        raise ScenarioError("log", "must be a JSON list of actions") from None
    if not isinstance(data, list) or not all(isinstance(a, dict) for a in data):
        raise ScenarioError("log", "must be a JSON list of actions")
    if len(data) > MAX_LOG_ACTIONS:
        raise ScenarioError("log", f"more than {MAX_LOG_ACTIONS} actions")
    return data


def read_at(text: str, scenario: Scenario) -> float:
    """The playhead in seconds, from 0 to the run's duration (default 0: the start)."""
    if not text:
        return 0.0
    try:
        at = float(text)
    except ValueError:
        raise ScenarioError("at", "must be a number of seconds") from None
    if not 0 <= at <= scenario.duration_s:  # also refuses nan
        raise ScenarioError("at", f"must be from 0 to the run's {scenario.duration_s:g} s")
    return at


#: How the services are reached (optional; a lab's choice): parameter -> allowed values.
WIRE_PARAMS: dict[str, tuple[str, ...]] = {
    "app_protocol": APP_PROTOCOLS,
    "load_balancer": LOAD_BALANCER_TYPES,
    "scheme": SCHEMES,
    "front_door": ("0", "1"),
}


def read_wire(values: dict[str, str]) -> Wire:
    """The wire parameters (each optional: the default is what the engine runs)."""
    chosen: dict[str, Any] = {}
    for name, allowed in WIRE_PARAMS.items():
        value = values.get(name, "")
        if not value:
            continue
        if value not in allowed:
            raise ScenarioError(name, f"must be one of {', '.join(allowed)}")
        chosen[name] = value == "1" if name == "front_door" else value
    return Wire(**chosen)


def with_log(scenario: Scenario, log: list[dict[str, Any]]) -> Scenario:
    """The scenario with a live run's actions after its own (validated like them)."""
    if not log:
        return scenario
    try:
        return scenario.with_overrides(actions=[*scenario.actions, *log])
    except ScenarioError as error:
        raise ScenarioError("log", f"{error.path}: {error.reason}") from None


def _lang() -> str:
    return "ja" if (get_language() or "en").startswith("ja") else "en"


def _patterns(scenario: Scenario, wanted: str) -> list[str]:
    if not wanted:
        return [scenario.pattern]
    if wanted == ALL:
        return list(PATTERNS)
    if wanted not in PATTERNS:
        raise ScenarioError("pattern", f"must be one of {', '.join(PATTERNS)} or {ALL}")
    return [wanted]


def _one(
    scenario: Scenario, pattern: str, at: float, wire: Wire | None = None
) -> tuple[Config, list[Step]] | str:
    """The pattern's configuration at the playhead and the run's actions, or why the scenario
    cannot run under the pattern."""
    try:
        moved = (
            scenario if pattern == scenario.pattern else scenario.with_overrides(pattern=pattern)
        )
    except ScenarioError as error:
        return localized(f"{error.path}: {error.reason}")
    folded, steps = fold(moved, at, _lang())
    return generate(folded, wire or Wire()), steps


def _view(config: Config) -> dict[str, Any]:
    calls = [
        {
            "service": c.service,
            "operation": c.operation,
            "about": c.about,
            "html": highlighted(call_json(c.input), "json"),
            "text": call_json(c.input),
        }
        for c in config.calls
    ]
    notes = "\n".join(note_lines(config, "//"))
    out: dict[str, Any] = {
        "config": config,
        "calls": calls,
        "notes_html": highlighted(notes, "json") if notes else "",
        "comments": sorted(config.comments.items()),
    }
    if config.template is not None:
        text = template_yaml(config)
        out["template_text"] = text
        out["template_html"] = highlighted(text, "yaml")
    return out


def _error(request: HttpRequest, error: ScenarioError) -> HttpResponse:
    context = {"error": error, "reason": localized(error), "full": not _htmx(request)}
    template = "inaws/_panel.html" if _htmx(request) else "inaws/page.html"
    return render(request, template, context, status=400)


def _read(request: HttpRequest) -> tuple[Scenario, list[str], float, Wire]:
    """The run (scenario plus live log), the patterns asked for, the playhead and the wire."""
    scenario = with_log(
        read_scenario(_param(request, "scenario")), read_log(_param(request, "log"))
    )
    return (
        scenario,
        _patterns(scenario, _param(request, "pattern")),
        read_at(_param(request, "at"), scenario),
        read_wire({name: _param(request, name) for name in WIRE_PARAMS}),
    )


def _steps_view(steps: list[Step]) -> dict[str, Any]:
    lang = _lang()
    return {
        "applied": [s for s in steps if not s.later],
        "later": [s for s in steps if s.later],
        "ui": {key: text.say(lang) for key, text in texts.UI.items() if key != "at"},
    }


@require_http_methods(["GET", "POST"])
def panel(request: HttpRequest) -> HttpResponse:
    try:
        scenario, patterns, at, wire = _read(request)
    except ScenarioError as error:
        return _error(request, error)
    base = {
        "scenario": _param(request, "scenario"),
        "log": _param(request, "log"),
        "at": f"{at:g}",
        **{name: _param(request, name) for name in WIRE_PARAMS},
    }
    results = []
    for pattern in patterns:
        one = _one(scenario, pattern, at, wire)
        query = urlencode({k: v for k, v in {**base, "pattern": pattern}.items() if v})
        results.append(
            {"pattern": pattern, "name": PATTERN_LABELS[pattern], "refused": one}
            if isinstance(one, str)
            else {
                "pattern": pattern,
                "name": PATTERN_LABELS[pattern],
                "query": query,
                **_view(one[0]),
                **_steps_view(one[1]),
            }
        )
    context = {
        "results": results,
        "scenario_name": scenario.name,
        "at": at,
        "at_title": texts.UI["at"].say(_lang(), t=f"{at:g}"),
        "uid": secrets.token_hex(4),
        "full": not _htmx(request),
    }
    template = "inaws/_panel.html" if _htmx(request) else "inaws/page.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def download(request: HttpRequest, kind: str) -> HttpResponse:
    """``api.json`` (the API calls in order) or ``template.yaml`` (CloudFormation) for one
    pattern; App Mesh is retired, so it has neither."""
    try:
        scenario, patterns, at, wire = _read(request)
        if len(patterns) != 1:
            raise ScenarioError("pattern", "name one pattern to download")
        result = _one(scenario, patterns[0], at, wire)
        if isinstance(result, str):
            raise ScenarioError("pattern", result)
        one = result[0]
        if one.historical:
            raise ScenarioError(
                "pattern", "App Mesh reached end of support on 2026-09-30: nothing to apply"
            )
    except ScenarioError as error:
        return _error(request, error)
    if kind == "api.json":
        body, mime = api_json(one), "application/json"
    else:
        body, mime = template_yaml(one), "application/yaml"
    response = HttpResponse(body, content_type=f"{mime}; charset=utf-8")
    filename = f"kumoben-{one.pattern}-{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
