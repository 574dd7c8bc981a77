"""Lab 10 in a real browser (English): a pattern the requirements rule out or rank lower fails on
the pattern side; the guide's pick with a deployment worked out from the numbers passes."""

from __future__ import annotations

import math
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import lab_check
from tests.servers import DaphneServer

LAB = "/labs/choose-pattern/"


def _settings(goal: str) -> dict[str, str]:
    """What a learner works out from the requirements the page shows."""
    pick = "service-connect" if "Only ECS services that can join" in goal else "elb"
    rolling = re.search(
        r"(\d+) tasks; keep at least (\d+) of them during a deployment, run at most (\d+) at once",
        goal,
    )
    if rolling:
        tasks, keep, most = (int(g) for g in rolling.groups())
        low = min(m for m in range(101) if math.ceil(tasks * m / 100 - 1e-9) >= keep)
        high = max(m for m in range(100, 201) if math.floor(tasks * m / 100 + 1e-9) <= most)
        return {
            "pattern": pick,
            "strategy": "rolling",
            "minimum_healthy_percent": str(low),
            "maximum_percent": str(high),
        }
    canary = re.search(
        r"at (\d+) requests/s; at most (\d+) % of requests on a new version first, with at least "
        r"(\d+) requests to it.*keep blue at least (\d+) min",
        goal,
    )
    assert canary, goal
    rps, percent, requests, bake = (int(g) for g in canary.groups())
    canary_bake = math.ceil((requests * 1.4 / (rps * percent / 100) - 10) / 60)
    return {
        "pattern": pick,
        "strategy": "canary",
        "canary_percent": str(percent),
        "canary_bake_time_min": str(canary_bake),
        "bake_time_min": str(bake),
    }


def _check(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"#lab-{name}")
        if name in ("pattern", "strategy"):
            field.select_option(value)
        else:
            field.fill(value)
    lab_check(page)


def test_choose_pattern_the_other_pattern_fails_on_the_pattern_then_the_guides_pick_passes(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + LAB)
    settings = _settings(page.locator(".lab__goal").inner_text())

    # The pattern the guide does not pick (Service Discovery would be refused by the engine for
    # a canary, beside the strategy field, before any verdict).
    other = "elb" if settings["pattern"] == "service-connect" else "service-connect"
    _check(page, {**settings, "pattern": other})
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-pattern")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-pattern")).to_contain_text(
        "ELB" if other == "elb" else "ECS Service Connect"
    )

    _check(page, settings)
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
    expect(page.get_by_test_id("outcome-pattern")).to_have_attribute("data-passed", "true")
    expect(page.locator(".verdict__measures")).to_contain_text("deploymentConfiguration.strategy")
