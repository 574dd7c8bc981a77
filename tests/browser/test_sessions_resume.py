"""A student whose room socket drops mid-run is sent only what it missed (review D14), and then
shows what a student who never left shows: the diagram, the dots, the event list, and the
past when scrubbing back."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, WebSocket, expect

from tests.browser.conftest import Classroom, join_code
from tests.browser.shared_run import LOADED, SHOWN, paused_at_the_same_moment

# Every frame of the shared branch, by seq, as the store filed it (windows and their events).
HELD = """() => {
  const branch = window.kumobenPlayer.store.branches.get(0);
  const tracks = [...branch.tracks.values()];
  return {
    seqs: branch.seqs,
    windows: tracks.flatMap((t) => t.windows.map((w) => [w.t0, JSON.stringify(w.metrics)])),
    events: tracks.flatMap((t) => t.events.map((e) => [e.t, e.cause, e.text])),
    states: tracks.flatMap((t) => t.states.map((s) => [s.t, s.el, s.add, s.remove])),
  };
}"""


class Wire:
    """The room sockets a page opens: their URLs and the text frames they receive."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        self.frames: list[list[str]] = []
        page.on("websocket", self._opened)

    def _opened(self, ws: WebSocket) -> None:
        if "/ws/sessions/" not in ws.url:
            return
        self.urls.append(ws.url)
        received: list[str] = []
        self.frames.append(received)
        ws.on("framereceived", lambda payload: received.append(str(payload)))


def test_a_student_back_after_a_drop_sees_what_one_who_stayed_sees(
    classroom: Classroom, artifacts_dir: Path
) -> None:
    teacher = classroom.instructor()
    code = join_code(teacher)
    aya = classroom.student(code, "Aya")  # stays
    ben = classroom.student(code, "Ben")  # drops
    wire = Wire(ben)
    ben.reload()  # so the wire sees Ben's room socket from its first frame
    expect(ben.locator("#conn")).to_have_attribute("data-state", "connected")

    teacher.get_by_test_id("sim-scenario").select_option("steady")
    teacher.get_by_test_id("sim-start-button").click()
    teacher.get_by_test_id("sim-speed").select_option("5")
    teacher.get_by_test_id("sim-play").click()
    ben.wait_for_function("() => window.kumobenPlayer.branch.end >= 20", timeout=20_000)

    # Ben's network fails; meanwhile the instructor kills a task.
    ben.evaluate("() => window.kumobenRoomSocket.socket.drop()")
    teacher.evaluate("() => window.kumobenPlayer.act({do: 'kill_task', task: 'inventory-2'})")
    expect(ben.locator("#conn")).to_have_attribute("data-state", "connected")
    ben.wait_for_function(
        """() => [...window.kumobenPlayer.branch.tracks.values()].some(
            (t) => t.events.some((e) => e.cause === "action_applied"))""",
        timeout=20_000,
    )
    ben.wait_for_function("() => window.kumobenPlayer.branch.end >= 40", timeout=20_000)
    teacher.get_by_test_id("sim-pause").click()
    paused = paused_at_the_same_moment([teacher, aya, ben])

    # The reconnect named what Ben held and was answered with a resume, not the run again.
    assert len(wire.urls) == 2 and "sim=s" in wire.urls[1] and "sim=" not in wire.urls[0]
    kinds = [json.loads(text)["type"] for text in wire.frames[1]]
    assert "sim.resume" in kinds and "sim.hello" not in kinds
    # What the resume sent at once: the frames from the window Ben had to drop on (the time he
    # was away, the action's window among them), not the 20 s he already held.
    messages = [json.loads(text) for text in wire.frames[1]]
    at = kinds.index("sim.resume")
    # The resume's own frames are the sim.history messages sent with it, up to the readouts
    # that close it; live windows that follow come as sim.history too (batched), so stop there.
    burst = []
    for m in messages[at + 1 :]:
        if m["type"] == "sim.history":
            burst.append(m)
        elif m["type"].startswith("sim."):
            break  # the readouts (or the end) sent after the resume's frames
    resent = [f for m in burst for f in m["frames"] if f["type"] == "sim.frame"]
    held_before = sum(
        1
        for text in wire.frames[0]
        for m in (json.loads(text),)
        for f in (m["frames"] if m["type"] == "sim.history" else [m])
        if f["type"] == "sim.frame"
    )
    assert 0 < len(resent) < held_before
    assert resent[0]["seq"] == messages[at]["rewind"]["seq"]

    ben.get_by_test_id("shared-sim").scroll_into_view_if_needed()
    ben.screenshot(path=str(artifacts_dir / "sessions-sim-resumed-student-phone.png"))
    shown = [page.evaluate(SHOWN) for page in (aya, ben)]
    assert shown[0] == shown[1]
    assert shown[1]["now"] == paused
    assert shown[1]["states"]["task-inventory-2"] == "node task state-stopped"
    assert any("Action kill_task was applied" in row for row in shown[1]["events"])
    # Every frame filed, gap-free, the same as the student who stayed.
    held = [page.evaluate(HELD) for page in (aya, ben)]
    assert held[1]["seqs"] == list(range(len(held[1]["seqs"])))
    assert held[0] == held[1]

    # Scrubbing back to before the drop shows the same past on both screens.
    for page in (aya, ben):
        page.get_by_test_id("follow-toggle").click()
        page.evaluate("() => window.kumobenPlayer.seek(12.5)")
        page.wait_for_function("() => window.kumobenPlayer.clock.now === 12.5")
        page.wait_for_function(LOADED)
    back = [page.evaluate(SHOWN) for page in (aya, ben)]
    assert back[0] == back[1]
    assert back[1]["states"]["task-inventory-2"] != "node task state-stopped"
