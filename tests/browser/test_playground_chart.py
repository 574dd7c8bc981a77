"""The clients-over-time chart (uPlot) in a real browser, CSP on, against a real instant run:
the plotted points, the hover readout, drag-to-zoom and double-click reset. Numbers come from
the engine (the same instant run computed here), never from the test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from patterns.player.playback import instant_frames
from patterns.sim import BUILTIN_SCENARIOS
from tests.browser.conftest import DESKTOP, PHONE, PageErrors
from tests.servers import DaphneServer

PLAYER = "#player"
CHART = f"{PLAYER} [data-role=chart]"
PAIR = ("contract", "inventory")  # the pair the chart shows first
SHOTS = Path("/tmp/shots-uplot")


def engine_windows(pattern: str = "elb") -> list[dict[str, Any]]:
    """The chart's rows as the engine counts them: windows where contract → inventory was called."""
    scenario = {k: v for k, v in BUILTIN_SCENARIOS["kill-task"].items() if k != "assumptions"}
    rows = []
    for frame in instant_frames(scenario, pattern, 1)["frames"]:
        for c in frame["metrics"]["clients"]:
            if (c["service"], c["to"]) == PAIR and c["requests"] > 0:
                rows.append({"t0": frame["t0"], "t1": frame["t1"], **c})
    return rows


def open_instant_run(page: Page, server: DaphneServer, pattern: str = "elb") -> None:
    page.goto(f"{server.url}/playground/")
    page.select_option("#scenario", "kill-task")
    page.check(f"input[name=pattern][value='{pattern}']")
    page.click("button[name=mode][value='instant']")
    expect(page.locator(PLAYER)).to_have_attribute("data-status", "ready", timeout=30_000)
    expect(page.locator(f"{CHART} canvas")).to_have_count(2)
    # Drawn after every frame arrived (the player redraws the chart at most every 120 ms).
    page.wait_for_function(
        "() => { const p = window.kumobenPlayer; return !p.dirty.chart && p.chart.charts[0].data[0].length > 0; }"
    )


