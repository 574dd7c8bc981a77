"""A picture you can read: the player's diagram measured in a real browser (text size at 1280 and
1920 px, zoom, pan, fit and focus by keyboard, a phone's fitted view), request failure marks at
the engine's time, readouts and exports as of the playhead. Times come from the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from patterns.player.playback import instant_frames
from patterns.player.runs import scenario_of
from tests.browser.conftest import PHONE, PageErrors
from tests.browser.test_playground import PLAYER, open_run
from tests.servers import DaphneServer

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1920, "height": 1080}
FIGURE = f"{PLAYER} figure[data-pattern='elb']"
SHOTS = Path("/work/shots-diagram")

# The smallest text of every diagram on the page, in CSS pixels as drawn: the computed font size
# (SVG units) times the SVG's current scale on screen.
SMALLEST_TEXT = """
() => {
  let smallest = Infinity;
  for (const text of document.querySelectorAll('#player figure svg text')) {
    if (!text.textContent.trim() || !text.getClientRects().length) continue;
    const box = text.getBoundingClientRect();
    const frame = text.closest('[data-role=svg]').getBoundingClientRect();
    if (box.bottom < frame.top || box.top > frame.bottom) continue;  // scrolled out of the view
    const size = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
    smallest = Math.min(smallest, size);
  }
  return smallest;
}
"""


def view_box(page: Page, figure: str = FIGURE) -> list[float]:
    value = page.locator(f"{figure} svg.diagram-svg").get_attribute("viewBox") or ""
    return [float(v) for v in value.split()]


def scale(page: Page, figure: str = FIGURE) -> float:
    return float(page.locator(figure).get_attribute("data-scale") or "0")


def test_diagram_text_is_at_least_12_px_at_1280(page: Page, daphne_server: DaphneServer) -> None:
    open_run(page, daphne_server, scenario="kill-task", pattern="elb")

    smallest = page.evaluate(SMALLEST_TEXT)

    assert smallest >= 12 - 0.01
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0


def test_four_diagrams_keep_12_px_text_on_a_1920_projector(
    browser: Browser, daphne_server: DaphneServer
) -> None:
    context = browser.new_context(viewport=PROJECTOR, locale="en-US")
    page = context.new_page()
    errors = PageErrors(page)
    open_run(page, daphne_server, scenario="kill-task", pattern="all")

    smallest = page.evaluate(SMALLEST_TEXT)
    views = page.locator(f"{PLAYER} figure[data-view]").evaluate_all(
        "(figures) => figures.map((f) => f.dataset.view)"
    )
    page.screenshot(path=str(SHOTS / "all-1920.png"))
    context.close()

    assert smallest >= 12 - 0.01
    assert len(views) == 4
    assert errors.messages == []


def test_keyboard_zooms_pans_and_fits_without_touching_the_player_keys(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_run(page, daphne_server, scenario="kill-task", pattern="elb")
    frame = page.locator(f"{FIGURE} [data-role=svg]")
    frame.focus()
    before = scale(page)

    page.keyboard.press("+")
    zoomed = scale(page)
    box = view_box(page)
    page.keyboard.press("ArrowRight")
    panned = view_box(page)
    page.keyboard.press("0")

    assert zoomed == pytest.approx(before * 1.25, rel=1e-3)
    assert panned[0] > box[0]
    expect(page.locator(FIGURE)).to_have_attribute("data-view", "whole")
    # The diagram took the keys: the speed is still 1x and the playhead did not step.
    expect(page.locator(f"{PLAYER} button[data-speed='1']")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(PLAYER)).to_have_attribute("data-t", "0.000")


def test_zoom_buttons_and_fit_button(page: Page, daphne_server: DaphneServer) -> None:
    open_run(page, daphne_server, scenario="kill-task", pattern="elb")
    before = scale(page)

    page.click(f"{FIGURE} button[data-view=zoom-in]")
    page.click(f"{FIGURE} button[data-view=zoom-in]")
    zoomed = scale(page)
    page.click(f"{FIGURE} button[data-view=fit]")

    assert zoomed == pytest.approx(before * 1.5625, rel=1e-3)
    expect(page.locator(FIGURE)).to_have_attribute("data-view", "whole")


def test_focus_a_service_by_keyboard_dims_all_but_its_callers_and_callees(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_run(page, daphne_server, scenario="kill-task", pattern="elb")
    select = page.locator(f"{FIGURE} select[data-view=focus]")
    options = select.locator("option").evaluate_all("(os) => os.map((o) => o.value)")

    select.focus()
    while select.input_value() != "inventory":
        page.keyboard.press("ArrowDown")
    opacity = page.evaluate(
        """() => Object.fromEntries(['task-user-1', 'task-contract-1', 'task-inventory-2',
             'task-billing-1'].map((id) => [id, Number(getComputedStyle(
             document.querySelector('#player figure [id="' + id + '"]')).opacity)]))"""
    )

    assert options == ["", "user", "contract", "inventory", "billing"]
    # inventory is called by contract only: user and billing step back.
    assert opacity == {
        "task-user-1": 0.15,
        "task-contract-1": 1,
        "task-inventory-2": 1,
        "task-billing-1": 0.15,
    }
    expect(page.locator(FIGURE)).to_have_attribute("data-focus", "inventory")


def test_a_phone_fits_the_diagram_to_the_width_and_says_it_can_zoom(
    browser: Browser, daphne_server: DaphneServer
) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    errors = PageErrors(page)
    open_run(page, daphne_server, scenario="kill-task", pattern="elb")
    figure = page.locator(FIGURE)

    sideways = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    widths = page.evaluate(
        """() => { const f = document.querySelector('#player figure [data-role=svg]');
             return [f.scrollWidth, f.clientWidth, f.querySelector('svg').getBoundingClientRect().width]; }"""
    )
    hint = figure.locator(".diagram__hint--fit")
    expect(hint).to_be_visible()
    figure.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "playground-phone-fit.png"))
    page.click(f"{FIGURE} button[data-view=zoom-in]")
    zoomed_sideways = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    context.close()

    assert sideways <= 0
    assert widths[0] == widths[1]
    assert widths[2] <= widths[1] + 0.5
    assert zoomed_sideways <= 0
    assert errors.messages == []


def _timeout_dot() -> dict[str, Any]:
    """The engine's first 504 after the ALB's 10 s connect timeout to a black-holed task."""
    scenario, _ = scenario_of("kill-task")
    log = [{"at_s": 30.0, "do": "blackhole_task", "task": "inventory-2"}]
    frames = instant_frames(scenario, "elb", 1, log=log)["frames"]
    return next(d for f in frames for d in f["dots"] if d["outcome"] == "http_504")


def test_a_504_after_the_connect_timeout_is_marked_at_the_engine_time(
    page: Page, daphne_server: DaphneServer
) -> None:
    dot = _timeout_dot()
    sent, ended = dot["t"][0], dot["t"][-1]
    open_run(page, daphne_server, scenario="kill-task", pattern="elb")
    page.evaluate("window.kumobenPlayer.fork({do: 'blackhole_task', task: 'inventory-2'}, 30)")
    page.wait_for_function(
        "() => window.kumobenPlayer.branchId === 1 && window.kumobenPlayer.branch.end >= 240"
    )
    page.evaluate("window.kumobenPlayer.pause()")
    mark = page.locator(f"{FIGURE} g.dot[data-request='{dot['id']}']:not([display])")

    def kind_at(t: float) -> str | None:
        page.evaluate(f"window.kumobenPlayer.seek({t})")
        return mark.get_attribute("class") if mark.count() else None

    in_flight = kind_at(sent + 5)
    just_before = kind_at(ended - 0.05)
    at_end = kind_at(ended + 0.01)
    code = mark.locator(".dot__code").text_content()

    assert ended - sent == pytest.approx(10.0)
    assert in_flight == "dot dot--flight"
    assert just_before == "dot dot--flight"
    assert at_end == "dot dot--failed"
    assert code == "504"
