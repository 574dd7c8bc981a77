"""The shared simulation in real browsers: the instructor's page and two students' pages embed
the playground player and see the same simulation event at the same virtual time."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_sessions import Classroom, _code, classroom  # noqa: F401

APPLIED = """() => {
  const branch = window.kumobenPlayer?.store.branches.get(0);
  if (!branch) return null;
  for (const track of branch.tracks.values()) {
    const event = track.events.find((e) => e.cause === "action_applied");
    if (event) return [event.t, event.text, event.el];
  }
  return null;
}"""


def _applied(page: Page) -> list:
    page.wait_for_function(APPLIED, timeout=20_000)
    return page.evaluate(APPLIED)


def test_every_screen_sees_the_instructors_fault_at_the_same_virtual_time(
    classroom: Classroom,  # noqa: F811
) -> None:
    teacher = classroom.instructor()
    code = _code(teacher)
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
    # Followers' players track the shared clock past the event.
    for page in (aya, ken):
        page.wait_for_function(f"() => window.kumobenPlayer.clock.now > {seen[0][0]}")

    # Ken takes the player's time in hand: he explores on his own; one click follows again.
    ken.locator("#player button[data-control=play]").click()
    expect(ken.get_by_test_id("follow-state")).to_have_attribute("data-state", "exploring")
    ken.get_by_test_id("follow-toggle").click()
    expect(ken.get_by_test_id("follow-state")).to_have_attribute("data-state", "following")
    ken.wait_for_function("() => window.kumobenPlayer.clock.playing === true")
