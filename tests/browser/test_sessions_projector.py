"""The instructor's two screens in real browsers: the projector (what the room sees) and the
console (every control), each in its own browser context; the right answer stays off the
projector (its page and its socket) until the reveal; polls in each phone's language; a timed
poll closing by itself; lesson slides with their live player, in a session and in the lesson
presenter mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from patterns.sessions import polls
from tests.browser.conftest import PHONE, PROJECTOR, Classroom, PageErrors, join_code
from tests.servers import DaphneServer

pytestmark = pytest.mark.browser


def _open_poll(
    console: Page, prompt: str, choices: list[str], correct: int, seconds: int | None = None
) -> None:
    console.locator("#poll-prompt").fill(prompt)
    for i, choice in enumerate(choices):
        console.get_by_label(f"Choice {i + 1}", exact=True).fill(choice)
    console.get_by_label(f"Right answer {correct + 1}", exact=True).check()
    if seconds is not None:
        console.get_by_test_id("poll-seconds").fill(str(seconds))
    console.get_by_test_id("poll-ask").click()


def test_projector_and_console_follow_one_room_and_the_answer_waits_for_the_reveal(
    classroom: Classroom, artifacts_dir: Path
) -> None:
    console = classroom.instructor()
    frames: list[str] = []
    room = classroom.projector(console, frames=frames)
    code = join_code(console)

    # Before the class: the join code, the address and the QR code, and who has joined.
    expect(room.get_by_test_id("welcome")).to_be_visible()
    expect(room.get_by_test_id("join-code")).to_have_text(code)
    expect(room.locator(".welcome__qr svg.qr")).to_be_visible()
    aya = classroom.student(code, "Aya")
    ben = classroom.student(code, "Ben")
    expect(room.get_by_test_id("projector-joined")).to_have_text("2")
    expect(room.locator("#lobby-names li")).to_have_text(["Aya", "Ben"])
    room.screenshot(path=str(artifacts_dir / "projector-welcome-1920.png"))

    # The projector's keyboard runs the slides for everyone; the code then moves to a corner.
    room.keyboard.press("ArrowRight")
    for page in (room, console, aya):
        expect(page.locator("#slide")).to_contain_text("Slide 2")
    expect(room.get_by_test_id("welcome")).to_be_hidden()
    expect(room.get_by_test_id("join-chip")).to_contain_text(code)
    console.get_by_test_id("next-slide").click()
    expect(room.locator("#slide")).to_contain_text("Slide 3")
    room.keyboard.press("ArrowLeft")
    expect(console.locator("#slide")).to_contain_text("Slide 2")

    # A poll: the console knows the answer, the projector shows the question and live counts.
    _open_poll(console, "Which task gets the next request?", ["inventory-1", "inventory-2"], 1)
    expect(room.get_by_test_id("projector-poll")).to_be_visible()
    aya.get_by_test_id("student-poll").get_by_role("button", name="inventory-2").click()
    ben.get_by_test_id("student-poll").get_by_role("button", name="inventory-1").click()
    expect(room.get_by_test_id("poll-answered")).to_have_text("2")
    expect(room.locator("#poll-histogram g.bar .bar__count")).to_have_text(["1", "1"])
    expect(console.locator("#poll-histogram g.bar--correct")).to_have_count(1)
    poll_html = room.get_by_test_id("projector-poll").inner_html()
    page_html = room.content()
    assert room.get_by_test_id("projector-choices").locator("li").all_inner_texts() == [
        "A inventory-1",
        "B inventory-2",
    ]
    assert "✓" not in poll_html and "bar--correct" not in page_html
    assert "projector__choice--correct" not in page_html
    # Not hidden but never sent: no frame the projector received carries the answer.
    assert frames and not [f for f in frames if '"correct": 1' in f or "bar--correct" in f]
    room.screenshot(path=str(artifacts_dir / "projector-poll-1920.png"))

    # R on the projector reveals it for everyone.
    room.keyboard.press("r")
    expect(room.locator(".projector__choice--correct")).to_have_text("B inventory-2 ✓")
    expect(room.locator("#poll-histogram g.bar--correct")).to_contain_text("✓ inventory-2")
    expect(aya.get_by_test_id("poll-feedback")).to_have_text("✓ Right!")
    expect(console.get_by_test_id("poll-reveal")).to_be_disabled()
    assert [f for f in frames if '"correct": 1' in f]
    room.screenshot(path=str(artifacts_dir / "projector-reveal-1920.png"))
    console.evaluate("window.scrollTo(0, 0)")
    console.screenshot(path=str(artifacts_dir / "projector-console-1280.png"))
    for width, height in ((1280, 800), (390, 844)):
        for name, page in (("projector", room), ("console", console)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(artifacts_dir / f"{name}-{width}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
    room.set_viewport_size(PROJECTOR)
    console.set_viewport_size({"width": 1280, "height": 800})

    # Space on the projector plays and pauses the shared run; its clock stops at the run's end.
    console.get_by_test_id("poll-close").click()
    expect(room.get_by_test_id("projector-poll")).to_be_hidden()
    console.get_by_test_id("sim-scenario").select_option("steady")
    console.get_by_test_id("sim-start-button").click()
    expect(room.get_by_test_id("shared-sim")).to_be_visible()
    # The run the instructor drives is what the room sees first: at 1920×1080 its diagram starts
    # in the upper half of the screen and spans most of its width. The event list and the
    # waterfall need a pointer: the console keeps them, the projector does not show them.
    room.evaluate("window.scrollTo(0, 0)")
    expect(room.locator("#shared-sim [data-role=diagrams] svg").first).to_be_visible()
    box = room.locator("#shared-sim [data-role=diagrams]").bounding_box()
    assert box and box["y"] < 540 and box["width"] > 0.8 * 1920, box
    slide = room.locator(".projector__stage").bounding_box()
    assert slide and slide["y"] > box["y"] + box["height"], (slide, box)  # the slide follows
    for panel in ("events", "waterfall"):
        expect(room.locator(f"#shared-sim [data-role={panel}]")).to_be_hidden()
        expect(console.locator(f"#shared-sim [data-role={panel}]")).to_be_attached()
    console.get_by_test_id("sim-speed").select_option("10")
    room.keyboard.press(" ")
    expect(aya.locator("#sim-state")).to_have_text("▶ playing 10×")
    # Space toggles what the projector itself shows: wait until it too has heard "playing".
    expect(room.locator("#sim-state")).to_have_text("▶ playing 10×")
    room.keyboard.press(" ")
    for page in (console, room):
        expect(page.locator("#sim-state")).to_have_text("❚❚ paused")
    room.keyboard.press(" ")
    for page in (room, aya, console):
        expect(page.locator("#sim-state")).to_have_text("■ end of the run", timeout=25_000)
        expect(page.get_by_test_id("sim-clock")).to_have_text("120.0 s")
    room.wait_for_timeout(600)
    expect(room.get_by_test_id("sim-clock")).to_have_text("120.0 s")
    room.screenshot(path=str(artifacts_dir / "projector-run-1920.png"))


@pytest.mark.locale("ja-JP")
def test_a_lesson_question_in_each_phones_language_and_on_a_japanese_projector(
    classroom: Classroom, artifacts_dir: Path
) -> None:
    console = classroom.instructor(lesson=True)
    frames: list[str] = []
    room = classroom.projector(console, locale="ja-JP", frames=frames)
    aya = classroom.student(join_code(console), "あや", locale="ja-JP")
    ben = classroom.student(join_code(console), "Ben")
    # classroom.instructor(lesson=True) picks the third lesson, ELB.
    # The console draws the lesson's question variants with a seed of its own (a hidden field).
    seed = int(console.locator("#poll-seed").input_value())
    en, ja = (polls.from_lesson("elb", lang, seed)[0] for lang in ("en", "ja"))
    assert en["correct"] is not None and ja["correct"] == en["correct"]

    expect(room.get_by_test_id("welcome")).to_contain_text("スマートフォンで参加")
    console.get_by_test_id("poll-preset").select_option("0")
    console.get_by_test_id("poll-ask").click()

    expect(aya.locator("#poll-prompt")).to_have_text(ja["prompt"])
    expect(ben.locator("#poll-prompt")).to_have_text(en["prompt"])
    expect(room.locator("#poll-prompt")).to_have_text(f"Q1. {ja['prompt']}")
    aya.get_by_test_id("student-poll").get_by_role(
        "button", name=ja["choices"][en["correct"]], exact=True
    ).click()
    expect(room.get_by_test_id("poll-answered")).to_have_text("1")
    assert "bar--correct" not in room.content()
    assert not [f for f in frames if f'"correct": {en["correct"]}' in f or "bar--correct" in f]
    room.screenshot(path=str(artifacts_dir / "projector-ja-poll-1920.png"))

    room.keyboard.press("R")
    right = ja["choices"][en["correct"]]
    expect(aya.get_by_test_id("poll-feedback")).to_have_text("✓ 正解！")
    expect(aya.locator("#poll-histogram g.bar--correct")).to_contain_text(f"✓ {right}")
    expect(ben.locator("#poll-histogram g.bar--correct")).to_contain_text(
        f"✓ {en['choices'][en['correct']]}"
    )
    expect(room.locator("#poll-histogram g.bar--correct")).to_contain_text(f"✓ {right}")
    expect(room.locator(".projector__choice--correct")).to_contain_text(right)
    room.screenshot(path=str(artifacts_dir / "projector-ja-reveal-1920.png"))
    aya.get_by_test_id("student-poll").scroll_into_view_if_needed()
    aya.screenshot(path=str(artifacts_dir / "projector-ja-student-390.png"))


def test_a_timed_poll_closes_by_itself_and_numbers_are_read_as_typed(
    classroom: Classroom, artifacts_dir: Path
) -> None:
    console = classroom.instructor()
    room = classroom.projector(console)
    aya = classroom.student(join_code(console), "Aya", viewport=PHONE)

    console.locator("#poll-prompt").fill("How many seconds until the ALB stops routing?")
    console.get_by_label("Number", exact=True).check()
    console.get_by_label("Right answer (optional)").fill("30")
    console.get_by_test_id("poll-seconds").fill("6")
    console.get_by_test_id("poll-ask").click()

    for page in (aya, room, console):
        expect(page.get_by_test_id("poll-countdown")).to_contain_text("s left")
    value = aya.locator("#poll-value")
    value.fill("３０秒")
    value.press("Enter")
    expect(aya.get_by_test_id("poll-feedback")).to_have_text(
        "✗ “３０秒” is not a number: write only digits, such as 42 or 1.5."
    )
    value.fill("３０")
    value.press("Enter")
    expect(aya.get_by_test_id("poll-feedback")).to_contain_text("Answer sent")
    expect(room.get_by_test_id("poll-answered")).to_have_text("1")
    aya.screenshot(path=str(artifacts_dir / "projector-timer-student-390.png"))

    for page in (aya, room, console):
        expect(page.get_by_test_id("poll-countdown")).to_have_text("■ Time is up", timeout=10_000)
    expect(value).to_be_disabled()
    room.screenshot(path=str(artifacts_dir / "projector-timer-1920.png"))
    console.get_by_test_id("poll-reveal").click()
    expect(room.get_by_test_id("projector-answer")).to_have_text("✓ Answer: 30")


def test_lesson_slides_play_their_own_run_on_the_projector(
    classroom: Classroom, artifacts_dir: Path
) -> None:
    console = classroom.instructor(lesson=True)
    room = classroom.projector(console)
    aya = classroom.student(join_code(console), "Aya")

    console.locator(".outline summary").click()
    console.locator("[data-goto='4']").click()

    for page in (room, aya):
        expect(page.locator("#slide .embed-player--live [data-role=player]")).to_have_count(1)
    room.wait_for_function(
        "() => window.kumobenSlidePlayer && window.kumobenSlidePlayer.store.duration > 0"
    )
    room.keyboard.press(" ")  # no shared run: Space plays the slide's own
    room.wait_for_function("() => window.kumobenSlidePlayer.clock.playing === true")
    room.screenshot(path=str(artifacts_dir / "projector-slide-player-1920.png"))
    room.keyboard.press("ArrowRight")
    expect(room.locator("#slide")).to_contain_text("Slide 5")
    expect(room.locator("#slide .embed-player--live [data-role=player]")).to_have_count(1)
    # The slide left behind took its player with it: one player on the page, a new one.
    room.wait_for_function(
        "() => window.kumobenSlidePlayer && window.kumobenSlidePlayer.clock.playing === false"
    )
    assert room.locator("#slide [data-role=player]").count() == 1


def test_lesson_presenter_mode_plays_each_slide_and_stops_the_last(
    browser: Browser, daphne_server: DaphneServer, artifacts_dir: Path
) -> None:
    context = browser.new_context(locale="en-US", viewport=PROJECTOR)
    page = context.new_page()
    errors = PageErrors(page)
    page.goto(f"{daphne_server.url}/lessons/elb/present/?step=4")

    expect(page.locator("#slide-4 .embed-player--live [data-role=player]")).to_have_count(1)
    page.wait_for_function("() => window.kumobenPlayer && window.kumobenPlayer.store.duration > 0")
    page.locator("#slide-4 [data-role=player] button[data-control=play]").click()
    page.wait_for_function("() => window.kumobenPlayer.clock.playing === true")
    page.screenshot(path=str(artifacts_dir / "lesson-presenter-player-1920.png"))
    # Keys inside the player are its own; from the slide they move the deck.
    page.locator("#slide-4-title").click()
    page.keyboard.press("ArrowRight")

    expect(page.locator("#slide-5")).to_be_visible()
    expect(page.locator("#slide-4 [data-role=player]")).to_have_count(0)
    # Its static summary is back in its place for when the slide is shown again.
    assert page.locator("#slide-4 .readout").evaluate("(table) => table.hidden") is False
    expect(page.locator("#slide-5 .embed-player--live [data-role=player]")).to_have_count(1)
    page.wait_for_function(
        "() => window.kumobenPlayer && window.kumobenPlayer.clock.playing === false"
    )
    context.close()
    assert errors.messages == []
