"""The decision guide and the troubleshooting recipes: thin views over :mod:`.decide`,
:mod:`.recipes` and the words in :mod:`.texts`.

The guide is a plain GET form: without JavaScript the browser submits it and the page comes back
with the answer; with htmx the same request returns only the ``#guide-result`` partial.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from patterns import aws_docs as docs
from patterns.guide import decide, recipes, texts


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


#: Where each option is taught: (lesson slug, lab slug); VPC Lattice has neither, only its facts.
TAUGHT_IN: dict[str, tuple[str | None, str | None]] = {
    "service-connect": ("service-connect", "slow-starters"),
    "elb": ("elb", "elb-dead-task"),
    "service-discovery": ("service-discovery", "stale-dns"),
    "vpc-lattice": (None, None),
}
#: The VPC Lattice box: each fact's id in the guide's words, and the public page it rests on
#: (internal facts 4.1-4.11 and 5.9-5.10).
LATTICE_SOURCES: dict[str, str] = {
    "f1": f"{docs.ECS_API}/API_VpcLatticeConfiguration.html",
    "f2": f"{docs.LATTICE_GUIDE}/service-custom-domain-name.html",
    "f3": f"{docs.LATTICE_GUIDE}/service-networks.html",
    "f4": f"{docs.LATTICE_GUIDE}/target-group-health-checks.html",
    "f5": f"{docs.LATTICE_API}/API_WeightedTargetGroup.html",
    "f6": f"{docs.LATTICE_GUIDE}/target-groups.html",
    "f7": f"{docs.LATTICE_GUIDE}/auth-policies.html",
    "f8": docs.PRICING["vpc-lattice"],
}
LATTICE_FACTS: tuple[str, ...] = tuple(LATTICE_SOURCES)


def required_texts() -> dict[str, tuple[str, ...]]:
    """Every text the pages use, by entry: the same in every language (a test checks it)."""
    needed: dict[str, tuple[str, ...]] = {
        f"q-{q}": ("label", *answers) for q, answers in decide.QUESTIONS.items()
    }
    needed.update({f"o-{o}": ("name", "summary") for o in decide.OPTIONS})
    needed.update({f"r-{r}": ("text",) for r in decide.REASONS})
    needed.update({r.id: ("title", "symptom", "look", "cause", "fix") for r in recipes.RECIPES})
    needed["app-mesh-note"] = ("text",)
    needed["vpc-lattice-facts"] = LATTICE_FACTS
    needed["p-app-mesh"] = ("text",)
    return needed


def _lang() -> str:
    return get_language() or "en"


def _questions(lang: str, answers: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "name": q,
            "label": texts.text(lang, f"q-{q}", "label"),
            "choices": [
                {"value": a, "label": texts.text(lang, f"q-{q}", a), "checked": answers[q] == a}
                for a in choices
            ],
        }
        for q, choices in decide.QUESTIONS.items()
    ]


def _option(lang: str, option: str, verdict: decide.Verdict | None = None) -> dict[str, Any]:
    lesson, lab = TAUGHT_IN[option]
    lesson_url = reverse("lesson", args=[lesson]) if lesson else None
    return {
        "id": option,
        "name": texts.text(lang, f"o-{option}", "name"),
        "summary": texts.text(lang, f"o-{option}", "summary"),
        "lesson_url": lesson_url,
        "lab_url": reverse("lab", args=[lab]) if lab else None,
        "in_aws_url": lesson_url,  # the lesson until the pattern's "In AWS" panel exists
        "recipes_url": (
            f"{reverse('guide-troubleshooting')}#{option}"
            if option in recipes.RECIPE_PATTERNS
            else None
        ),
        "reasons": _reasons(lang, verdict) if verdict else [],
        "out": bool(verdict and verdict.out),
    }


def _reasons(lang: str, verdict: decide.Verdict) -> list[dict[str, Any]]:
    return [
        {
            "text": texts.text(lang, f"r-{reason.id}", "text"),
            "sources": [_link(url) for url in reason.sources],
            "confirmed": reason.confirmed,
            "effect": _effect(effect),
        }
        for reason, effect in verdict.reasons
    ]


def _link(url: str) -> dict[str, str]:
    """A source link: its address and its text (the site and the page)."""
    return {"url": url, "label": docs.label(url)}


def _effect(effect: int | str) -> str:
    """How a rule moved the option, for the page's mark: out, plus, minus or note (0)."""
    if isinstance(effect, str):
        return "out"
    return "plus" if effect > 0 else "minus" if effect < 0 else "note"


