"""Frame time of the trace player with 200 request dots in flight, in headless Chromium.

Runs a live daphne, opens the playground, loads a real run (server-drawn diagram, engine frames), replaces
its dots with 200 that stay in flight on the diagram's own edges, and plays. Frame times are the
intervals between requestAnimationFrame callbacks, measured in the same browser run for:

- baseline: the playground page with the player idle (no run loaded), and
- dots: the same page animating 200 dots (plus state, labels, event list, chart cursor).

Also reported: the player's own render cost per frame (performance.now around one render call).
Bar (issue 4): median frame time with 200 dots under 20 ms.

    .venv/bin/python bench/frame_bench.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP  # noqa: E402
from tests.servers import running_daphne, sqlite_env  # noqa: E402

DOTS = 200
BAR_MS = 20.0

# Collects rAF intervals for `seconds`; returns them in ms.
MEASURE = """async (seconds) => {
  const stamps = [];
  await new Promise((resolve) => {
    const end = performance.now() + seconds * 1000;
    function frame(t) { stamps.push(t); if (t < end) requestAnimationFrame(frame); else resolve(); }
    requestAnimationFrame(frame);
  });
  return stamps.slice(1).map((t, i) => t - stamps[i]);
}"""

# 200 dots that stay in flight for the whole measurement, spread over every edge with a path,
# with every outcome shape, moving at 1x.
LOAD_DOTS = """(n) => {
  const player = window.kumobenPlayer;
  const track = [...player.branch.tracks.values()][0];
  const edges = [...document.querySelectorAll('#player g.edge[id^="edge-"]')]
    .filter((g) => g.querySelector('path')).map((g) => g.id);
  const outcomes = ['ok', 'retried', 'http_503', 'http_502', 'connect_refused', 'ok'];
  track.dots = []; track.dotsById.clear(); track.maxDotSpan = 0;
  for (let i = 0; i < n; i++) {
    const start = (i % 50) / 100;
    track._addDot({ id: `bench${i}`, t: [start, start + 20, start + 40], path: [edges[i % edges.length], edges[(i * 7) % edges.length]],
                    dir: [1, i % 2 ? -1 : 1], outcome: outcomes[i % outcomes.length], attempts: 1 });
  }
  player.setSpeed(1);
  player.seek(1);
  player.play();
  return edges.length;
}"""

RENDER_COST = """async (frames) => {
  const player = window.kumobenPlayer;
  const costs = [];
  for (let i = 0; i < frames; i++) {
    await new Promise((r) => requestAnimationFrame(r));
    const t0 = performance.now();
    player.render(player.clock.now, false);
    costs.push(performance.now() - t0);
  }
  return costs;
}"""


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def measure(page: Page, seconds: float) -> list[float]:
    result: list[float] = page.evaluate(MEASURE, seconds)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        env = sqlite_env(Path(tmp))
        with running_daphne(env, Path(tmp) / "daphne.log") as server:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=DESKTOP)
            page.goto(server.url + "/playground/")
            page.wait_for_function("() => window.kumobenPlayer !== undefined")
            baseline = measure(page, args.seconds)

            page.select_option("#scenario", "steady")
            page.click("button[name=mode][value=instant]")
            page.wait_for_selector("#player[data-status=ready]", timeout=60_000)
            page.wait_for_selector("#player figure[data-loaded=true]")
            edges = page.evaluate(LOAD_DOTS, DOTS)
            page.wait_for_timeout(500)
            shown = page.evaluate(
                "() => document.querySelectorAll('#player .dot:not([display])').length"
            )
            dots = measure(page, args.seconds)
            costs: list[float] = page.evaluate(RENDER_COST, 120)
            browser.close()

    base_median, base_p95 = summary(baseline)
    dots_median, dots_p95 = summary(dots)
    cost_median, cost_p95 = summary(costs)
    print(f"dots on screen: {shown} over {edges} edges; {args.seconds:g} s per measurement")
    print(f"baseline (idle player)   median {base_median:6.2f} ms  p95 {base_p95:6.2f} ms")
    print(f"{DOTS} dots animating      median {dots_median:6.2f} ms  p95 {dots_p95:6.2f} ms")
    print(f"player render per frame  median {cost_median:6.2f} ms  p95 {cost_p95:6.2f} ms")
    print(f"ratio dots/baseline (median): {dots_median / base_median:.2f}")
    ok = dots_median < BAR_MS and shown >= DOTS
    print(f"bar: median < {BAR_MS:g} ms with {DOTS} dots -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
