"""No primary button that does nothing: on every page, en and ja, each visible primary button,
submit button and player/console control is pressed on a freshly loaded page, and something the
user can see must follow — the address changes, a download or a dialog starts, the browser refuses
the form with a message on a field, or what the page shows changes (its visible text, a pressed or
expanded state, a field's value, the diagram).

The page must be still before the press (nothing changes on its own for a moment), so a change
after the press is the press's doing."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Download, Page, expect

from tests.browser.conftest import Classroom, join_code
from tests.servers import DaphneServer

# The header's language switch and sign-out are the same on every page; they have tests of their
# own (the language switch below). Buttons in <main> are what a page offers.
CANDIDATES = (
    "main :is(.btn--primary, .button--primary, button[type=submit], input[type=submit],"
    " form button:not([type]), button[data-control], button[data-command])"
)

# What the user can see: visible text, states, field values, and the diagrams' drawn parts.
SNAPSHOT = """() => {
  const parts = [location.href, document.body.innerText];
  for (const el of document.querySelectorAll(
      "[aria-pressed], [aria-expanded], [aria-invalid], [aria-current], [data-state], details, dialog")) {
    if (!el.checkVisibility()) continue;
    parts.push([el.tagName, el.id, el.getAttribute("aria-pressed"), el.getAttribute("aria-expanded"),
      el.getAttribute("aria-invalid"), el.getAttribute("data-state"), el.open].join("|"));
  }
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.checkVisibility()) parts.push(el.name + "=" + (el.type === "checkbox" || el.type === "radio" ? el.checked : el.value));
  }
  for (const svg of document.querySelectorAll("main svg")) {
    if (svg.checkVisibility()) parts.push(svg.innerHTML);
  }
  return parts.join("\\n");
}"""

# A speed already chosen is a pressed toggle of a group (like a radio button): pressing it again
# keeps it, as it should. Disabled buttons say they are unavailable; they are not pressed.
PRESSABLE = """(b) => b.checkVisibility() && !b.disabled && b.getAttribute("aria-disabled") !== "true"
  && !(b.dataset.control === "speed" && b.getAttribute("aria-pressed") === "true")"""

VISIBLE = """(selector) => [...document.querySelectorAll(selector)]
  .filter(PRESSABLE)
  .map((b) => (b.innerText || b.value || b.getAttribute("aria-label") || "").replace(/\\s+/g, " ").trim())""".replace(
    "PRESSABLE", PRESSABLE
)


# A page's players have their run in (the playground's waits, idle, for the learner to start one).
PLAYERS_READY = """() => [...document.querySelectorAll("[data-role=player]")].every((p) =>
  ["ready", "playing"].includes(p.dataset.status) || (p.dataset.status === "idle" && document.getElementById("start-live")))"""


def _settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function(PLAYERS_READY, timeout=90_000)
    page.evaluate("document.fonts.ready")


def _still(page: Page) -> str:
    """The page's snapshot once it has stopped changing on its own."""
    before = page.evaluate(SNAPSHOT)
    for _ in range(20):
        page.wait_for_timeout(300)
        now = page.evaluate(SNAPSHOT)
        if now == before:
            return str(now)
        before = now
    a, b = str(before).splitlines(), str(page.evaluate(SNAPSHOT)).splitlines()
    changed = [line[:200] for line in difflib.unified_diff(a, b, lineterm="", n=0)][2:8]
    raise AssertionError(f"{page.url} never stops changing by itself: {changed[:3]}")


def _press(page: Page, index: int, label: str, selector: str = CANDIDATES) -> str:
    """Press the ``index``-th visible candidate; the effect seen, or '' when there was none."""
    seen: list[str] = []
    main_frame = page.main_frame

    def on_nav(frame: object) -> None:
        if frame is main_frame:
            seen.append("navigation")

    def on_download(download: Download) -> None:
        seen.append("download")

    def on_dialog(dialog: object) -> None:
        seen.append("dialog")
        dialog.dismiss()  # type: ignore[attr-defined]

    def on_popup(popup: Page) -> None:
        seen.append("popup")

    page.on("framenavigated", on_nav)
    page.on("download", on_download)
    page.on("dialog", on_dialog)
    page.on("popup", on_popup)
    try:
        _still(page)
        target = page.locator(selector).evaluate_all(
            """(all, index) => {
              const live = all.filter(PRESSABLE);
              live.forEach((b) => b.removeAttribute("data-press"));
              live[index].setAttribute("data-press", "");
              const form = live[index].form;
              const submits = live[index].type === "submit" && form && !form.noValidate && !live[index].formNoValidate;
              return submits && !form.checkValidity() ? [...form.elements].find((e) => !e.checkValidity()).validationMessage : "";
            }""".replace("PRESSABLE", PRESSABLE),
            index,
        )
        if target:  # the browser refuses the form and says why on the field
            return f"field message: {target}"
        pressed = page.locator("[data-press]")
        # The marker itself is no effect: take the snapshot without it.
        before = page.evaluate(SNAPSHOT)
        pressed.click()
        for _ in range(30):
            if seen:
                return seen[0]
            try:
                if page.evaluate(SNAPSHOT) != before:
                    return "page changed"
            except Exception:  # the page navigated while we looked
                return "navigation"
            page.wait_for_timeout(100)
        return ""
    finally:
        page.remove_listener("framenavigated", on_nav)
        page.remove_listener("download", on_download)
        page.remove_listener("dialog", on_dialog)
        page.remove_listener("popup", on_popup)