def _advice(lang: str, advice: decide.Advice) -> dict[str, Any]:
    return {
        "pick": _option(lang, advice.pick, advice.verdicts[advice.pick]),
        "runner_up": (
            _option(lang, advice.runner_up, advice.verdicts[advice.runner_up])
            if advice.runner_up
            else None
        ),
        "ruled_out": [_option(lang, o, v) for o, v in advice.verdicts.items() if v.out],
        "app_mesh_note": texts.text(lang, "app-mesh-note", "text")
        if advice.app_mesh_note
        else None,
    }


@require_GET
def guide(request: HtmxHttpRequest) -> HttpResponse:
    lang = _lang()
    asked = any(q in request.GET for q in decide.QUESTIONS)
    error: decide.AnswerError | None = None
    answers = {q: choices[0] for q, choices in decide.QUESTIONS.items()}
    advice = None
    if asked:
        try:
            answers = decide.check_answers(request.GET)
            advice = _advice(lang, decide.decide(answers))
        except decide.AnswerError as failure:
            error = failure
    context = {
        "questions": _questions(lang, answers),
        "advice": advice,
        "error": error,
        "lattice": {
            "name": texts.text(lang, "o-vpc-lattice", "name"),
            "facts": [
                {"text": texts.text(lang, "vpc-lattice-facts", f), **_link(LATTICE_SOURCES[f])}
                for f in LATTICE_FACTS
            ],
        },
    }
    template_name = "guide/guide.html"
    if request.htmx:
        template_name += "#guide-result"
    status = 400 if error and not request.htmx else 200
    return render(request, template_name, context, status=status)


def _recipe(lang: str, recipe: recipes.Recipe) -> dict[str, Any]:
    words = {
        key: texts.text(lang, recipe.id, key)
        for key in ("title", "symptom", "look", "cause", "fix")
    }
    return {
        "id": recipe.id,
        **words,
        "metrics": recipe.metrics,
        "sources": [_link(url) for url in recipes.SOURCES[recipe.id]],
        "evidence": recipes.evidence(recipe.id),
        "symptom_codes": recipe.symptom,
        "reproduce_url": f"{reverse('playground')}?run={recipe.link_token}",
    }


@require_GET
def troubleshooting(request: HttpRequest) -> HttpResponse:
    lang = _lang()
    wanted = request.GET.get("pattern", "")
    if wanted and wanted not in recipes.RECIPE_PATTERNS:
        context = {
            "error": decide.AnswerError(
                "pattern",
                f"must be one of {', '.join(recipes.RECIPE_PATTERNS)}; got {wanted[:40]!r}",
            ),
            "sections": [],
        }
        return render(request, "guide/troubleshooting.html", context, status=400)
    sections = [
        {
            "pattern": p,
            "name": texts.text(lang, f"o-{p}", "name"),
            "lesson_url": reverse("lesson", args=[TAUGHT_IN[p][0]]),
            "recipes": [_recipe(lang, r) for r in recipes.recipes_for(p)],
        }
        for p in recipes.RECIPE_PATTERNS
        if not wanted or p == wanted
    ]
    history = texts.text(lang, "p-app-mesh", "text")
    return render(
        request, "guide/troubleshooting.html", {"sections": sections, "app_mesh": history}
    )
