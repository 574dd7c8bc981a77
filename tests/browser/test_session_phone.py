"""Every study-session page fits a 390 px phone: no sideways scrolling on the console, the
projector, the student's room, the lobby (the join pages) or the report, en and ja, with the
shared simulation running and a poll open (the widest states the pages have)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Classroom, join_code

SHOTS = "sessions-phone-{name}-{lang}.png"

# The page's sideways overflow, and the elements sticking out past the viewport's right edge
# (the deepest ones: a parent that only contains an offender is not listed).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    if ([...el.children].some((c) => c.getBoundingClientRect().right > width + 0.5)) continue;
    let hidden = false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (["auto", "scroll", "hidden", "clip"].includes(s.overflowX) && p !== document.body && p !== document.documentElement) {
        hidden = true;
        break;
      }
    }
    if (hidden) continue;
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
    out.push(`${name} right=${Math.round(box.right)}`);
  }
  return [document.documentElement.scrollWidth - width, out.slice(0, 12)];
}"""


# The projector's two diagrams on a phone: the slide's drawing and the live diagram of the shared
# run. Each either fits the width (its right edge inside the page and inside its frame) or is
# shown in a fitted view of the player with the hint that says it can be zoomed.
DIAGRAMS = """() => {
  const width = window.innerWidth;
  const box = (el) => el.getBoundingClientRect();
  const slide = document.querySelector("#slide .slide__stage svg");
  return {
    slide: slide ? [Math.round(box(slide).left), Math.round(box(slide).right), width] : null,
    live: [...document.querySelectorAll("#shared-sim figure.diagram")].map((figure) => {
      const frame = figure.querySelector("[data-role=svg]");
      const svg = frame.querySelector("svg");
      const hint = [...figure.querySelectorAll("[data-role=view-hint] span")].find((s) => s.checkVisibility());
      return {
        pattern: figure.dataset.pattern, view: figure.dataset.view, small: figure.dataset.small,
        svg: Math.round(box(svg).width), frame: Math.round(box(frame).width),
        right: Math.round(box(frame).right), hint: hint ? hint.innerText.trim() : "",
      };
    }),
  };
}"""


def _diagrams_fit(page: Page, lang: str) -> None:
    figures = page.locator("#shared-sim figure.diagram")
    expect(figures).to_have_count(4)  # the four patterns side by side
    for figure in figures.all():
        expect(figure).to_have_attribute("data-loaded", "true")
        # The first view, once the diagram has drawn: the whole diagram, fitted to the phone.
        expect(figure).to_have_attribute("data-view", re.compile(r"^(fit|whole)$"))
    seen = page.evaluate(DIAGRAMS)
    left, right, width = seen["slide"]
    assert left >= 0 and right <= width, f"the slide's diagram sticks out: {seen}"
    hint = {"en": "Text is small at this size", "ja": "この大きさでは文字が小さく"}[lang]
    for live in seen["live"]:
        assert live["svg"] <= live["frame"] + 1 and live["right"] <= width, live
        # Fitted to 390 px, its text is small: the hint says how to zoom in (en and ja).
        assert live["small"] == "true" and live["hint"].startswith(hint), live


def _fits(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    overflow, offenders = page.evaluate(OVERFLOW)
    assert overflow <= 0, f"{name} scrolls sideways by {overflow} px: {offenders}"


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_every_session_page_fits_a_phone(
    classroom: Classroom, locale: str, artifacts_dir: object
) -> None:
    lang = locale[:2]
    console = classroom.instructor(lesson=True, locale=locale)
    code = join_code(console)
    session_url = console.url.replace("/console/", "/")
    base = classroom.server.url

    # The lobby: the join page, before and with the code in the link.
    lobby = classroom._page(PHONE, locale=locale)
    lobby.goto(f"{base}/sessions/")
    _fits(lobby, "the sessions page")
    lobby.goto(f"{base}/sessions/join/{code}/")
    _fits(lobby, "the join page")

    student = classroom.student(code, "Aya", locale=locale)
    _fits(student, "the student's room before the run")

    # The widest state: the shared run going and a poll open.
    console.get_by_test_id("sim-scenario").select_option("steady")
    console.get_by_test_id("sim-pattern").select_option("all")
    console.get_by_test_id("sim-start-button").click()
    expect(console.get_by_test_id("shared-sim")).to_be_visible()
    console.locator("#poll-prompt").fill("Which task gets the next request?")
    choices = console.locator("#poll-choices input[name=choice]")
    choices.nth(0).fill("inventory-1")
    choices.nth(1).fill("inventory-2")
    console.locator("#poll-choices input[name=correct]").first.check()
    console.get_by_test_id("poll-ask").click()
    expect(console.get_by_test_id("poll-answered")).to_be_visible()

    cookie = next(c["value"] for c in console.context.cookies() if c["name"] == "sessionid")
    phone = classroom._page(PHONE, cookie, locale)
    for name, path in [
        ("console", "console/"),
        ("projector", "present/"),
        ("report", "report/"),
    ]:
        phone.goto(session_url + path)
        if name != "report":
            expect(phone.locator("#conn")).to_have_attribute("data-state", "connected")
            expect(phone.get_by_test_id("shared-sim")).to_be_visible()
        _fits(phone, f"the {name}")
        if name == "projector":
            _diagrams_fit(phone, lang)
            for part, locator in [
                ("projector-slide", phone.locator("#slide .slide__stage")),
                ("projector-live", phone.locator("#shared-sim figure.diagram").first),
            ]:
                locator.screenshot(path=str(artifacts_dir / SHOTS.format(name=part, lang=lang)))  # type: ignore[operator]
        # The projector's whole page: its slide diagram and the live ones under it.
        phone.screenshot(
            path=str(artifacts_dir / SHOTS.format(name=name, lang=lang)),  # type: ignore[operator]
            full_page=name == "projector",
        )

    expect(student.get_by_test_id("shared-sim")).to_be_visible()
    _fits(student, "the student's room with the run and the poll")
    student.screenshot(path=str(artifacts_dir / SHOTS.format(name="student", lang=lang)))  # type: ignore[operator]
    phone.goto(f"{base}/sessions/mine/")
    _fits(phone, "my sessions")