def _shape(labels: list[str]) -> list[str]:
    return [re.sub(r"\d+", "#", label) for label in labels]


def _every_button_acts(
    page: Page, url: str, prepare: Callable[[Page], None] | None = None
) -> list[str]:
    """Press each visible candidate of ``url`` on a fresh load; fail on one without an effect.
    Returns the labels pressed (so a test can check the page had the buttons it should)."""

    page.set_default_timeout(60_000)  # a busy machine: the pages' engines share two cores

    def load() -> Page:
        page.goto(url, timeout=60_000)
        _settle(page)
        if prepare:
            prepare(page)
        return page

    return _each_button_acts(load)


def _each_button_acts(
    fresh: Callable[[], Page], selector: str = CANDIDATES, shuffled: bool = False
) -> list[str]:
    """Press each visible candidate, each on the page ``fresh()`` gives (a reload, or a new
    session's screen where a press changes what everyone in it sees); fail on a press without
    an effect. Returns the labels pressed. ``shuffled``: the page lists its buttons in an order
    drawn per load (a poll's choices), so two loads have the same buttons in any order."""
    order = sorted if shuffled else list
    page = fresh()
    labels = list(page.evaluate(VISIBLE, selector))
    url = page.url
    dead = []
    for index, label in enumerate(labels):
        if index:
            # A press can leave server-side state (a hint shown moves "hint 1 of 4" on): the same
            # buttons in the same order, up to their counts.
            page = fresh()
            now = list(page.evaluate(VISIBLE, selector))
            assert order(_shape(now)) == order(_shape(labels)), (
                f"{url}: the buttons differ between two loads: {labels} / {now}"
            )
        effect = _press(page, index, label, selector)
        if not effect:
            dead.append(label)
        # A refused form answers 400 with its field errors on the page (the join form does): the
        # browser logs that status; the refusal is the effect, not an error of the page.
        errors = page.errors.messages  # type: ignore[attr-defined]
        errors[:] = [m for m in errors if "the server responded with a status of 400" not in m]
    assert dead == [], f"{url}: pressing these does nothing visible: {dead}"
    return labels


PAGES = {
    "home": "/",
    "lessons": "/lessons/",
    "lesson step with a player": "/lessons/elb/?step=4",
    "lesson step with the quiz": "/lessons/elb/?step=8",
    "lesson presenter": "/lessons/elb/present/",
    "playground": "/playground/",
    "labs": "/labs/",
    "lab": "/labs/elb-dead-task/",
    "progress": "/progress/",
    "guide": "/guide/",
    "cost": "/lessons/compare/cost/",
    "sessions (join and host)": "/sessions/",
    "glossary": "/lessons/glossary/",
}


LOCALES = [
    pytest.param("en-US", id="en"),
    pytest.param("ja-JP", id="ja", marks=pytest.mark.locale("ja-JP")),
]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", list(PAGES))
def test_every_button_on_a_page_does_something(
    page: Page, daphne_server: DaphneServer, name: str, locale: str
) -> None:
    assert page.evaluate("navigator.language") == locale
    url = daphne_server.url + PAGES[name]
    labels = _every_button_acts(page, url)
    if name in {"lab", "lesson step with a player"}:  # a run is loaded: Play was pressed
        assert any(label.startswith("▶") for label in labels), labels
    if name == "lab":  # and the speeds not chosen yet
        assert len([label for label in labels if label.endswith("×")]) == 6, labels
    if name == "playground":  # no run yet: nothing to play, the time controls are unavailable
        assert [b.is_disabled() for b in page.locator("button[data-control=play]").all()] == [True]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_player_control_does_something_once_a_run_is_in(
    page: Page, daphne_server: DaphneServer, locale: str
) -> None:
    def run(p: Page) -> None:
        p.locator("#start-instant").click()
        expect(p.locator("[data-role=player]")).to_have_attribute(
            "data-status", "ready", timeout=60_000
        )

    labels = _every_button_acts(page, daphne_server.url + "/playground/", run)
    assert len([label for label in labels if label.endswith("×")]) == 6, labels


