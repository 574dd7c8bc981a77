"""The playground in a real browser: the player against the live consumer and instant-run
endpoint, the server-drawn diagrams, the engine underneath. Times come from the engine, never
from the test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from patterns.sim import run
from tests.browser.conftest import DESKTOP, PHONE, PageErrors
from tests.servers import DaphneServer

PLAYER = "#player"


def task(pattern_figure: str, task_id: str) -> str:
    return f"{PLAYER} figure[data-pattern='{pattern_figure}'] [id='task-{task_id}']"


def open_run(
    page: Page,
    server: DaphneServer,
    *,
    scenario: str = "kill-task",
    pattern: str = "elb",
    mode: str = "instant",
    query: str = "",
) -> None:
    page.goto(f"{server.url}/playground/{query}")
    page.select_option("#scenario", scenario)
    page.check(f"input[name=pattern][value='{pattern}']")
    page.click(f"button[name=mode][value='{mode}']")
    expected = 4 if pattern == "all" else 1
    # An instant run of all four patterns computes and ships every frame first: give it time.
    expect(page.locator(f"{PLAYER} figure[data-loaded='true']")).to_have_count(
        expected, timeout=30_000
    )


def fill_field(page: Page, selector: str, value: str) -> None:
    """Type into a setup field and leave it, then wait for the server's check of that change: the
    answer replaces the fields, and a fill already under way in the next one would be lost with
    the element it typed into."""
    page.fill(selector, value)
    page.locator(selector).blur()
    expect(page.locator("#setup")).not_to_have_class(re.compile(r"\bhtmx-request\b"))


def wait_instant(page: Page) -> None:
    expect(page.locator(PLAYER)).to_have_attribute("data-status", "ready", timeout=30_000)


def player_t(page: Page) -> float:
    return float(page.locator(PLAYER).get_attribute("data-t") or "0")


def jump(page: Page, t: float) -> None:
    page.fill("#jump-t", str(t))
    page.click(f"{PLAYER} form[data-role=jump] button")
    expect(page.locator(PLAYER)).to_have_attribute("data-t", f"{t:.3f}")


def wait_until_t(page: Page, t: float, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "(t) => Number(document.querySelector('#player').dataset.t) >= t", arg=t, timeout=timeout
    )


def engine_moment(kind: str, pattern: str = "elb") -> dict[str, Any]:
    moments = run("kill-task", pattern=pattern, seed=1)["summary"]["key_moments"]
    return next(m for m in moments if m["kind"] == kind)


def branch_events(page: Page, branch: int, until: float) -> list[list[Any]]:
    return page.evaluate(
        """([branch, until]) => {
             const b = window.kumobenPlayer.store.branches.get(branch);
             const out = [];
             for (const track of b.tracks.values())
               for (const e of track.events) if (e.t <= until) out.push([track.pattern, e.t, e.cause, e.el, e.text]);
             return out;
           }""",
        [branch, until],
    )


@pytest.fixture
def reduced_page(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = PageErrors(page)
    yield page
    context.close()
    assert errors.messages == []


# --------------------------------------------------------------------------- the diagram follows the engine


def test_playground_kill_task_stops_the_task_at_the_engine_time(
    page: Page, daphne_server: DaphneServer
) -> None:
    stopped = engine_moment("task_stopped")
    dead = task("elb", stopped["task"])

    open_run(page, daphne_server, mode="live")
    page.click(f"{PLAYER} button[data-speed='10']")
    wait_until_t(page, stopped["t"] + 1)

    expect(page.locator(dead)).to_have_class(re.compile(r"\bstate-stopped\b"))
    jump(page, stopped["t"] - 0.1)
    expect(page.locator(dead)).not_to_have_class(re.compile(r"\bstate-stopped\b"))
    expect(page.locator(dead)).to_have_class(re.compile(r"\bstate-healthy\b"))
    jump(page, stopped["t"])
    expect(page.locator(dead)).to_have_class(re.compile(r"\bstate-stopped\b"))
    expect(page.locator(f"{dead} > text.badge")).to_have_text("✕")


def test_playground_step_and_scrub_move_the_event_list_and_the_diagram_together(
    page: Page, daphne_server: DaphneServer
) -> None:
    stopped = engine_moment("task_stopped")
    open_run(page, daphne_server)
    wait_instant(page)
    current = page.locator(f"{PLAYER} #event-list button[aria-current='true']")

    page.click(f"{PLAYER} button[data-control=next]")

    expect(page.locator(f"{PLAYER} button[data-control=play]")).to_have_attribute(
        "aria-pressed", "false"
    )
    first_t = player_t(page)
    first_row = current.get_attribute("data-i")
    assert float(current.get_attribute("data-t") or "") == pytest.approx(first_t, abs=1e-3)
    narration = page.locator(f"{PLAYER} [data-role=narration]")
    expect(narration).to_contain_text(current.locator(".ev__text").inner_text())
    page.click(f"{PLAYER} button[data-control=next]")
    assert current.get_attribute("data-i") == str(int(first_row or "0") + 1)
    assert player_t(page) >= first_t
    page.click(f"{PLAYER} button[data-control=prev]")
    assert current.get_attribute("data-i") == first_row
    assert player_t(page) == first_t

    jump(page, stopped["t"] + 30)
    rows_after = page.locator(f"{PLAYER} #event-list button").count()
    expect(page.locator(task("elb", stopped["task"]))).to_have_class(
        re.compile(r"\bstate-stopped\b")
    )
    page.locator("#scrub").fill(str(stopped["t"] - 10))
    expect(page.locator(task("elb", stopped["task"]))).not_to_have_class(
        re.compile(r"\bstate-stopped\b")
    )
    times = [
        float(t)
        for t in page.locator(f"{PLAYER} #event-list button").evaluate_all(
            "rows => rows.map(r => r.dataset.t)"
        )
    ]
    assert max(times, default=0.0) <= stopped["t"] - 10
    assert len(times) < rows_after


def test_playground_event_row_jumps_time_and_highlights_its_element(
    page: Page, daphne_server: DaphneServer
) -> None:
    stopped = engine_moment("task_stopped")
    open_run(page, daphne_server)
    wait_instant(page)
    jump(page, stopped["t"] + 20)
    row = page.locator(f"{PLAYER} #event-list button", has_text="STOPPED").first

    row.click()

    assert player_t(page) == pytest.approx(stopped["t"], abs=1e-3)
    expect(page.locator(task("elb", stopped["task"]))).to_have_class(re.compile(r"\bhighlight\b"))
    expect(row).to_have_attribute("aria-current", "true")


def test_playground_filters_the_event_list_by_task(page: Page, daphne_server: DaphneServer) -> None:
    stopped = engine_moment("task_stopped")
    open_run(page, daphne_server)
    wait_instant(page)
    jump(page, 200)

    page.select_option(f"{PLAYER} select[data-filter=task]", "inventory-4")

    hops = page.locator(f"{PLAYER} #event-list .ev__hop").all_inner_texts()
    assert hops and all("inventory-4" in hop for hop in hops)
    assert stopped["task"] != "inventory-4"


# --------------------------------------------------------------------------- fork and permalink


def test_playground_fork_changes_the_future_and_keeps_the_original(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_run(page, daphne_server)
    wait_instant(page)
    jump(page, 30)

    page.focus(task("elb", "inventory-1"))
    page.keyboard.press("Enter")
    page.click(f"{PLAYER} [data-role=palette] button[data-fault=kill]")

    expect(page.locator(f"{PLAYER} [data-role=branches]")).to_be_visible()
    page.wait_for_function(
        "window.kumobenPlayer.branchId === 1 && window.kumobenPlayer.branch.end >= 240"
    )
    jump(page, 40)
    expect(page.locator(task("elb", "inventory-1"))).to_have_class(re.compile(r"\bstate-stopped\b"))
    before_fork = branch_events(page, 0, 29.9)
    assert branch_events(page, 1, 29.9) == before_fork
    assert branch_events(page, 1, 60) != branch_events(page, 0, 60)
    page.check(f"{PLAYER} input[name=branch][value='0']")
    expect(page.locator(task("elb", "inventory-1"))).not_to_have_class(
        re.compile(r"\bstate-stopped\b")
    )
    # Readouts are the ones at or before the playhead; at the end both branches have theirs.
    jump(page, 240)
    readout = page.locator(f"{PLAYER} .readout table")
    expect(readout.locator("thead th")).to_have_count(3)


def test_playground_live_fork_from_the_past(page: Page, daphne_server: DaphneServer) -> None:
    open_run(page, daphne_server, mode="live")
    page.click(f"{PLAYER} button[data-speed='10']")
    wait_until_t(page, 20)
    jump(page, 10)

    page.focus(task("elb", "billing-2"))
    page.keyboard.press("Enter")
    page.click(f"{PLAYER} [data-role=palette] button[data-fault=refuse]")

    page.wait_for_function("() => window.kumobenPlayer.branchId === 1")
    wait_until_t(page, 12)
    expect(page.locator(task("elb", "billing-2"))).to_have_class(re.compile(r"\bstate-refusing\b"))
    log = page.evaluate("window.kumobenPlayer.branch.log")
    assert log == [{"do": "refuse_task", "task": "billing-2", "at_s": 10}]


def test_playground_permalink_reproduces_the_run(page: Page, daphne_server: DaphneServer) -> None:
    open_run(page, daphne_server, scenario="steady", mode="live")
    page.click(f"{PLAYER} button[data-speed='10']")
    wait_until_t(page, 5)
    page.focus(task("elb", "inventory-3"))
    page.keyboard.press("Enter")
    page.click(f"{PLAYER} [data-role=palette] button[data-fault=kill]")
    page.wait_for_function("() => window.kumobenPlayer.branch.log.length === 1")
    # Near the live head the kill is applied now; a view lagging further behind forks instead.
    # Either way the permalink names the branch on screen.
    at = page.evaluate("window.kumobenPlayer.branch.log[0].at_s")
    shown = page.evaluate("window.kumobenPlayer.branchId")
    wait_until_t(page, at + 15)
    original = branch_events(page, shown, at + 10)
    link = page.locator("[data-role=permalink]")
    expect(link).to_have_attribute("href", re.compile(r"\?run=1"))

    page.goto(daphne_server.url + (link.get_attribute("href") or ""))
    page.click(f"{PLAYER} button[data-speed='10']")
    wait_until_t(page, at + 11)

    assert branch_events(page, 0, at + 10) == original
    assert any(e[2] == "task_killed" for e in original)


# --------------------------------------------------------------------------- four patterns


def test_playground_four_patterns_run_on_one_clock(page: Page, daphne_server: DaphneServer) -> None:
    open_run(page, daphne_server, pattern="all", mode="live")
    page.click(f"{PLAYER} button[data-speed='10']")
    wait_until_t(page, 65)
    page.click(f"{PLAYER} button[data-control=play]")
    page.wait_for_timeout(500)  # frames of the window in flight when the pause went out

    ends = page.evaluate(
        "[...window.kumobenPlayer.branch.tracks.values()].map(t => [t.pattern, t.end])"
    )
    assert sorted(p for p, _ in ends) == [
        "app-mesh",
        "elb",
        "service-connect",
        "service-discovery",
    ]
    assert len({end for _, end in ends}) == 1
    jump(page, 61)
    for pattern in ("elb", "app-mesh", "service-discovery", "service-connect"):
        expect(page.locator(task(pattern, "inventory-2"))).to_have_class(
            re.compile(r"\bstate-stopped\b")
        )
    expect(page.locator(f"{PLAYER} [data-role=time]")).to_have_count(1)


# --------------------------------------------------------------------------- keyboard, motion, languages


def press_tab_until(page: Page, selector: str, limit: int = 200) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches(`{selector}`)"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_playground_works_with_the_keyboard_only(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/playground/")
    play = page.locator(f"{PLAYER} button[data-control=play]")

    press_tab_until(page, "button[value=instant]")
    page.keyboard.press("Enter")
    wait_instant(page)
    page.keyboard.press("Space")
    expect(play).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Space")
    expect(play).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("ArrowRight")
    stepped = player_t(page)
    page.keyboard.press("+")
    press_tab_until(page, "[id='task-inventory-1']")
    page.keyboard.press("Enter")
    expect(page.locator(f"{PLAYER} [data-role=palette]")).to_be_visible()
    expect(page.locator(f"{PLAYER} [data-role=palette] button[data-fault=kill]")).to_be_focused()
    page.keyboard.press("Escape")

    assert stepped > 0
    expect(page.locator(f"{PLAYER} button[data-speed='2']")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(f"{PLAYER} [data-role=palette]")).to_be_hidden()
    expect(page.locator(task("elb", "inventory-1"))).to_be_focused()


def test_playground_reduced_motion_shows_no_moving_dots(
    reduced_page: Page, daphne_server: DaphneServer
) -> None:
    page = reduced_page
    open_run(page, daphne_server, scenario="steady", mode="live")
    wait_until_t(page, 3)

    highlighted = page.evaluate(
        """async () => {
             const seen = [];
             for (let i = 0; i < 20; i++) {
               await new Promise(r => setTimeout(r, 100));
               seen.push([document.querySelectorAll('#player .dot:not([display])').length,
                          document.querySelectorAll('#player g.edge.hop-active').length]);
             }
             return seen;
           }"""
    )

    expect(page.locator(f"{PLAYER} [data-role=reduced-motion]")).to_be_checked()
    assert all(dots == 0 for dots, _ in highlighted)
    assert any(hops > 0 for _, hops in highlighted)


def test_playground_dots_move_without_reduced_motion(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_run(page, daphne_server, scenario="steady", mode="live")
    wait_until_t(page, 3)

    counts = page.evaluate(
        """async () => {
             const seen = [];
             for (let i = 0; i < 10; i++) {
               await new Promise(r => setTimeout(r, 100));
               seen.push(document.querySelectorAll('#player .dot:not([display])').length);
             }
             return seen;
           }"""
    )

    assert max(counts) > 0


@pytest.mark.locale("ja-JP")
def test_playground_in_japanese(page: Page, daphne_server: DaphneServer) -> None:
    stopped = engine_moment("task_stopped")

    open_run(page, daphne_server)
    wait_instant(page)
    jump(page, stopped["t"] + 1)

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    text = page.locator(f"{PLAYER} #event-list .ev__text").last.inner_text()
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text), text
    assert stopped["task"] in text or "inventory" in text


def test_playground_in_english(page: Page, daphne_server: DaphneServer) -> None:
    open_run(page, daphne_server)
    wait_instant(page)
    jump(page, 61)

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(f"{PLAYER} #event-list .ev__text", has_text="STOPPED")).to_have_count(1)


# --------------------------------------------------------------------------- input and connection


def test_playground_bad_setting_is_refused_beside_its_field(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + "/playground/")
    page.locator("details.settings[data-pattern=elb] summary").click()

    page.fill("input[name='elb-settings.alb.unhealthy_threshold']", "99")
    page.click("button[name=mode][value=live]")

    error = page.locator("[data-error-for='elb-settings.alb.unhealthy_threshold']")
    expect(error).to_be_visible()
    expect(error).to_contain_text("between 2 and 10")
    expect(page.locator(PLAYER)).to_have_attribute("data-status", "idle")
    # The section stays open across the swap and the refused field takes the focus.
    expect(page.locator("details.settings[data-pattern=elb]")).to_have_attribute("open", "")
    expect(page.locator("input[name='elb-settings.alb.unhealthy_threshold']")).to_be_focused()


def test_playground_checks_a_change_on_the_spot_and_keeps_the_keyboard_focus(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + "/playground/")
    page.focus("#rps")
    page.keyboard.press("Control+A")
    page.keyboard.type("0")

    page.keyboard.press("Tab")

    expect(page.locator("[data-error-for=rps]")).to_contain_text("above 0")
    expect(page.locator("#rps")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#seed")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    expect(page.locator("[data-error-for=rps]")).to_be_hidden()
    expect(page.locator("#seed")).to_be_focused()

    page.focus("#pattern-elb")
    page.keyboard.press("ArrowRight")
    expect(page.locator("details.settings[data-pattern=app-mesh]")).to_be_visible()
    expect(page.locator("details.settings[data-pattern=elb]")).to_be_hidden()
    expect(page.locator("#pattern-app-mesh")).to_be_focused()
    expect(page.locator(PLAYER)).to_have_attribute("data-status", "idle")


def test_playground_reconnects_and_resumes_without_gaps(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_run(page, daphne_server, scenario="steady", mode="live")
    page.click(f"{PLAYER} button[data-speed='5']")
    wait_until_t(page, 5)

    page.evaluate("window.kumobenPlayer.connection.drop()")
    wait_until_t(page, 15)

    seqs = page.evaluate("window.kumobenPlayer.branch.seqs")
    assert seqs == list(range(len(seqs)))
    states = page.evaluate("window.kumobenPlayer.connectionLog")
    assert states[-3:] == ["reconnecting", "connecting", "connected"]


# --------------------------------------------------------------------------- screenshots


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_playground_screenshots(
    browser: Browser,
    daphne_server: DaphneServer,
    artifacts_dir: Path,
    locale: str,
    name: str,
    viewport: dict[str, int],
) -> None:
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    errors = PageErrors(page)
    open_run(page, daphne_server)
    wait_instant(page)
    jump(page, 75)
    page.locator(f"{PLAYER} #event-list button[data-request]").last.click()
    expect(page.locator(f"{PLAYER} [data-role=waterfall-rows] li").first).to_be_visible()

    path = artifacts_dir / f"playground-{name}-{locale[:2]}.png"
    page.screenshot(path=str(path), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    assert errors.messages == []
    assert path.stat().st_size > 20_000
    assert width <= viewport["width"]


def test_playground_four_patterns_screenshot(
    browser: Browser, daphne_server: DaphneServer, artifacts_dir: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors = PageErrors(page)
    open_run(page, daphne_server, pattern="all")
    wait_instant(page)
    jump(page, 63)

    path = artifacts_dir / "playground-all-desktop-en.png"
    page.screenshot(path=str(path), full_page=True)
    context.close()

    assert errors.messages == []
    assert path.stat().st_size > 20_000


# --------------------------------------------------------------------------- the page's other controls


def test_playground_system_editor_runs_your_own_system(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + "/playground/")
    page.select_option("#scenario", "")
    page.locator("[data-role=system] summary").click()

    page.click("button[data-add-row=service]")
    fill_field(page, "input[name='services-4-name']", "search")
    fill_field(page, "input[name='services-4-tasks']", "2")
    page.click("button[data-add-row=call]")
    fill_field(page, "input[name='calls-3-source']", "contract")
    fill_field(page, "input[name='calls-3-target']", "search")
    fill_field(page, "input[name='calls-3-rps']", "5")
    page.click("button[name=mode][value=instant]")

    expect(page.locator("[data-role=use-system]")).to_be_checked()
    wait_instant(page)
    expect(page.locator(task("elb", "search-1"))).to_have_count(1)
    expect(page.locator(task("elb", "search-2"))).to_have_count(1)


def test_playground_system_editor_error_lands_beside_its_row(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + "/playground/")
    page.locator("[data-role=system] summary").click()

    page.fill("input[name='calls-1-target']", "nowhere")
    page.click("button[name=mode][value=instant]")

    error = page.locator("[data-error-for='calls-1-target']")
    expect(error).to_be_visible()
    expect(error).to_contain_text("nowhere")
    expect(page.locator(PLAYER)).to_have_attribute("data-status", "idle")


def test_playground_az_outage_from_the_diagram(page: Page, daphne_server: DaphneServer) -> None:
    open_run(page, daphne_server, scenario="steady")
    wait_instant(page)
    jump(page, 20)
    az = f"{PLAYER} figure[data-pattern='elb'] [id='svc-inventory-az-1c']"

    page.focus(az)
    page.keyboard.press("Enter")
    page.click(f"{PLAYER} [data-role=palette] button[data-fault=az_outage]")

    page.wait_for_function("() => window.kumobenPlayer.branchId === 1")
    jump(page, 21)
    expect(page.locator(az)).to_have_class(re.compile(r"\bstate-az-out\b"))
    log = page.evaluate("window.kumobenPlayer.branch.log")
    assert log == [{"do": "az_outage", "az": "ap-northeast-1c", "at_s": 20}]


def test_playground_scale_out_button_adds_a_task(page: Page, daphne_server: DaphneServer) -> None:
    open_run(page, daphne_server, scenario="steady")
    wait_instant(page)
    jump(page, 10)

    page.select_option("#service-pick", "inventory")
    page.click(f"{PLAYER} button[data-service-action=scale-out]")

    page.wait_for_function("() => window.kumobenPlayer.branchId === 1")
    jump(page, 40)
    expect(page.locator(task("elb", "inventory-4"))).to_have_count(1)
    log = page.evaluate("window.kumobenPlayer.branch.log")
    assert log == [{"do": "scale", "service": "inventory", "count": 4, "at_s": 10}]


def test_playground_export_links_answer(page: Page, daphne_server: DaphneServer) -> None:
    open_run(page, daphne_server, scenario="steady")
    wait_instant(page)

    answers = {}
    for kind in ("svg", "png", "dot"):
        href = page.locator(f"[data-export={kind}]").get_attribute("href") or ""
        response = page.request.get(daphne_server.url + href)
        answers[kind] = (response.status, response.headers["content-type"].split(";")[0])

    assert answers == {
        "svg": (200, "image/svg+xml"),
        "png": (200, "image/png"),
        "dot": (200, "text/vnd.graphviz"),
    }


def test_playground_exports_every_diagram_in_the_four_pattern_view(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_run(page, daphne_server, scenario="steady", pattern="all")
    wait_instant(page)

    links = page.locator("[data-role=exports] a[data-export=svg]")

    expect(links).to_have_count(4)
    patterns = links.evaluate_all("links => links.map(l => l.dataset.pattern)")
    assert patterns == ["elb", "app-mesh", "service-discovery", "service-connect"]
    with page.expect_download() as download:
        page.click("[data-export=json]")
    assert download.value.suggested_filename == "kumoben-run.json"


def test_playground_setting_changed_mid_run_forks_with_a_set_action(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_run(page, daphne_server)
    wait_instant(page)
    jump(page, 50)

    page.select_option("#set-now-setting", "alb.deregistration_delay_s")
    page.fill("#set-now-value", "0")
    page.click(f"{PLAYER} [data-role=set-now] button[type=submit]")

    page.wait_for_function("() => window.kumobenPlayer.branchId === 1")
    log = page.evaluate("window.kumobenPlayer.branch.log")
    assert log == [{"do": "set", "setting": "alb.deregistration_delay_s", "value": 0, "at_s": 50}]
    expect(page.locator(f"{PLAYER} input[name=branch]")).to_have_count(2)
