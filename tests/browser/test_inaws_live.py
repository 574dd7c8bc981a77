"""The "In AWS" panel at the playhead, in a real browser: every pattern in English and Japanese,
a lab's panel following its player, and a lesson's canary step whose configuration changes once
the playhead passes the deploy (both downloads follow it). Screenshots at 390 and 1280 px go to
/work/shots-inaws-live/ when that folder can be made."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.servers import DaphneServer

pytestmark = pytest.mark.browser

CANARY = "/lessons/service-connect/?step=7"
SHOTS = Path("/work/shots-inaws-live")
PATTERNS = ("elb", "app-mesh", "service-discovery", "service-connect")


def _shot(page: Page, name: str, part: Locator | None = None) -> None:
    """The whole page, and the panel's part of it (a full phone page is too tall to look at)."""
    try:
        SHOTS.mkdir(exist_ok=True)
    except OSError:  # pragma: no cover - a machine without /work
        return
    page.screenshot(path=str(SHOTS / name), full_page=True)
    if part is not None:
        part.screenshot(path=str(SHOTS / name.replace(".png", "-panel.png")))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_pattern_tells_the_run_at_the_playhead(
    browser: Browser, daphne_server: DaphneServer, lang: str
) -> None:
    for pattern in PATTERNS:
        context = browser.new_context(locale="ja-JP" if lang == "ja" else "en-US", viewport=PHONE)
        page = context.new_page()
        query = urlencode({"scenario": "scale-out", "pattern": pattern, "at": "61"})
        page.goto(f"{daphne_server.url}/in-aws/?{query}")

        expect(page.locator("[data-testid=inaws-at]")).to_have_text(
            "▶ この実行の 61 秒の時点" if lang == "ja" else "▶ At 61 s in this run"
        )
        step = page.locator(f"article[data-pattern='{pattern}'] .inaws-step[data-do=scale]")
        expect(step).to_have_attribute("data-kind", "field")
        expect(step).to_contain_text("desiredCount 6")
        expect(step.locator(".inaws-step__kind")).to_have_text(
            "設定：次の項目に反映されます"
            if lang == "ja"
            else "Configuration: it becomes this field"
        )
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        _shot(
            page,
            f"page-{pattern}-{lang}-390.png",
            page.locator(f"article[data-pattern='{pattern}'] [data-testid=inaws-steps]"),
        )
        context.close()


def _jump(page: Page, seconds: float) -> None:
    jump = page.locator(".embed-player [data-role=jump]")
    jump.locator("input[name=t]").fill(str(seconds))
    jump.locator("input[name=t]").press("Enter")


@pytest.mark.parametrize(("lang", "viewport"), [("en", DESKTOP), ("ja", PHONE)])
def test_the_lesson_panel_follows_the_playhead_past_a_deploy(
    browser: Browser, daphne_server: DaphneServer, lang: str, viewport: dict[str, int]
) -> None:
    context = browser.new_context(
        locale="ja-JP" if lang == "ja" else "en-US", viewport=viewport, accept_downloads=True
    )
    page = context.new_page()
    page.goto(daphne_server.url + CANARY)
    player = page.locator(".embed-player #player")
    expect(player).to_have_attribute("data-status", "ready")

    # The compact lesson player keeps its jump field with the event list and speeds.
    page.locator(".embed-player .player__bar [data-role=details]").click()
    page.locator("[data-testid=inaws-embed] > summary").click()

    embed = page.locator("[data-testid=inaws-embed]")
    result = embed.locator("article[data-pattern='service-connect']")
    # The lesson player opens at its step's start (65 s, after the deploy): the panel says so.
    expect(embed.locator("[data-testid=inaws-at]")).to_have_attribute("data-at", "65.0")
    expect(result.locator(".inaws-step[data-do=deploy]")).to_contain_text("CANARY")

    _jump(page, 10)  # before the deploy

    expect(embed.locator("[data-testid=inaws-at]")).to_contain_text("10")
    expect(result.locator("[data-testid=inaws-later] .inaws-step[data-do=deploy]")).to_have_count(1)
    template = result.locator("[id$='-service-connect-cfn']")
    expect(template).to_contain_text('Strategy: "ROLLING"')
    expect(template).not_to_contain_text("CanaryConfiguration")

    _jump(page, 35)

    expect(embed.locator("[data-testid=inaws-at]")).to_contain_text("35")
    deploy = result.locator(".inaws-step[data-do=deploy]")
    expect(deploy).not_to_have_class("inaws-step inaws-step--field inaws-step--later")
    expect(deploy).to_contain_text("CANARY")
    expect(template).to_contain_text('Strategy: "CANARY"')
    expect(template).to_contain_text("CanaryPercent: 10")
    _shot(page, f"lesson-canary-{lang}-{viewport['width']}.png", embed)

    with page.expect_download() as api:
        result.locator("[data-testid=inaws-download-api]").click()
    with page.expect_download() as cfn:
        result.locator("[data-testid=inaws-download-cfn]").click()
    calls = json.loads(Path(api.value.path()).read_text(encoding="utf-8"))["calls"]
    inventory = next(
        c["input"]
        for c in calls
        if c["operation"] == "CreateService" and c["input"]["serviceName"] == "inventory"
    )
    assert inventory["deploymentConfiguration"]["strategy"] == "CANARY"
    assert api.value.suggested_filename == "kumoben-service-connect-api.json"
    assert "CanaryConfiguration:" in Path(cfn.value.path()).read_text(encoding="utf-8")

    _jump(page, 10)  # back before the deploy: the panel follows the playhead backwards too

    expect(template).to_contain_text('Strategy: "ROLLING"')
    context.close()


def test_a_labs_panel_shows_the_run_its_player_plays(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{daphne_server.url}/labs/elb-dead-task/")
    expect(page.locator("#player")).to_have_attribute("data-status", "ready")

    page.locator("[data-inaws-source=lab-config] [data-testid=inaws-show]").click()

    result = page.locator("[data-inaws-source=lab-config] [data-testid=inaws-result]")
    expect(result.locator("article[data-pattern='elb']")).to_have_count(1)
    expect(result.locator("[data-testid=inaws-steps]")).to_be_visible()
    expect(result.locator("[data-testid=inaws-at]")).to_be_visible()
    steps = result.locator(".inaws-step")
    assert steps.count() >= 1
    _shot(page, "lab-elb-dead-task-1280.png", result)
