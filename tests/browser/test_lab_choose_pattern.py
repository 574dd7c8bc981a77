"""Lab 10 in a real browser, in English and Japanese: the learner works the configuration out from
the requirements the page shows (the guide's words, the team's rule, the numbers). A pattern the
requirements rule out or rank lower fails on the pattern side; a port that declares the wrong
protocol fails on the protocol side; the worked-out configuration passes."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

import patterns.guide.texts as guide_texts
from tests.browser.conftest import DESKTOP, PHONE, PageErrors, lab_check
from tests.servers import DaphneServer

LAB = "/labs/choose-pattern/"
WRONG_PROTOCOL = {"http": "tcp", "grpc": "http", "tcp": "http"}


def _answer(goal: str, lang: str, question: str, answers: tuple[str, ...]) -> str:
    (found,) = [a for a in answers if str(guide_texts.text(lang, f"q-{question}", a)) in goal]
    return found


def _settings(goal: str, lang: str) -> dict[str, str]:
    """What a learner works out from the requirements the page shows."""
    callers = _answer(
        goal, lang, "callers", ("same-namespace", "other-namespace", "outside-ecs", "internet")
    )
    protocol = _answer(goal, lang, "protocol", ("http", "grpc", "tcp"))
    with translation.override(lang):
        no_proxy = translation.gettext("What runs in a task?") in goal
    sc = callers == "same-namespace" and not no_proxy
    with translation.override(lang):
        front = translation.gettext("Who calls %(front)s?") % {"front": "contract"} in goal
    settings = {
        "pattern": "service-connect" if sc else "elb",
        "app_protocol": protocol,
        "load_balancer": "network" if protocol == "tcp" else "application",
        "scheme": "internet-facing" if callers == "internet" or front else "internal",
        "front_door": "entry" if front else "none",
    }
    numbers = [int(n) for n in re.findall(r"\d+", goal.split("\n")[-1])]
    if len(numbers) == 4:  # rolling: tasks, keep, at most, within
        tasks, keep, most, _ = numbers
        low = min(m for m in range(101) if math.ceil(tasks * m / 100 - 1e-9) >= keep)
        high = max(m for m in range(100, 201) if math.floor(tasks * m / 100 + 1e-9) <= most)
        return {
            **settings,
            "strategy": "rolling",
            "minimum_healthy_percent": str(low),
            "maximum_percent": str(high),
        }
    _, rps, percent, requests, bake, budget = numbers
    needed = math.ceil((requests * 1.8 / (rps * percent / 100) - 10) / 60)
    return {
        **settings,
        "strategy": "canary",
        "canary_percent": str(percent),
        "canary_bake_time_min": str(min(needed, budget - bake - 2)),
        "bake_time_min": str(bake),
    }


def _check(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"#lab-{name}")
        if name in ("pattern", "strategy", "app_protocol", "load_balancer", "scheme", "front_door"):
            field.select_option(value)
        else:
            field.fill(value)
    lab_check(page)


def _goal(page: Page) -> str:
    # One requirement a line, the numbers last.
    return page.locator(".lab__goal p").filter(has=page.locator("strong")).first.inner_text()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_choose_pattern_wrong_pattern_then_wrong_protocol_fail_on_their_side_then_it_passes(
    browser: Browser, daphne_server: DaphneServer, lang: str
) -> None:
    context = browser.new_context(locale="ja-JP" if lang == "ja" else "en-US", viewport=DESKTOP)
    page = context.new_page()
    page.goto(daphne_server.url + LAB)
    settings = _settings(_goal(page), lang)
    with translation.override(lang):
        pattern_side = translation.gettext("Pattern fits the requirements")
        protocol_side = translation.gettext("Protocol the port declares")

    # The pattern the requirements do not call for (Service Discovery would be refused by the
    # engine for a canary, beside the strategy field, before any verdict).
    other = "elb" if settings["pattern"] == "service-connect" else "service-connect"
    _check(page, {**settings, "pattern": other})
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-pattern")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("verdict")).to_contain_text(pattern_side)

    # The right pattern, but a port that declares another protocol than the service speaks.
    wrong = WRONG_PROTOCOL[settings["app_protocol"]]
    _check(page, {**settings, "app_protocol": wrong})
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-protocol")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-pattern")).to_have_attribute("data-passed", "true")
    expect(page.get_by_test_id("verdict")).to_contain_text(protocol_side)

    _check(page, settings)
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
    expect(page.get_by_test_id("outcome-reach")).to_have_attribute("data-passed", "true")
    measures = page.locator(".verdict__measures")
    expect(measures).to_contain_text("portMappings[0].appProtocol")
    expect(measures).to_contain_text("deploymentConfiguration.strategy")
    context.close()


def _shows(panel: Page, settings: dict[str, str]) -> None:
    """The In AWS panel renders the configuration of ``settings``: the pattern's calls, the
    port's appProtocol, and a load balancer with the chosen Type and Scheme where there is one."""
    out = panel.locator(".inaws__out")  # type: ignore[attr-defined]
    expect(out.locator(f"article[data-pattern='{settings['pattern']}']")).to_have_count(1)
    if settings["app_protocol"] == "tcp":
        expect(out).not_to_contain_text('"appProtocol"')
    else:
        expect(out).to_contain_text(f'"appProtocol": "{settings["app_protocol"]}"')
    balanced = settings["pattern"] == "elb" or settings["front_door"] == "entry"
    if balanced:
        expect(out).to_contain_text(f'"Type": "{settings["load_balancer"]}"')
        expect(out).to_contain_text(f'"Scheme": "{settings["scheme"]}"')
    else:
        expect(out).not_to_contain_text("CreateLoadBalancer")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_choose_pattern_the_in_aws_panel_renders_the_learners_configuration(
    browser: Browser, daphne_server: DaphneServer, lang: str
) -> None:
    """Before a Check the panel has nothing to show; after one, failed or passed, it renders
    the pattern and wire the learner chose, and follows the next Check."""
    context = browser.new_context(locale="ja-JP" if lang == "ja" else "en-US", viewport=DESKTOP)
    page = context.new_page()
    page.goto(daphne_server.url + LAB)
    settings = _settings(_goal(page), lang)
    panel = page.locator("[data-inaws-source=lab-config]")
    panel.get_by_test_id("inaws-show").click()
    expect(panel.locator("[data-role=inaws-empty]")).to_be_visible()

    # A failing choice: the other load balancer type, internet-facing, with a front door.
    other = {
        **settings,
        "pattern": "elb",
        "load_balancer": "application" if settings["load_balancer"] == "network" else "network",
        "scheme": "internet-facing",
        "front_door": "entry",
    }
    _check(page, other)
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "false")
    panel.get_by_test_id("inaws-show").click()
    _shows(panel, other)  # type: ignore[arg-type]
    expect(panel.locator(".inaws__out")).to_contain_text('"Name": "contract"')

    # The worked-out configuration: the panel, already open, follows the Check.
    _check(page, settings)
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
    _shows(panel, settings)  # type: ignore[arg-type]
    context.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_choose_pattern_a_front_variant_passes_and_its_panel_shows_the_front_door(
    browser: Browser, daphne_server: DaphneServer, artifacts_dir: Path, lang: str
) -> None:
    """A variant whose contract is called from the internet (drawn again with New variant until
    one comes up): Service Connect behind an internet-facing ALB in front of contract passes, and
    the In AWS panel shows the ALB's one target group, contract; screenshots at 390 and 1280 px."""
    context = browser.new_context(locale="ja-JP" if lang == "ja" else "en-US", viewport=DESKTOP)
    page = context.new_page()
    errors = PageErrors(page)
    page.goto(daphne_server.url + LAB)
    with translation.override(lang):
        front = translation.gettext("Who calls %(front)s?") % {"front": "contract"}
    for _ in range(80):  # about one variant in ten is a front variant
        if front in _goal(page):
            break
        page.get_by_test_id("new-variant").click()
        page.wait_for_load_state()
    settings = _settings(_goal(page), lang)
    assert settings["front_door"] == "entry"

    _check(page, settings)
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
    expect(page.get_by_test_id("outcome-front-door")).to_have_attribute("data-passed", "true")
    panel = page.locator("[data-inaws-source=lab-config]")
    panel.get_by_test_id("inaws-show").click()
    _shows(panel, settings)  # type: ignore[arg-type]
    expect(panel.locator(".inaws__out")).to_contain_text('"Name": "contract"')
    for width, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(
            path=str(artifacts_dir / f"lab-choose-pattern-front-{lang}-{width}.png"),
            full_page=True,
        )
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()
    assert errors.messages == []
