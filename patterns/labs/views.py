"""Guided labs and the progress page: thin views over patterns.labs.checks and
patterns.progress.records.

The Check is a CSRF-protected POST; htmx gets the ``#lab-result`` partial, a plain form post gets
the whole page with the same fragment in it. Bad input is reported beside its field, never a 500.
The progress page lives here because it lists lessons and labs, and progress imports neither.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patterns.labs import checks as labs
from patterns.labs.forms import attach_engine_error, lab_form
from patterns.labs.texts import fill, lab_text
from patterns.lessons import library, quiz_views
from patterns.lessons.views import HtmxHttpRequest
from patterns.progress import records as progress
from patterns.sim import ScenarioError, load_scenario


def _get_lab(slug: str) -> labs.Lab:
    lab = labs.LABS.get(slug)
    if lab is None:
        raise Http404("no such lab")
    return lab


@require_GET
def lab_index(request: HttpRequest) -> HttpResponse:
    record = progress.ProgressStore(request).load()
    lang = library.language()
    items = [
        {"lab": lab, "text": lab_text(lang, lab.slug), "result": record["labs"].get(lab.slug)}
        for lab in labs.LABS.values()
    ]
    return render(request, "labs/index.html", {"items": items})


def _attempt(request: HttpRequest, lab: labs.Lab) -> tuple[progress.ProgressStore, dict[str, Any]]:
    """The learner's store and their current attempt of ``lab`` (its seed and hints used)."""
    store = progress.ProgressStore(request)
    record = store.load()
    entry = progress.lab_entry(record, lab.slug, store.seed())
    return store, entry


def _lab_context(request: HttpRequest, lab: labs.Lab, data: Any = None) -> dict[str, Any]:
    """The lab page for the learner's current attempt; ``data`` fills the form (a Check)."""
    _store, entry = _attempt(request, lab)
    form = lab_form(lab, entry["seed"], data)
    params = labs.draw_params(lab, entry["seed"])
    text = lab_text(library.language(), lab.slug)
    hints = [fill(hint, params) for hint in text["hints"]]
    shown = min(int(entry["hints"]), len(hints))
    filled = {
        **text,
        "goal": fill(text["goal"], params),
        "hints": hints[:shown],  # the rest stay on the server until asked for, one at a time
        "takeaway": fill(text["takeaway"], params),
    }
    run = None if lab.predict_first else _run_spec(lab, lab.defaults(), params)
    return {
        "lab": lab,
        "text": filled,
        "params": params,
        "form": form,
        "result": entry,
        "hints_used": shown,
        "hints_total": len(hints),
        # Before a Check, the sandbox plays the lab's starting run, unless the lab asks for a
        # prediction first: its run would show the numbers to predict.
        "run": run,
        "inaws": _inaws_spec(lab, lab.defaults(), params, run),
    }


def _inaws_spec(
    lab: labs.Lab, values: Any, params: dict[str, Any], run: dict[str, Any] | None
) -> dict[str, Any] | None:
    """What the "In AWS" panel generates: the run on screen, or, in a lab graded on its
    configuration, the learner's last checked choice even when no run is shown; with the
    learner's wire (protocol, load balancer, scheme, front door)."""
    wire = lab.inaws_wire(values) if lab.inaws_wire is not None else {}
    if run is not None:
        return {"scenario": run["scenario"], "pattern": run["pattern"], "wire": wire}
    if lab.inaws_wire is None or not values.get("pattern", "x"):
        return None
    try:
        scenario = lab.build(values, params)
    except (KeyError, TypeError, ValueError):
        return None
    return {"scenario": scenario, "pattern": lab.pattern_for(values), "wire": wire}


def _run_spec(
    lab: labs.Lab, values: Any, params: dict[str, Any], at: float | None = None
) -> dict[str, Any] | None:
    """What the sandbox player replays: the scenario as judged (or the starting settings), and a
    playground link that opens it at ``at``, the moment that decided the Check (else the start)."""
    try:
        scenario = lab.build(values, params)
    except (KeyError, TypeError, ValueError):
        return None
    pattern = lab.pattern_for(values)
    # The link holds the run as the sandbox sends it (scenario with its seed).
    played = {**scenario, "seed": params["seed"]}
    moment = round(min(max(at, 0.0), float(scenario["duration_s"])), 1) if at is not None else 0
    query = {
        "scenario_json": json.dumps(played, separators=(",", ":")),
        "pattern": pattern,
        "seed": str(params["seed"]),
        "t": f"{moment:g}",
    }
    try:  # values AWS fixes that the run changes: a what-if, labelled on the page
        what_if = [w["setting"] for w in load_scenario({**scenario, "pattern": pattern}).what_if]
    except ScenarioError:
        what_if = []
    return {
        "scenario": scenario,
        "pattern": pattern,
        "seed": params["seed"],
        "t": moment,
        "explore": f"{reverse('playground')}?{urlencode(query)}",
        "what_if": what_if,
    }


