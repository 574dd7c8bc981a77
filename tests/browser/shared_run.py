"""What the pages of a classroom show of the shared run, read the same way by every test of it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

# What a screen shows of the shared run: the player's time, the diagram's state classes (element
# id -> class), the request dots drawn (their request ids), and the event list's rows and count.
SHOWN = """() => {
  const player = document.querySelector("#player");
  const states = {};
  for (const el of player.querySelectorAll("[id][class*='state-']")) {
    states[el.id] = el.getAttribute("class");
  }
  const dots = [...player.querySelectorAll("g.dot[data-request]:not([display=none])")]
    .map((g) => g.dataset.request).sort();
  return {
    now: window.kumobenPlayer.clock.now,
    time: player.querySelector("[data-role=time]").textContent,
    states,
    dots,
    events: [...player.querySelectorAll("[data-role=event-rows] .ev")].map((b) => b.textContent),
    count: player.querySelector("[data-role=event-count]").textContent,
  };
}"""

# Every diagram the player asked for has arrived (none is still loading or stale).
LOADED = """() => [...window.kumobenPlayer.diagrams.values()]
    .every((slot) => slot.diagram && slot.diagram.url === slot.url)"""


def paused_at_the_same_moment(pages: list[Page]) -> float:
    """Wait until every page shows the run paused, with its diagrams loaded, at the time the
    first page holds; return that time."""
    for page in pages:
        expect(page.locator("#sim-state")).to_have_text("❚❚ paused")
        page.wait_for_function("() => window.kumobenPlayer.clock.playing === false")
        page.wait_for_function(LOADED)
    paused = pages[0].evaluate("() => window.kumobenPlayer.clock.now")
    for page in pages:
        page.wait_for_function(f"() => window.kumobenPlayer.clock.now === {paused}")
    return float(paused)