def chart_state(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
             const chart = window.kumobenPlayer.chart;
             return {
               pair: chart.pair,
               x: chart.charts.map(u => [u.scales.x.min, u.scales.x.max]),
               data: chart.charts.map(u => u.data.map(d => Array.from(d))),
               duration: chart.duration,
             };
           }"""
    )


def page_x(page: Page, plot: int, t: float) -> tuple[float, float]:
    """Where time ``t`` is on plot ``plot`` (0 success, 1 latency), in page coordinates."""
    return page.evaluate(
        """([plot, t]) => {
             const u = window.kumobenPlayer.chart.charts[plot];
             u.over.scrollIntoView({ block: 'nearest' });
             const box = u.over.getBoundingClientRect();
             return [box.left + u.valToPos(t, 'x'), box.top + box.height / 2];
           }""",
        [plot, t],
    )


def test_chart_plots_the_engine_counts_for_the_pair(
    page: Page, daphne_server: DaphneServer
) -> None:
    rows = engine_windows()
    response = page.goto(f"{daphne_server.url}/playground/")
    assert response is not None
    assert "style-src 'self'" in response.headers["content-security-policy"]
    open_instant_run(page, daphne_server)

    state = chart_state(page)

    assert state["pair"] == "contract|inventory"
    success, latency = state["data"]
    assert success[0] == [r["t0"] for r in rows]
    assert success[1] == pytest.approx([100 * r["ok"] / r["requests"] for r in rows])
    assert latency[1] == pytest.approx([max(1, r["p99_ms"]) for r in rows])
    assert state["x"] == [[0, 240], [0, 240]]
    key = page.locator(f"{CHART} [data-role=chart-key] li")
    expect(key).to_have_count(1)
    expect(key).to_have_attribute("data-pattern", "elb")
    expect(key.locator(".chart__swatch")).to_have_text("●")
    expect(page.locator(f"{CHART} [data-role=chart-plots]")).to_have_attribute(
        "aria-label", "Client success rate and p99 latency over time"
    )


def test_hover_reads_out_the_window_the_engine_counted(
    page: Page, daphne_server: DaphneServer
) -> None:
    # The window the kill lands in (60 s): requests failed there, so the numbers are not all 100 %.
    window = next(r for r in engine_windows() if r["t0"] == 60.0)
    open_instant_run(page, daphne_server)
    readout = page.locator(f"{CHART} [data-role=chart-readout]")
    expect(page.locator(CHART)).to_have_attribute("data-readout", "playhead")

    page.mouse.move(*page_x(page, 1, 60.0))

    expect(page.locator(CHART)).to_have_attribute("data-readout", "hover")
    value = page.locator(f"{CHART} [data-role=chart-value]")
    ok = 100 * window["ok"] / window["requests"]
    expect(value).to_have_text(f"{ok:.1f} % ok, p99 {window['p99_ms']:.1f} ms")
    expect(readout).to_contain_text(
        f"ELB, 60–61 s, contract → inventory: {window['requests']} requests, {window['ok']} ok, "
        f"{window['errors']} failed, p50 {window['p50_ms']} ms, p99 {window['p99_ms']} ms"
    )
    expect(readout).to_contain_text("⚡ 60.0 s:")

    page.mouse.move(5, 5)
    expect(page.locator(CHART)).to_have_attribute("data-readout", "playhead")
    expect(value).to_have_text("")


def test_drag_zooms_both_plots_and_double_click_resets(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_instant_run(page, daphne_server)
    x0, y = page_x(page, 0, 50.0)
    x1, _ = page_x(page, 0, 90.0)

    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, y, steps=4)
    page.mouse.move(x1, y, steps=4)
    page.mouse.up()

    expect(page.locator(CHART)).to_have_attribute("data-zoomed", "true")
    top, bottom = chart_state(page)["x"]
    assert top == bottom
    assert top[0] == pytest.approx(50.0, abs=0.5)
    assert top[1] == pytest.approx(90.0, abs=0.5)
    assert page.locator(PLAYER).get_attribute("data-t") == "0.000"  # a drag is no jump

    page.mouse.dblclick(*page_x(page, 1, 70.0))

    expect(page.locator(CHART)).to_have_attribute("data-zoomed", "false")
    assert chart_state(page)["x"] == [[0, 240], [0, 240]]


def test_click_on_the_chart_jumps_there(page: Page, daphne_server: DaphneServer) -> None:
    open_instant_run(page, daphne_server)

    page.mouse.click(*page_x(page, 0, 120.0))

    t = float(page.locator(PLAYER).get_attribute("data-t") or "0")
    assert t == pytest.approx(120.0, abs=0.5)


def test_compared_branch_is_dashed_and_keeps_its_zoom_when_redrawn(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_instant_run(page, daphne_server)
    page.fill("#jump-t", "30")
    page.click(f"{PLAYER} form[data-role=jump] button")
    page.focus(f"{PLAYER} figure[data-pattern='elb'] [id='task-inventory-1']")
    page.keyboard.press("Enter")
    page.click(f"{PLAYER} [data-role=palette] button[data-fault=kill]")
    page.wait_for_function(
        "() => window.kumobenPlayer.branchId === 1 && window.kumobenPlayer.branch.end >= 240"
    )
    key = page.locator(f"{CHART} [data-role=chart-key] li")
    expect(key).to_have_count(2)  # the fork, and the run it came from (compared, dashed)
    expect(key.first).to_have_attribute("data-compare", "true")
    dashes = page.evaluate(
        "window.kumobenPlayer.chart.charts.map(u => u.series.slice(1).map(s => s.dash || null))"
    )
    assert dashes == [[[6, 4], None], [[6, 4], None]]

    x0, y = page_x(page, 0, 20.0)
    x1, _ = page_x(page, 0, 80.0)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=6)
    page.mouse.up()
    expect(page.locator(CHART)).to_have_attribute("data-zoomed", "true")
    page.evaluate("() => { window.kumobenPlayer.dirty.chart = true; }")
    page.wait_for_function("() => !window.kumobenPlayer.dirty.chart")

    top, bottom = chart_state(page)["x"]
    assert top == bottom
    assert top[0] == pytest.approx(20.0, abs=0.5)
    assert top[1] == pytest.approx(80.0, abs=0.5)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(*page_x(page, 1, 45.0))
    page.locator(CHART).screenshot(path=str(SHOTS / "chart-compare-zoomed-desktop-en.png"))


@pytest.mark.parametrize(
    ("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)], ids=["desktop", "phone"]
)
@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_chart_screenshots(
    browser: Browser,
    daphne_server: DaphneServer,
    name: str,
    viewport: dict[str, int],
    locale: str,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    errors = PageErrors(page)
    try:
        open_instant_run(page, daphne_server, pattern="all")
        chart = page.locator(CHART)
        chart.evaluate("(el) => el.scrollIntoView({ block: 'start' })")
        page.mouse.move(*page_x(page, 1, 62.0))
        expect(chart).to_have_attribute("data-readout", "hover")
        expect(chart.locator("[data-role=chart-key] li")).to_have_count(4)
        path = SHOTS / f"chart-{name}-{locale[:2]}.png"
        chart.screenshot(path=str(path))
        page.screenshot(path=str(SHOTS / f"page-{name}-{locale[:2]}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        hint = chart.locator(".chart__hint").inner_text()
    finally:
        context.close()

    assert errors.messages == []
    assert width <= viewport["width"]
    if locale.startswith("ja"):
        assert "ダブルクリック" in hint
    else:
        assert "double-click" in hint