@pytest.mark.parametrize(
    ("other", "lang"),
    [
        pytest.param("ja", "ja", id="en"),
        pytest.param("en", "en", id="ja", marks=pytest.mark.locale("ja-JP")),
    ],
)
def test_the_language_switch_switches(
    page: Page, daphne_server: DaphneServer, other: str, lang: str
) -> None:
    page.goto(daphne_server.url + "/lessons/")
    page.get_by_test_id(f"lang-{other}").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


@pytest.mark.parametrize(
    ("locale", "signed_in", "sign_in"),
    [
        pytest.param("en-US", "Signed in as kaede", "Sign in", id="en"),
        pytest.param("ja-JP", "kaede でサインイン中", "サインイン", id="ja"),
    ],
)
def test_sign_out_signs_the_instructor_out(
    classroom: Classroom, locale: str, signed_in: str, sign_in: str
) -> None:
    """The header's sign-out (a POST with the CSRF token) ends the instructor's sign-in: the
    browser lands on the home page, whose header then offers sign-in where it said who was signed
    in, and the instructor's pages ask for a sign-in again."""
    # Not "sensei": test_classroom counts the sessions of that one on the shared server.
    console = classroom.instructor(name="kaede", locale=locale)
    base = classroom.server.url
    console.goto(base + "/lessons/")
    expect(console.get_by_test_id("account")).to_contain_text(signed_in)
    expect(console.get_by_test_id("sign-in")).to_have_count(0)
    with console.expect_request(lambda r: r.url.endswith("/accounts/logout/")) as sent:
        console.get_by_test_id("sign-out").click()
    assert sent.value.method == "POST"
    assert "csrfmiddlewaretoken=" in (sent.value.post_data or "")

    expect(console).to_have_url(base + "/")
    expect(console.get_by_test_id("account")).to_have_count(0)
    header_sign_in = console.locator("header").get_by_test_id("sign-in")
    expect(header_sign_in).to_have_text(sign_in)
    expect(header_sign_in).to_have_attribute("href", "/accounts/login/?next=/")
    console.goto(base + "/sessions/mine/")
    expect(console).to_have_url(base + "/accounts/login/?next=/sessions/mine/")
    expect(console.locator("header").get_by_test_id("sign-in")).to_have_count(0)  # already here


# On the session screens every button counts, not only the primary ones: each is something the
# instructor or a student does in front of the class.
SESSION_BUTTONS = "main :is(button, input[type=submit])"

# What each screen must offer (data-testid or data-command of the buttons pressed).
SESSION_OFFERS = {
    "console": {
        "next-slide",
        "step-next",
        "sim-play",
        "sim-start-button",
        "lobby-lock",
        "poll-ask",
    },
    "console in a poll": {"poll-reveal", "poll-close", "remove"},
    "projector": set(),  # the projector is driven from its keyboard (its own test) or the console
    "student": {"follow-toggle", "poll-choice"},
}

OFFERED = """(selector) => [...document.querySelectorAll(selector)].filter(PRESSABLE)
  .map((b) => b.dataset.choice !== undefined ? "poll-choice" : b.dataset.testid || b.dataset.command || "")""".replace(
    "PRESSABLE", PRESSABLE
)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("screen", list(SESSION_OFFERS))
def test_every_button_of_a_session_screen_does_something(
    browser: Browser, daphne_server: DaphneServer, screen: str, locale: str
) -> None:
    """A press on the console changes what the whole room sees (the slide, the run, the lobby),
    so each press is made on a screen of a session of its own, opened on a lesson: the console as
    it opens and with a student in and a poll open, the projector, and the student's phone with
    the poll open (its answer buttons)."""
    rooms: list[Classroom] = []
    offered: set[str] = set()

    def fresh() -> Page:
        if rooms:
            rooms[-1].close()
        room = Classroom(browser, daphne_server)
        rooms.append(room)
        console = room.instructor(name=f"buttons{len(rooms) % 2}", lesson=True, locale=locale)
        page = console
        if screen == "projector":
            page = room.projector(console, locale)
        elif screen != "console":
            student = room.student(join_code(console), "Aoi", locale=locale)
            console.get_by_test_id("poll-preset").select_option("0")  # the lesson's quiz
            console.get_by_test_id("poll-ask").click()
            expect(student.get_by_test_id("student-poll")).to_be_visible()
            expect(console.get_by_test_id("remove")).to_have_count(1)
            page = console if screen == "console in a poll" else student
        page.set_default_timeout(60_000)
        offered.update(page.evaluate(OFFERED, SESSION_BUTTONS))
        return page

    try:
        _each_button_acts(fresh, SESSION_BUTTONS, shuffled=screen == "student")
    finally:
        if rooms:
            rooms[-1].close()
    assert SESSION_OFFERS[screen] <= offered, offered
    if screen == "projector":
        assert offered == set()
