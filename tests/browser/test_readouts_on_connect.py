"""The readouts panel shows the engine's numbers from the first seconds of a live run, before the
learner (or the instructor) does anything: the playground's live socket and a study session's
shared run, en and ja. The numbers are compared with the engine run to the time the panel says."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from patterns.player.playback import instant_frames, readout_values
from patterns.sim import BUILTIN_SCENARIOS, Simulation
from tests.browser.conftest import Classroom, join_code
from tests.browser.test_playground import open_run
from tests.servers import DaphneServer

PANEL = "#player [data-role=readouts]"
HEADINGS = {"en-US": "ELB · as of {t} s", "ja-JP": "ELB · {t} 秒時点"}

# The (pattern, time) of the readouts the player shows at its playhead, from its own store.
SHOWN = """() => {
  const p = window.kumobenPlayer;
  const at = p.branch.readoutsAt(p.clock.now).get("elb");
  return at ? at.t : null;
}"""


def _engine_requests(scenario: str, seed: int, t: float) -> int:
    engine = Simulation(scenario, pattern="elb", seed=seed)
    engine.advance(t)
    return int(readout_values(engine.brief_result())["requests"])


@pytest.mark.parametrize(
    "locale",
    [
        pytest.param("en-US", marks=pytest.mark.locale("en-US")),
        pytest.param("ja-JP", marks=pytest.mark.locale("ja-JP")),
    ],
)
def test_a_live_playground_run_shows_readouts_before_any_action(
    page: Page, daphne_server: DaphneServer, locale: str
) -> None:
    open_run(page, daphne_server, scenario="kill-task", mode="live")
    # No click after Run: the first reading (1 s) comes with the first frame.
    page.wait_for_function(f"() => ({SHOWN})() !== null", timeout=20_000)
    page.wait_for_function("() => window.kumobenPlayer.branch.end >= 5", timeout=30_000)
    page.evaluate("window.kumobenPlayer.pause()")
    page.evaluate("window.kumobenPlayer.seek(1.5)")

    # The instant run of the same scenario reads the same number at 1 s (the kill is at 60 s).
    first = instant_frames(BUILTIN_SCENARIOS["kill-task"], "elb", 1)["readouts"][0]["values"]
    assert first["t"] == 1.0 and first["faults"] == []
    panel = page.locator(PANEL)
    expect(panel.locator("h4")).to_have_text(HEADINGS[locale].format(t="1.0"))
    expect(panel.locator("tbody tr").first.locator("td")).to_have_text(str(first["requests"]))
    assert first["requests"] == _engine_requests("kill-task", 1, 1.0)
    expect(page.locator("#player [data-role=readouts-empty]")).to_be_hidden()

    # Scrubbed later inside what was streamed, the panel follows the playhead (5 s reading).
    page.evaluate("window.kumobenPlayer.seek(5)")
    expect(panel.locator("h4")).to_have_text(HEADINGS[locale].format(t="5.0"))
    expect(panel.locator("tbody tr").first.locator("td")).to_have_text(
        str(_engine_requests("kill-task", 1, 5.0))
    )


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_a_student_sees_the_shared_runs_readouts_before_any_action(
    classroom: Classroom, locale: str
) -> None:
    teacher = classroom.instructor()
    student = classroom.student(join_code(teacher), "Aya", locale=locale)
    teacher.get_by_test_id("sim-scenario").select_option("steady")
    teacher.get_by_test_id("sim-pattern").select_option("elb")
    teacher.get_by_test_id("sim-start-button").click()
    expect(student.get_by_test_id("shared-sim")).to_be_visible()
    teacher.get_by_test_id("sim-play").click()

    # The student's player, following the shared clock, shows a reading once the clock is past
    # 1 s; nobody has acted. The panel is read in one go (it moves on with the shared clock).
    student.wait_for_function(f"() => ({SHOWN})() !== null", timeout=20_000)
    # (The time of the reading the panel was drawn with: the one at its own playhead, data-at.)
    t, heading, requests = student.evaluate(
        f"""() => {{
          const host = document.querySelector("{PANEL}");
          const at = window.kumobenPlayer.branch.readoutsAt(Number(host.dataset.at)).get("elb");
          return [at.t, host.querySelector("h4").textContent,
                  host.querySelector("tbody tr td").textContent];
        }}"""
    )
    seed = int(student.evaluate("window.kumobenPlayer.seed"))
    assert heading == HEADINGS[locale].format(t=f"{t:.1f}")
    assert requests == str(_engine_requests("steady", seed, t))
    panel = student.locator(PANEL)
    if locale == "ja-JP":
        expect(panel.locator("tbody tr").first.locator("th")).to_have_text(
            re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
        )
    actions = student.evaluate(
        "[...window.kumobenPlayer.branch.tracks.values()].flatMap((t) => t.events)"
        ".filter((e) => e.cause === 'action_applied').length"
    )
    assert actions == 0
