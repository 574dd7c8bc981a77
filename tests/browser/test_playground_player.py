"""The player's pure helpers, imported as the page imports them (ES modules from /static/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from patterns.player.states import badge_table
from tests.servers import DaphneServer


def call(page: Page, module: str, expression: str) -> object:
    return page.evaluate(
        f"async () => {{ const m = await import('/static/js/player/{module}'); return {expression}; }}"
    )


def test_display_times_stretch_short_hops_to_the_screen_floor(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + "/playground/")

    # dots.js: at 2x a 20 ms hop is drawn over 0.35 x 2 = 0.7 virtual seconds.
    stretched = call(page, "dots.js", "m.displayTimes([10, 10.02, 10.04], m.MIN_HOP_WALL_S * 2)")
    long_hop = call(page, "dots.js", "m.displayTimes([10, 25], 0.7)")

    assert stretched == pytest.approx([10, 10.7, 11.4])
    assert long_hop == [10, 25]


def test_locate_puts_a_dot_on_its_hop(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/playground/")
    dot = "{t: [10, 10.02, 10.04], path: ['edge-a--b', 'edge-b--c']}"

    before = call(page, "dots.js", f"m.locate({dot}, 9.9, 0.7, 0)")
    middle = call(page, "dots.js", f"m.locate({dot}, 11.05, 0.7, 0)")
    after = call(page, "dots.js", f"m.locate({dot}, 11.5, 0.7, 0)")

    assert before is None
    assert middle == {"hop": 1, "f": pytest.approx(0.5)}
    assert after is None


def test_outcome_style_tells_failures_apart(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/playground/")

    styles = call(
        page,
        "dots.js",
        "['ok', 'retried', 'http_502', 'http_503', 'http_504', 'connect_refused', 'timeout']"
        ".map(o => [o, m.outcomeStyle(o)])",
    )

    assert styles == [
        ["ok", {"kind": "ok", "code": ""}],
        ["retried", {"kind": "retried", "code": ""}],
        ["http_502", {"kind": "failed", "code": "502"}],
        ["http_503", {"kind": "failed", "code": "503"}],
        ["http_504", {"kind": "failed", "code": "504"}],
        ["connect_refused", {"kind": "refused", "code": ""}],
        ["timeout", {"kind": "failed", "code": "T/O"}],
    ]


def test_badge_picks_the_most_severe_state(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/playground/")

    table = call(page, "diagram.js", "m.serverBadges()")
    badges = call(
        page,
        "diagram.js",
        "[['state-healthy'], ['state-healthy', 'state-slow'], ['state-draining', 'state-stopped'],"
        " ['state-ejected', 'state-failing', 'state-healthy'], []]"
        ".map(c => { const e = document.createElement('span'); e.classList.add(...c);"
        " return m.badgeFor(e.classList, m.serverBadges()); })",
    )

    # The page carries the server's table (patterns/player/states.py), never one of the script's.
    assert table == [{"state": state, "badge": badge} for state, badge in badge_table()]
    assert badges == ["✓", "⏱", "✕", "⏏", ""]


def test_fork_copies_only_the_past_of_its_parent(page: Page, daphne_server: DaphneServer) -> None:
    page.goto(daphne_server.url + "/playground/")

    copied = call(
        page,
        "store.js",
        """(() => {
             const store = new m.RunStore();
             const frame = (branch, t0, events) => ({type: 'frame', branch, seq: t0, t0, t1: t0 + 1,
               pattern: 'elb', dots: [], states: [], metrics: {}, events});
             store.addFrame(frame(0, 0, [{t: 0.5, cause: 'a'}]));
             store.addFrame(frame(0, 1, [{t: 1.2, cause: 'b'}, {t: 1.8, cause: 'c'}]));
             store.pendingFork = {parent: 0, at: 1.5, action: {do: 'kill_task'}, log: []};
             store.addFrame(frame(1, 1, [{t: 1.2, cause: 'b'}, {t: 1.6, cause: 'd'}]));
             return store.branch(1).tracks.get('elb').events.map(e => e.cause);
           })()""",
    )

    assert copied == ["a", "b", "d"]
