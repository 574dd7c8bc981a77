"""The shared simulation in real browsers: the instructor's page and two students' pages embed
the playground player and see the same simulation event at the same virtual time."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, Classroom, join_code
from tests.browser.shared_run import LOADED, SHOWN, paused_at_the_same_moment
from tests.servers import DaphneServer

APPLIED = """() => {
  const branch = window.kumobenPlayer?.store.branches.get(0);
  if (!branch) return null;
  for (const track of branch.tracks.values()) {
    const event = track.events.find((e) => e.cause === "action_applied");
    if (event) return [event.t, event.text, event.el];
  }
  return null;
}"""


# After rewinds: frames gap-free by seq, each window once, the instructor's action once.
KEPT = """() => {
  const branch = window.kumobenPlayer.store.branches.get(0);
  const tracks = [...branch.tracks.values()];
  const windows = tracks.flatMap((t) => t.windows.map((w) => w.t0));
  return [
    branch.seqs.every((seq, i) => seq === i),
    new Set(windows).size === windows.length,
    tracks.flatMap((t) => t.events).filter((e) => e.cause === "action_applied").length,
  ];
}"""


def _applied(page: Page) -> list:
    page.wait_for_function(APPLIED, timeout=20_000)
    return page.evaluate(APPLIED)


def test_every_screen_sees_the_instructors_fault_at_the_same_virtual_time(
    classroom: Classroom,
) -> None:
    teacher = classroom.instructor()
    code = join_code(teacher)
    aya = classroom.student(code, "Aya", viewport=DESKTOP)
    ken = classroom.student(code, "Ken")

    teacher.get_by_test_id("sim-scenario").select_option("steady")
    teacher.get_by_test_id("sim-pattern").select_option("elb")
    teacher.get_by_test_id("sim-start-button").click()
    for page in (teacher, aya, ken):
        expect(page.get_by_test_id("shared-sim")).to_be_visible()
    teacher.get_by_test_id("sim-speed").select_option("5")
    teacher.get_by_test_id("sim-play").click()
    teacher.wait_for_function("() => window.kumobenPlayer.branch.end >= 3")
    teacher.evaluate("() => window.kumobenPlayer.act({do: 'kill_task', task: 'inventory-2'})")

    seen = [_applied(page) for page in (teacher, aya, ken)]

    assert seen[0] == seen[1] == seen[2]
    assert seen[0][2] == ["task-inventory-2"]
    # The window the action landed in had been sent ahead; every player dropped it and kept the
    # one sent again.
    assert [page.evaluate(KEPT) for page in (teacher, aya, ken)] == [[True, True, 1]] * 3
    # Followers' players track the shared clock past the event.
    for page in (aya, ken):
        page.wait_for_function(f"() => window.kumobenPlayer.clock.now > {seen[0][0]}")

    # Ken takes the player's time in hand: he explores on his own; one click follows again.
    ken.locator("#player button[data-control=play]").click()
    expect(ken.get_by_test_id("follow-state")).to_have_attribute("data-state", "exploring")
    ken.get_by_test_id("follow-toggle").click()
    expect(ken.get_by_test_id("follow-state")).to_have_attribute("data-state", "following")
    ken.wait_for_function("() => window.kumobenPlayer.clock.playing === true")

    # Aya breaks a task herself: a private fork (the playground's run endpoint), not the room's.
    aya.evaluate("() => window.kumobenPlayer.act({do: 'kill_task', task: 'inventory-1'})")
    aya.wait_for_function("() => window.kumobenPlayer.store.branches.size === 2")
    expect(aya.get_by_test_id("follow-state")).to_have_attribute("data-state", "exploring")
    assert teacher.evaluate("() => window.kumobenPlayer.store.branches.size") == 1
    aya.get_by_test_id("follow-toggle").click()
    aya.wait_for_function("() => window.kumobenPlayer.branchId === 0")


def _start_and_break(teacher: Page) -> None:
    teacher.get_by_test_id("sim-scenario").select_option("steady")
    teacher.get_by_test_id("sim-start-button").click()
    teacher.get_by_test_id("sim-speed").select_option("5")
    teacher.get_by_test_id("sim-play").click()
    teacher.wait_for_function("() => window.kumobenPlayer.branch.end >= 3")
    teacher.evaluate("() => window.kumobenPlayer.act({do: 'kill_task', task: 'inventory-2'})")


def test_shared_run_survives_a_server_restart(
    browser: Browser,
    restartable_server: DaphneServer,
) -> None:
    room = Classroom(browser, restartable_server, restarts=True)
    try:
        teacher = room.instructor()
        aya = room.student(join_code(teacher), "Aya")
        _start_and_break(teacher)
        before = _applied(aya)
        # Paused after the fault's new diagram is shown, so the time to come back to is exact
        # (and no diagram is fetched while the server is down).
        aya.wait_for_function(f"() => window.kumobenPlayer.clock.now > {before[0] + 1}")
        teacher.get_by_test_id("sim-pause").click()
        expect(aya.locator("#sim-state")).to_have_text("❚❚ paused")
        aya.wait_for_function(LOADED)
        t_before = aya.evaluate("() => window.kumobenPlayer.clock.now")

        restartable_server.kill()
        expect(aya.locator("#conn")).to_have_attribute("data-state", "reconnecting")
        restartable_server.start()
        for page in (teacher, aya):
            expect(page.locator("#conn")).to_have_attribute(
                "data-state", "connected", timeout=20_000
            )

        # The new process rebuilt the run from the database's log: the same event at the same
        # time, each once, and the shared clock went on from where it was.
        assert _applied(aya) == before
        count = """() => [...window.kumobenPlayer.branch.tracks.values()]
            .flatMap((t) => t.events).filter((e) => e.cause === "action_applied").length"""
        assert aya.evaluate(count) == 1
        aya.wait_for_function(f"() => window.kumobenPlayer.clock.now === {t_before}")
        teacher.get_by_test_id("sim-play").click()
        aya.wait_for_function(f"() => window.kumobenPlayer.clock.now > {t_before}")
    finally:
        room.close()


def test_screens_with_the_shared_run(classroom: Classroom, artifacts_dir: Path) -> None:
    teacher = classroom.instructor()
    aya = classroom.student(join_code(teacher), "Aya")
    _start_and_break(teacher)
    at_s, text, el = _applied(aya)
    # Paused a second after the fault, so both screens hold the same moment.
    aya.wait_for_function(f"() => window.kumobenPlayer.clock.now > {at_s + 1}")
    teacher.get_by_test_id("sim-pause").click()
    paused = paused_at_the_same_moment([aya, teacher])

    teacher.get_by_test_id("shared-sim").scroll_into_view_if_needed()
    teacher.screenshot(path=str(artifacts_dir / "sessions-sim-instructor-desktop.png"))
    aya.get_by_test_id("shared-sim").scroll_into_view_if_needed()
    aya.screenshot(path=str(artifacts_dir / "sessions-sim-student-phone.png"))

    shown = [page.evaluate(SHOWN) for page in (teacher, aya)]
    # The same moment, the same diagram states, dots and event list on both screens.
    assert shown[0] == shown[1]
    assert shown[0]["now"] == paused > at_s + 1
    assert shown[0]["time"] == f"{paused:.1f} s of 120 s"
    assert shown[0]["states"]["task-inventory-2"] == "node task state-stopped"
    assert shown[0]["states"]["task-inventory-1"] == "node task state-healthy"
    assert shown[0]["dots"] != []
    # The instructor's fault, in the event list of each screen.
    assert (text, el) == ("Action kill_task was applied to task inventory-2.", ["task-inventory-2"])
    for page in (teacher, aya):
        rows = page.locator("#event-list .ev__text")
        expect(rows.filter(has_text=text)).to_have_count(1)


# One pattern's recording, without the snapshot's base: what a screen holds of the shared run.
HELD = """() => {
  const track = [...window.kumobenPlayer.store.branches.get(0).tracks.values()][0];
  const strip = (items) => items.map(({ w, base, _key, pattern, ...rest }) => rest);
  return {
    windows: track.windows.map((w) => [w.t0, w.t1, w.metrics]),
    states: strip(track.states.filter((s) => !s.base)),
    events: strip(track.events).map((e) => [e.t, e.cause, e.text]),
    dots: track.dots.map((d) => `${d.id}:${d.attempts}`).sort(),
  };
}"""


def test_late_joiner_gets_a_snapshot_and_scrubs_back_to_the_start(
    classroom: Classroom,
    artifacts_dir: Path,
) -> None:
    """A screen joining 75 s into the run gets its frames from 5 s before the shared clock and
    what the earlier ones leave standing (inventory-2 stopped at 60 s); scrubbing back to the
    start fetches the earlier windows, and it then holds what the instructor's screen holds."""
    teacher = classroom.instructor()
    code = join_code(teacher)
    teacher.get_by_test_id("sim-scenario").select_option("kill-task")
    teacher.get_by_test_id("sim-start-button").click()
    teacher.get_by_test_id("sim-speed").select_option("5")
    teacher.get_by_test_id("sim-play").click()
    teacher.wait_for_function("() => window.kumobenPlayer.clock.now > 75", timeout=40_000)
    teacher.get_by_test_id("sim-pause").click()
    teacher.wait_for_function(LOADED)

    late = classroom.student(code, "Late")
    late.wait_for_function(
        "() => window.kumobenPlayer.store.branches.get(0).missing?.t1 > 60", timeout=20_000
    )
    late.wait_for_function(LOADED)
    first = late.evaluate("() => [...window.kumobenPlayer.branch.tracks.values()][0].windows[0].t0")
    assert first > 60  # the snapshot: no window before it was sent
    paused = teacher.evaluate(SHOWN)
    late.wait_for_function(f"() => window.kumobenPlayer.clock.now === {paused['now']}")
    # The shared moment looks the same: the base stands in for the windows not sent.
    shown = late.evaluate(SHOWN)
    assert shown["states"] == paused["states"]
    assert shown["states"]["task-inventory-2"] == "node task state-stopped"

    late.get_by_test_id("follow-toggle").click()
    late.evaluate("() => window.kumobenPlayer.seek(2.5)")
    # The windows from the start on come first (a diagram's state needs every change before it),
    # as many as one request takes; the rest wait until the learner goes there.
    late.wait_for_function(
        "() => window.kumobenPlayer.store.branches.get(0).missing?.t0 > 2.5", timeout=20_000
    )
    late.wait_for_timeout(500)  # a frame or two of the animation at 2.5 s
    early = late.evaluate(SHOWN)
    assert early["now"] == 2.5
    assert early["states"]["task-inventory-2"] == "node task state-healthy"
    assert early["dots"] != []
    late.locator("#player [data-role=svg]").first.scroll_into_view_if_needed()
    late.screenshot(path=str(artifacts_dir / "sessions-sim-late-joiner-scrubbed-back-phone.png"))
    gap = late.evaluate("() => window.kumobenPlayer.store.branches.get(0).missing")
    late.evaluate(f"() => window.kumobenPlayer.seek({gap['t0'] + 1})")
    late.wait_for_function(
        "() => window.kumobenPlayer.store.branches.get(0).missing === null", timeout=20_000
    )
    # Every window fetched: the same recording as the screen that was there all along.
    held = late.evaluate(HELD)
    assert held == teacher.evaluate(HELD)
    assert held["windows"][0][0] == 0
    late.evaluate(f"() => window.kumobenPlayer.seek({paused['now']})")
    assert late.evaluate(SHOWN)["states"] == paused["states"]
