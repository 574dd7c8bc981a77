"""No tofu: every character a page shows is drawn from a real font, never as the missing-glyph box.

Chromium draws a character that no font on the machine has with the primary font's ``.notdef``
glyph (the empty box). A private-use character no font has (U+E000) is drawn the same way, so
the probe below draws each character of the page on a canvas, in the font stack of the element
that holds it, and compares the pixels with U+E000 drawn in the same stack: the same picture is
tofu. Grapheme clusters (an emoji family, a flag, a skin tone) are drawn whole and their code
points one by one; joiners, variation selectors and combining marks have no glyph of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Classroom, join_code
from tests.servers import DaphneServer

SHOTS = Path("/tmp/shots-h13words")
# Each probe draws at this size on a canvas this big; text a page shows is a few hundred glyphs.
PROBE = r"""
() => {
  const NOT_DRAWN = /^[\p{Cc}\p{Cf}\p{Z}\p{M}\s\u{FE00}-\u{FE0F}\u{1F3FB}-\u{1F3FF}]+$/u;
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);
  const texts = new Map();  // font-family -> Set of texts
  const add = (family, text) => {
    if (!texts.has(family)) texts.set(family, new Set());
    const set = texts.get(family);
    for (const { segment } of new Intl.Segmenter(undefined, { granularity: "grapheme" })
      .segment(text)) {
      if (NOT_DRAWN.test(segment)) continue;
      set.add(segment);
      const points = Array.from(segment);
      if (points.length > 1) points.filter((p) => !NOT_DRAWN.test(p)).forEach((p) => set.add(p));
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, noscript, template")) continue;
    add(getComputedStyle(parent).fontFamily, node.data);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (SKIP.has(el.tagName)) continue;
    if (el.placeholder) add(getComputedStyle(el).fontFamily, el.placeholder);
    if (el.tagName === "INPUT" && ["submit", "button"].includes(el.type) && el.value)
      add(getComputedStyle(el).fontFamily, el.value);
    for (const pseudo of ["::before", "::after", "::marker"]) {
      const style = getComputedStyle(el, pseudo);
      const content = style.content;
      if (content && content.startsWith('"')) add(style.fontFamily, JSON.parse(content));
    }
  }
  const canvas = document.createElement("canvas");
  canvas.width = 160;
  canvas.height = 80;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const draw = (family, text) => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.font = `40px ${family}`;
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#000";
    ctx.fillText(text, 8, 40);
    return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  };
  const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
  const tofu = [];
  let checked = 0;
  for (const [family, set] of texts) {
    const box = draw(family, "\uE000");
    for (const text of set) {
      checked += 1;
      if (same(draw(family, text), box)) tofu.push(`${text} U+${
        Array.from(text).map((c) => c.codePointAt(0).toString(16).toUpperCase()).join(" U+")
      } (${family})`);
    }
  }
  return { checked, families: texts.size, tofu };
}
"""


def tofu(page: Page) -> dict[str, Any]:
    """The probe's verdict on the page as it stands: how many texts it drew and which are tofu."""
    return page.evaluate(PROBE)  # type: ignore[no-any-return]


def test_the_probe_sees_a_missing_glyph_and_passes_real_ones(
    page: Page, daphne_server: DaphneServer
) -> None:
    """The detector itself: U+E000 and an Egyptian hieroglyph (no font on the machine has either)
    are tofu; Latin, kana, kanji, full-width punctuation, arrows and an emoji are not."""
    page.goto(daphne_server.url + "/")
    page.evaluate(
        """() => {
          const p = document.createElement("p");
          p.id = "probe";
          p.textContent = "A \\uE000 \\u{13000} あ 秒 （：） → ✓ \\u{1F98A} \\u{1F1EF}\\u{1F1F5}";
          document.querySelector("main").append(p);
        }"""
    )

    found = tofu(page)

    marked = sorted(t.split(" (")[0] for t in found["tofu"])
    assert marked == ["\ue000 U+E000", "\U00013000 U+13000"]


PAGES = [
    ("home", "/"),
    ("lesson", "/lessons/elb/?step=3"),
    ("playground", "/playground/"),
    ("lab", "/labs/elb-dead-task/"),
]


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
@pytest.mark.parametrize(("name", "path"), PAGES)
def test_every_glyph_of_a_page_is_drawn(
    browser: Browser,
    daphne_server: DaphneServer,
    locale: str,
    name: str,
    path: str,
) -> None:
    context = browser.new_context(locale=locale, viewport=DESKTOP)
    page = context.new_page()
    page.goto(daphne_server.url + path)
    page.wait_for_load_state("networkidle")
    # Open every disclosure so its text is laid out as a learner would see it.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")

    found = tofu(page)

    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"glyphs-{name}-1280-{locale[:2]}.png"))
    context.close()
    assert found["checked"] > 40
    assert found["tofu"] == []


NICKNAME = (
    "\U0001f1ef\U0001f1f5 さくら \U0001f468\u200d\U0001f469\u200d\U0001f467\U0001f44b\U0001f3fd"
)


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
def test_the_projector_draws_every_glyph_of_an_emoji_nickname(
    classroom: Classroom, locale: str
) -> None:
    """A session's projector, its console and a student's phone, with an emoji nickname in the
    room (flag, family sequence, skin tone): the names are drawn in colour, never as boxes."""
    console = classroom.instructor(locale=locale)
    student = classroom.student(join_code(console), NICKNAME, locale=locale)
    projector = classroom.projector(console, locale=locale)
    expect(projector.locator("#lobby-names li", has_text="さくら")).to_have_count(1)

    found = {
        "projector": tofu(projector),
        "console": tofu(console),
        "phone": tofu(student),
    }

    SHOTS.mkdir(exist_ok=True)
    projector.screenshot(path=str(SHOTS / f"glyphs-projector-1920-{locale[:2]}.png"))
    student.screenshot(path=str(SHOTS / f"glyphs-phone-{PHONE['width']}-{locale[:2]}.png"))
    assert {name: f["tofu"] for name, f in found.items()} == dict.fromkeys(found, [])
    assert all(f["checked"] > 20 for f in found.values())