@require_GET
def lab_page(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _get_lab(slug)
    return render(request, "labs/lab.html", _lab_context(request, lab))


@require_POST
def lab_check(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    lab = _get_lab(slug)
    context = _lab_context(request, lab, request.POST)
    form = context["form"]
    if lab.one_try and context["result"].get("spent"):
        form.add_error(None, _("This attempt is spent: draw a new variant to predict again."))
    if form.is_valid():
        for name, message in lab.validate(form.cleaned_data):
            form.add_error(name, message)
    if form.is_valid():
        try:
            verdict = labs.check(lab, form.cleaned_data, context["params"])
        except ScenarioError as error:
            attach_engine_error(lab, form, error)
        else:
            store, entry = _attempt(request, lab)
            record = store.load()
            record["labs"][lab.slug] = entry
            progress.record_lab(record, lab.slug, verdict.passed)
            if lab.one_try and not verdict.passed:  # one prediction a variant
                record["labs"][lab.slug]["spent"] = True
            store.save(record)
            context["result"] = record["labs"][lab.slug]
            context["verdict"] = verdict
            # A prediction lab shows its run (the numbers to predict) only once predicted right.
            if verdict.passed or not lab.predict_first:
                context["run"] = _run_spec(
                    lab, form.cleaned_data, context["params"], verdict.moment
                )
            context["inaws"] = _inaws_spec(
                lab, form.cleaned_data, context["params"], context["run"]
            )
    template = "labs/lab.html"
    if request.htmx:
        template += "#lab-check"
    return render(request, template, context)


@require_POST
def lab_hint(request: HttpRequest, slug: str) -> HttpResponse:
    """Reveal the current attempt's next hint (recorded on the attempt), then show the page there."""
    lab = _get_lab(slug)
    store, entry = _attempt(request, lab)
    record = store.load()
    record["labs"][lab.slug] = entry
    total = len(lab_text(library.language(), lab.slug)["hints"])
    shown = progress.reveal_hint(record, lab.slug, store.seed(), total)
    store.save(record)
    return redirect(f"{reverse('lab', args=[lab.slug])}#hint-{shown}")


@require_POST
def lab_variant(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a new attempt: a new seed draws another variant of the lab, hints hidden again."""
    lab = _get_lab(slug)
    store, entry = _attempt(request, lab)
    record = store.load()
    record["labs"][lab.slug] = entry
    progress.new_lab_attempt(record, lab.slug, store.seed())
    store.save(record)
    return redirect(f"{reverse('lab', args=[lab.slug])}#goal-title")


@require_GET
def progress_page(request: HttpRequest) -> HttpResponse:
    """Steps read, quizzes and labs passed, from the session or the learner's account."""
    store = progress.ProgressStore(request)
    record = store.load()
    lang = library.language()
    lesson_rows = progress.lesson_rows(record, library.lessons(lang).values())
    lab_rows = [
        {
            "slug": lab.slug,
            "order": lab.order,
            "title": lab_text(lang, lab.slug)["title"],
            "result": record["labs"].get(lab.slug),
        }
        for lab in labs.LABS.values()
    ]
    context = {
        "signed_in": store.signed_in,
        "lesson_rows": lesson_rows,
        "lab_rows": lab_rows,
        "steps_read": sum(row["read"] for row in lesson_rows),
        "steps_total": sum(row["total"] for row in lesson_rows),
        "quizzes_passed": sum(1 for row in lesson_rows if row["quiz"] and row["quiz"]["passed"]),
        "labs_passed": sum(1 for row in lab_rows if row["result"] and row["result"]["passed"]),
        **quiz_views.review_rows(request, record),
    }
    return render(request, "progress/page.html", context)
