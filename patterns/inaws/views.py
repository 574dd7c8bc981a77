"""The "In AWS" panel: the configuration for the scenario on screen, highlighted, copyable and
downloadable. Thin: ``generate`` builds it, ``render`` writes and highlights it.

Input (GET or POST): ``scenario`` is a built-in scenario's name or a scenario as JSON (what the
playground's setup check hands the player), ``pattern`` one of the four or ``all`` (default: the
scenario's own). htmx gets the panel's partial; a plain request the whole page. Bad input answers
400 with the reason beside its field, never a 500.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from patterns.errors import localized
from patterns.inaws.generate import Config, generate
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
        data = json.loads(text)
    except json.JSONDecodeError:
        names = ", ".join(BUILTIN_SCENARIOS)
        raise ScenarioError("scenario", f"neither a built-in scenario ({names}) nor JSON") from None
    if not isinstance(data, dict):
        raise ScenarioError("scenario", "must be a JSON object")
    return load_scenario(data)


def _patterns(scenario: Scenario, wanted: str) -> list[str]:
    if not wanted:
        return [scenario.pattern]
    if wanted == ALL:
        return list(PATTERNS)
    if wanted not in PATTERNS:
        raise ScenarioError("pattern", f"must be one of {', '.join(PATTERNS)} or {ALL}")
    return [wanted]


def _one(scenario: Scenario, pattern: str) -> Config | str:
    """The pattern's configuration, or why the scenario cannot run under it."""
    try:
        moved = (
            scenario if pattern == scenario.pattern else scenario.with_overrides(pattern=pattern)
        )
    except ScenarioError as error:
        return localized(f"{error.path}: {error.reason}")
    return generate(moved.to_dict())


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


@require_http_methods(["GET", "POST"])
def panel(request: HttpRequest) -> HttpResponse:
    scenario_text = _param(request, "scenario")
    wanted = _param(request, "pattern")
    try:
        scenario = read_scenario(scenario_text)
        patterns = _patterns(scenario, wanted)
    except ScenarioError as error:
        return _error(request, error)
    results = []
    for pattern in patterns:
        one = _one(scenario, pattern)
        query = urlencode({"scenario": scenario_text, "pattern": pattern})
        results.append(
            {"pattern": pattern, "name": PATTERN_LABELS[pattern], "refused": one}
            if isinstance(one, str)
            else {"pattern": pattern, "name": PATTERN_LABELS[pattern], "query": query, **_view(one)}
        )
    context = {
        "results": results,
        "scenario_text": scenario_text,
        "scenario_name": scenario.name,
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
        scenario = read_scenario(_param(request, "scenario"))
        patterns = _patterns(scenario, _param(request, "pattern"))
        if len(patterns) != 1:
            raise ScenarioError("pattern", "name one pattern to download")
        one = _one(scenario, patterns[0])
        if isinstance(one, str):
            raise ScenarioError("pattern", one)
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
