"""The cost and metrics page beside the comparison lesson: a GET form (htmx swaps the result, and
without JavaScript it is a plain form), the computed monthly cost per pattern and Region, the price
table it came from, and the metrics each pattern gives you."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from patterns.catalog import PATTERN_NAMES
from patterns.lessons import cost, library, metrics


def _shown(amount: Decimal | None) -> str | None:
    return None if amount is None else cost.money(amount)


def _summary(inputs: cost.Inputs) -> dict[str, Any]:
    costs = cost.all_costs(inputs)
    chosen = costs[inputs.region]
    categories = [
        (
            key,
            cost.category_label(key),
            [_shown(chosen[p].by_category()[key]) for p in cost.PRICED_PATTERNS],
        )
        for key in cost.CATEGORIES
    ]
    return {
        "chosen": [chosen[p] for p in cost.PRICED_PATTERNS],
        "categories": categories,
        "totals": [
            (region, [costs[region][p].total_shown for p in cost.PRICED_PATTERNS])
            for region in cost.REGIONS
        ],
    }


@require_GET
def cost_page(request: HttpRequest) -> HttpResponse:
    inputs, errors, shown = cost.parse(request.GET)
    lang = library.language()
    table = cost.region_prices(inputs.region)
    sample = cost.system(inputs)
    price_fields = [
        (
            key,
            f"p_{key}",
            cost.price_label(key),
            table[key],
            shown.get(f"p_{key}", ""),
            errors.get(f"p_{key}"),
        )
        for key in cost.PRICE_KEYS
    ]
    context: dict[str, Any] = {
        "inputs": inputs,
        "errors": errors,
        "shown": shown,
        "regions": cost.REGIONS,
        "price_fields": price_fields,
        "pattern_names": [PATTERN_NAMES[p] for p in cost.PRICED_PATTERNS],
        "names": PATTERN_NAMES,
        "limits": {
            "tasks": f"{cost.MAX_TASKS_PER_SERVICE:,}",
            "rps": f"{cost.MAX_RPS_PER_CALL:,}",
            "kb": f"{cost.MAX_KB:,}",
        },
        "sample": {"services": len(sample.services), "calls": len(sample.calls)},
        "default_kb": cost.model().kb_per_request,
        "hours": cost.model().hours,
        "prices": cost.prices(),
        "ja": lang == "ja",
        "metrics": metrics.pattern_metrics(),
        "comparison": library.lesson("comparison", lang),
    }
    if not errors:
        context.update(_summary(inputs))
    htmx = getattr(request, "htmx", None)
    template = (
        "lessons/_cost.html" if htmx and not htmx.history_restore_request else "lessons/cost.html"
    )
    return render(request, template, context)
