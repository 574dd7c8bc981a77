"""The playground page and its setup form: thin. The engine runs in the consumer and the instant-run
endpoint; the page describes the choices, the setup view checks them (``forms.PlaygroundSetup``)
and hands the run to the page's script, and the run a link names (``links``) goes straight to the player.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from patterns.catalog import PATTERN_NAMES, scenario_title
from patterns.errors import localized
from patterns.player import permalink
from patterns.playground import forms as playground_forms
from patterns.playground import links
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS


def _scenarios() -> list[dict[str, Any]]:
    """The scenario choices in page order, each with its one-line description; the blank sample
    system (the choice "") last."""
    builtins = [
        {
            "name": name,
            "label": name,
            "text": scenario_title(name),
            "pattern": data.get("pattern", ""),
        }
        for name, data in BUILTIN_SCENARIOS.items()
    ]
    blank = {
        "name": "",
        "label": _("Blank sample system"),
        "text": _(
            "The sample system (user → contract → inventory, billing) with no faults planned: "
            "add your own from the diagram."
        ),
        "pattern": "",
    }
    return [*builtins, blank]


def _setup_context(setup: playground_forms.PlaygroundSetup) -> dict[str, Any]:
    return {
        "setup": setup,
        "patterns": [(p, PATTERN_NAMES[p]) for p in PATTERNS],
        "scenarios": _scenarios(),
    }


def _opened_run(request: HttpRequest) -> tuple[dict[str, Any] | None, str]:
    """The run the page's link names (``links.open_link``), or why it cannot be opened."""
    if not links.asks_for_run(request.GET):
        return None, ""
    try:
        return links.open_link(request.GET).as_json(), ""
    except links.LinkError as error:
        return None, f"{error.field}: {localized(error)}"


# The setup form, the player and the share links are the same for every visitor of a language,
# so they are rendered once per language and process; a request renders only the page shell.
_BODIES: dict[str, SafeString] = {}


def _body(setup: playground_forms.PlaygroundSetup | None = None) -> SafeString:
    """The page's body; with a bound ``setup`` (a form posted without JavaScript) its fields
    keep what was sent and show each reason, and the body is not kept."""
    language = get_language() or "en"
    body = None if setup else _BODIES.get(language)
    if body is None:
        shown = setup or playground_forms.PlaygroundSetup()
        context = {
            **_setup_context(shown),
            "settings_forms": shown.settings,  # the player's "change a setting now" choices
            "deploy_form": playground_forms.DeployForm(),
            "deploy_refusals": [
                {"pattern": pattern, "text": text}
                for pattern, text in playground_forms.DEPLOY_REFUSALS.items()
            ],
            "show_legend": True,
        }
        body = SafeString(render_to_string("playground/_body.html", context))
        if setup is None:
            _BODIES[language] = body
    return body


@require_GET
def playground(request: HttpRequest) -> HttpResponse:
    opened, permalink_error = _opened_run(request)
    context = {
        "body": _body(),
        "opened_run": opened,
        "permalink_error": permalink_error,
    }
    return render(request, "playground/page.html", context)


@require_POST
def setup(request: HttpRequest) -> HttpResponse:
    """The ``#setup`` form checked: its fields again (``#setup-fields``) with every reason beside
    its field, and when all is well the run (``#setup-run``) the page's script hands to the player,
    started if a start button was used.

    Posted without htmx (no JavaScript), a refused form is the whole page with each reason beside
    its field, and a run that can start is opened by its permalink."""
    checked = playground_forms.PlaygroundSetup(request.POST)
    if getattr(request, "htmx", False):
        return render(request, "playground/_setup_fields.html", _setup_context(checked))
    run = checked.run
    if run is not None:
        seed = checked.form.cleaned_data["seed"]
        token = permalink.encode(run["scenario"], seed, run["pattern"], [])
        return redirect(f"{reverse('playground')}?{urlencode({'run': token})}")
    context = {"body": _body(checked), "opened_run": None, "permalink_error": ""}
    return render(request, "playground/page.html", context)
