"""The playground page: thin. The engine runs in the live consumer and JSON endpoints; the page only
describes the choices and hands a permalink's run (if any) to the player."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from patterns.catalog import PATTERN_NAMES, SPEEDS, scenario_title
from patterns.player import permalink
from patterns.playground import forms as playground_forms
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, load_scenario

LEGEND_TEMPLATE = "playground/_diagram_legend.html"


@cache
def _diagram_css() -> bool:
    """The diagram stylesheet, linked only once it exists (a 404 would break the page's CSS)."""
    return finders.find("css/diagram.css") is not None


@cache
def _legend_template() -> str | None:
    try:
        get_template(LEGEND_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return LEGEND_TEMPLATE


def _scenarios() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "text": scenario_title(name),
            "pattern": data.get("pattern", ""),
        }
        for name, data in BUILTIN_SCENARIOS.items()
    ]


BLANK = {"name": "sample", "duration_s": 300}


@cache
def _builtin_scenarios() -> dict[str, dict[str, Any]]:
    """What the page's script starts from: each built-in as written, plus its calls (with their
    rates) so the traffic field can override them. The blank sample system is under ""."""
    scenarios = {"": BLANK, **BUILTIN_SCENARIOS}
    return {
        name: {"raw": raw, "traffic": load_scenario(raw).to_dict()["traffic"]}
        for name, raw in scenarios.items()
    }


def _opened_run(token: str | None) -> tuple[dict[str, Any] | None, str]:
    """The run a permalink holds, or the reason it cannot be opened."""
    if not token:
        return None, ""
    try:
        run = permalink.decode(token)
    except permalink.PermalinkError as error:
        return None, str(error)
    return {
        "scenario": run.scenario,
        "seed": run.seed,
        "pattern": run.pattern,
        "log": run.log,
        "token": token,
    }, ""


def _system_formsets() -> tuple[Any, Any]:
    services, calls = playground_forms.system_initial()
    return (
        playground_forms.ServiceFormSet(prefix="services", initial=services),
        playground_forms.CallFormSet(prefix="calls", initial=calls),
    )


# The setup form, the player and the share links are the same for every visitor of a language,
# so they are rendered once per language and process; a request renders only the page shell.
_BODIES: dict[str, SafeString] = {}


def _body() -> SafeString:
    language = get_language() or "en"
    body = _BODIES.get(language)
    if body is None:
        context = {
            "patterns": [(p, PATTERN_NAMES[p]) for p in PATTERNS],
            "scenarios": _scenarios(),
            "speeds": [{"value": s, "label": s} for s in SPEEDS],
            "legend_template": _legend_template(),
            "builtin_scenarios": _builtin_scenarios(),
            "settings_forms": playground_forms.settings_forms(),
            "system_forms": _system_formsets(),
        }
        body = SafeString(render_to_string("playground/_body.html", context))
        _BODIES[language] = body
    return body


@require_GET
def playground(request: HttpRequest) -> HttpResponse:
    opened, permalink_error = _opened_run(request.GET.get("run"))
    context = {
        "body": _body(),
        "diagram_css": _diagram_css(),
        "opened_run": opened,
        "permalink_error": permalink_error,
    }
    return render(request, "playground/page.html", context)
