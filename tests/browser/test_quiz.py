"""Lesson quizzes in a real browser, in English and Japanese: every question type answered; a
wrong answer gets a hint, a second wrong one the explanation; a predict question answered by
playing its player on; an order question by keyboard; a number typed in full-width digits; a
retake that asks other variants; spaced review bringing a wrong answer back.

The attempt's seed travels in the form's signed token, and the test server shares the test's
settings, so the test rebuilds exactly the questions the page asked and knows their answers."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Locator, Page, expect

from patterns.lessons import library, quiz
from patterns.lessons.comparison import dead_task_window
from patterns.lessons.content import Lesson, Quiz
from patterns.sim import run
from tests.browser.conftest import DESKTOP, PHONE, Classroom, PageErrors
from tests.servers import DaphneServer, manage

FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
LANGS = [pytest.param("en", marks=pytest.mark.locale("en-US"), id="en"),
         pytest.param("ja", marks=pytest.mark.locale("ja-JP"), id="ja")]  # fmt: skip


def _lesson(slug: str, lang: str) -> Lesson:
    return library.lessons(lang)[slug]


def _quiz_step(lesson: Lesson) -> int:
    return next(s.number for s in lesson.steps if any(isinstance(d, Quiz) for d in s.directives))


def _plain(text: str) -> str:
    """What the browser shows of an HTML fragment: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def _open_quiz(page: Page, server: DaphneServer, slug: str, lang: str) -> Locator:
    lesson = _lesson(slug, lang)
    page.goto(f"{server.url}/lessons/{slug}/?step={_quiz_step(lesson)}")
    return page.locator(f"#quiz-{quiz.lesson_quizzes(lesson)[0].id}")


def _asked(section: Locator, slug: str, lang: str) -> tuple[int, list[quiz.Question]]:
    """The attempt the form carries: its seed and its questions, as the server built them."""
    token = section.locator("form input[name=attempt]").get_attribute("value") or ""
    seed = quiz.read_attempt(token)
    assert seed is not None
    lesson = _lesson(slug, lang)
    with translation.override(lang):
        return seed, quiz.questions(lesson, quiz.lesson_quizzes(lesson)[0], seed)


def _kind(question: quiz.Question) -> str:
    if question.predict:
        return "predict"
    if question.exhibit:
        return "diagnose"
    return question.kind


def _wrong_number(question: quiz.Question) -> str:
    return str(int(question.answer + question.tolerance + 100))


def _fill(fieldset: Locator, question: quiz.Question, *, right: bool) -> None:
    """Answer one question by mouse and typing: the right answer or a wrong one."""
    if question.kind == "numeric":
        fieldset.locator("input[type=text]").fill(
            f"{question.answer:g}" if right else _wrong_number(question)
        )
    elif question.kind == "order":
        order = question.order if right else tuple(reversed(question.order))
        for slot, shown in enumerate(order, start=1):
            fieldset.locator(f"select[name$='-{slot}']").select_option(str(shown))
    else:
        wrong = [n for n in range(1, len(question.choices) + 1) if n not in question.correct]
        for n in sorted(question.correct) if right else wrong[:1]:
            fieldset.locator(f"input[value='{n}']").check()


def _order_by_keyboard(page: Page, fieldset: Locator, question: quiz.Question) -> None:
    """Put the items in order with the keyboard only: Tab to each step, ArrowDown to the item."""
    fieldset.locator("select").first.focus()
    for slot, shown in enumerate(question.order, start=1):
        assert page.evaluate("document.activeElement.name").endswith(f"-{slot}")
        for _ in range(shown):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
    for slot, shown in enumerate(question.order, start=1):
        expect(fieldset.locator(f"select[name$='-{slot}']")).to_have_value(str(shown))


def _fieldsets(form: Locator) -> Locator:
    return form.locator("fieldset.quiz-question")


# --------------------------------------------------------------------------- wrong, wrong again


@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_answer_gets_a_hint_the_second_its_explanation_and_a_retake_other_variants(
    page: Page, daphne_server: DaphneServer, lang: str
) -> None:
    section = _open_quiz(page, daphne_server, "elb", lang)
    seed, asked = _asked(section, "elb", lang)
    kinds = [_kind(q) for q in asked]
    assert {"choice", "order", "numeric", "predict", "diagnose"} <= set(kinds)
    form = section.locator("form")
    for fieldset, question in zip(_fieldsets(form).all(), asked, strict=True):
        _fill(fieldset, question, right=False)

    section.get_by_test_id("quiz-submit").click()

    result = page.get_by_test_id("quiz-result")
    score = {"en": f"0 of {len(asked)} right", "ja": f"{len(asked)} 問中 0 問正解"}[lang]
    expect(result.locator(".quiz-result__score")).to_have_text(score)
    expect(result.locator(".quiz-graded__item--wrong")).to_have_count(len(asked))
    expect(result.locator(".quiz-graded__why")).to_have_count(0)  # no explanation yet
    second = page.locator("form.quiz-second")
    expect(second.get_by_test_id("quiz-hint")).to_have_text(
        [re.compile(re.escape(_plain(q.hint)) + "$") for q in asked]
    )
    assert [f.get_attribute("data-kind") for f in _fieldsets(second).all()] == kinds

    for fieldset, question in zip(_fieldsets(second).all(), asked, strict=True):
        _fill(fieldset, question, right=False)
    second.get_by_test_id("quiz-second-submit").click()

    explained = page.get_by_test_id("quiz-explained")
    expect(explained.locator(".quiz-graded__why")).to_have_text(
        [_plain(q.explanation) for q in asked]
    )
    with translation.override(lang):  # the answer's unit is written in the page's language
        right_answers = [_plain(q.shown_answer()) for q in asked]
    expect(explained.locator(".quiz-answer__right")).to_have_text(right_answers)
    # The next attempt asks another variant of every written concept.
    retake_seed, retake = _asked(
        page.locator(f"#quiz-{quiz.lesson_quizzes(_lesson('elb', lang))[0].id}"), "elb", lang
    )
    assert retake_seed != seed
    first_prompts = {q.key: q.prompt for q in asked}
    written = [q for q in retake if not q.key.startswith(("drawn:", "predict:"))]
    assert written and all(first_prompts[q.key] != q.prompt for q in written)
    legends = page.locator("form:not(.quiz-second) fieldset.quiz-question > legend")
    expect(legends).to_have_text([re.compile(re.escape(_plain(q.prompt)) + "$") for q in retake])


# --------------------------------------------------------------------------- right, by playing on


#: The predict question's answers, by the window's upper bound (patterns.lessons.quiz).
PREDICT_BUCKETS = ((10, "less than 10 s"), (60, "10 to 60 s"), (float("inf"), "more than 60 s"))


def _play_on_and_read_the_window(page: Page, fieldset: Locator, question: quiz.Question) -> float:
    """Play the predict question's player on to the end and read, in its engine readouts, how
    long the killed task kept getting requests."""
    player = fieldset.get_by_test_id("quiz-player").locator("[data-role=player]")
    expect(player.locator("[data-role=time]")).to_contain_text("58.0", timeout=30_000)
    assert page.evaluate("window.kumobenPlayer.clock.now") == question.player["at"]  # type: ignore[index]
    expect(player).to_have_class(re.compile(r"\bplayer--compact\b"))  # the lesson-sized player
    expect(player.locator("button[data-control=speed][data-speed='10']")).to_be_hidden()
    fault = player.locator("[data-role=readouts] tr", has_text="inventory-2")
    expect(fault).to_have_count(0)  # paused before the kill: nothing to read yet

    # The speeds and readouts are behind the compact player's details button.
    details = player.locator(".player__bar [data-role=details]")
    details.click()
    expect(details).to_have_attribute("aria-expanded", "true")
    player.locator("button[data-control=speed][data-speed='10']").click()
    player.locator("button[data-control=play]").click()
    page.wait_for_function(
        "() => window.kumobenPlayer.clock.now >= window.kumobenPlayer.store.duration",
        timeout=60_000,
    )

    value = fault.locator("td").first.inner_text()
    return min(float(n) for n in re.findall(r"\d+(?:\.\d+)?", value))


@pytest.mark.parametrize("lang", LANGS)
def test_every_question_answered_right_a_predict_one_by_playing_on_an_order_one_by_keyboard(
    page: Page, daphne_server: DaphneServer, lang: str
) -> None:
    section = _open_quiz(page, daphne_server, "elb", lang)
    _seed, asked = _asked(section, "elb", lang)
    fieldsets = _fieldsets(section.locator("form")).all()
    for fieldset, question in zip(fieldsets, asked, strict=True):
        if question.kind == "order":
            _order_by_keyboard(page, fieldset, question)
        elif question.kind == "numeric":  # typed as a Japanese keyboard types it
            typed = f"{question.answer:g}".translate(FULL_WIDTH)
            fieldset.locator("input[type=text]").fill(typed)
        elif question.predict:
            window = _play_on_and_read_the_window(page, fieldset, question)
            spec = question.player or {}
            result = run(spec["scenario"], pattern=spec["pattern"], seed=spec["scenario"]["seed"])
            assert window == round(dead_task_window(result)[0], 3)  # the engine's own figure
            with translation.override(lang):
                label = next(
                    translation.gettext(t) for limit, t in PREDICT_BUCKETS if window < limit
                )
            fieldset.get_by_label(label, exact=True).check()
        else:
            _fill(fieldset, question, right=True)

    section.get_by_test_id("quiz-submit").click()

    score = {
        "en": f"{len(asked)} of {len(asked)} right",
        "ja": f"{len(asked)} 問中 {len(asked)} 問正解",
    }
    expect(page.get_by_test_id("quiz-result").locator(".quiz-result__score")).to_have_text(
        score[lang] + " ✓"
    )
    expect(page.locator(".quiz-graded__item--right")).to_have_count(len(asked))
    expect(page.locator("form.quiz-second")).to_have_count(0)


def _answer_predict_by_playing_on(
    page: Page, fieldset: Locator, question: quiz.Question, lang: str
) -> None:
    window = _play_on_and_read_the_window(page, fieldset, question)
    spec = question.player or {}
    result = run(spec["scenario"], pattern=spec["pattern"], seed=spec["scenario"]["seed"])
    assert window == round(dead_task_window(result)[0], 3)  # the engine's own figure
    with translation.override(lang):
        label = next(translation.gettext(t) for limit, t in PREDICT_BUCKETS if window < limit)
    fieldset.get_by_label(label, exact=True).check()


@pytest.mark.parametrize("lang", LANGS)
def test_the_standalone_quiz_page_plays_its_predict_question_on(
    page: Page, daphne_server: DaphneServer, lang: str
) -> None:
    """A quiz graded without htmx lands on the standalone quiz page: its second try's predict
    question has the compact player (not only the fallback text), answered by playing it on."""
    errors = PageErrors(page)
    section = _open_quiz(page, daphne_server, "elb", lang)
    _seed, asked = _asked(section, "elb", lang)
    form = section.locator("form[hx-post]")
    for fieldset, question in zip(_fieldsets(form).all(), asked, strict=True):
        _fill(fieldset, question, right=False)

    # A plain form post (what a browser without htmx sends): the whole standalone page answers.
    with page.expect_navigation():
        form.evaluate("f => HTMLFormElement.prototype.submit.call(f)")
    assert re.search(r"/labs/quiz/elb/[\w-]+/$", page.url), page.url
    second = page.locator("form.quiz-second")
    predicts = second.locator("fieldset[data-kind=predict]")
    expect(predicts).to_have_count(1)
    expect(predicts.locator(".quiz-player__fallback")).to_have_count(0, timeout=30_000)

    for fieldset in _fieldsets(second).all():
        question = asked[int(fieldset.get_attribute("data-question") or 0) - 1]
        if question.predict:
            _answer_predict_by_playing_on(page, fieldset, question, lang)
        else:
            _fill(fieldset, question, right=True)
    second.get_by_test_id("quiz-second-submit").click()

    explained = page.get_by_test_id("quiz-explained")
    expect(explained.locator(".quiz-graded__item--right")).to_have_count(len(asked))
    assert errors.messages == []


# --------------------------------------------------------------------------- spaced review


#: Run in the test server's environment: a day passes for the learner's review items.
A_DAY_PASSES = """
from importlib import import_module
from django.conf import settings
from django.utils import timezone
store = import_module(settings.SESSION_ENGINE).SessionStore(session_key={key!r})
record = store["kumoben_progress"]
for item in record["review"]:
    item["due"] = timezone.localdate().isoformat()
store["kumoben_progress"] = record
store.save()
"""


@pytest.mark.parametrize("lang", LANGS)
def test_spaced_review_brings_back_a_question_answered_wrongly(
    page: Page, daphne_server: DaphneServer, lang: str
) -> None:
    section = _open_quiz(page, daphne_server, "service-connect", lang)
    seed, asked = _asked(section, "service-connect", lang)
    fieldsets = _fieldsets(section.locator("form")).all()
    missed = next(n for n, q in enumerate(asked) if q.kind == "choice" and not q.exhibit)
    for number, (fieldset, question) in enumerate(zip(fieldsets, asked, strict=True)):
        if question.predict:
            fieldset.get_by_label(
                _plain(question.choices[min(question.correct) - 1]), exact=True
            ).check()
        else:
            _fill(fieldset, question, right=number != missed)
    section.get_by_test_id("quiz-submit").click()
    expect(page.locator(".quiz-graded__item--wrong")).to_have_count(1)

    page.goto(daphne_server.url + "/progress/")
    expect(page.get_by_test_id("review-later").locator("li")).to_have_count(1)  # due tomorrow
    expect(page.get_by_test_id("review-item")).to_have_count(0)
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    manage("shell", "-v0", "-c", A_DAY_PASSES.format(key=key), env=daphne_server.env)
    page.reload()

    item = page.get_by_test_id("review-item")
    expect(item.locator("fieldset > legend")).to_have_text(_plain(asked[missed].prompt))
    expect(item.locator(".quiz-choices label")).to_have_text(
        [_plain(c) for c in asked[missed].choices]
    )  # the same variant, its choices in the same order as in the quiz
    _fill(item.locator("fieldset"), asked[missed], right=True)
    item.get_by_test_id("review-submit").click()
    result = page.get_by_test_id("review-result")
    expect(result).to_have_class(re.compile("review-item--right"))
    expect(result.locator(".quiz-graded__why")).to_have_text(_plain(asked[missed].explanation))


# --------------------------------------------------------------------------- the session console


BANK = {
    "en": {"show": "Show the answer", "use": "Use this question", "summary": "Question 1 (step 8)"},
    "ja": {"show": "答えを見る", "use": "この問題を使う", "summary": "問題 1（ステップ 8）"},
}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_console_shows_every_variant_and_its_answer_the_projector_only_after_the_reveal(
    classroom: Classroom, lang: str
) -> None:
    locale = {"en": "en-US", "ja": "ja-JP"}[lang]
    console = classroom.instructor(lesson=True, locale=locale)  # the ELB lesson
    room = classroom.projector(console, locale=locale)
    offered = json.loads(console.locator("#lesson-polls").text_content() or "[]")
    first = [p for p in offered if p["concept"] == offered[0]["concept"]]
    assert len(first) >= 2
    words = BANK[lang]

    concept = console.get_by_test_id("bank-concept").first
    concept.locator("summary").first.click()
    expect(concept.locator("summary").first).to_contain_text(words["summary"])
    variants = concept.get_by_test_id("bank-variant")
    expect(variants.locator(".question-bank__prompt")).to_have_text([p["prompt"] for p in first])
    answer = variants.last.get_by_test_id("bank-answer")
    expect(answer.locator(".question-bank__right")).to_be_hidden()
    answer.get_by_text(words["show"], exact=True).click()
    expect(answer.locator(".question-bank__right")).to_have_text(f"✓ {first[-1]['answer']}")
    expect(answer).to_contain_text(first[-1]["explanation"])

    variants.last.get_by_role("button", name=words["use"]).click()
    expect(console.locator("#poll-prompt")).to_have_value(first[-1]["prompt"])
    expect(console.locator("#poll-prompt")).to_be_focused()
    console.get_by_test_id("poll-ask").click()

    expect(room.locator("#poll-prompt")).to_have_text(f"Q1. {first[-1]['prompt']}")
    expect(room.get_by_test_id("projector-choices").locator("li")).to_have_count(
        len(first[-1]["choices"])
    )
    assert "projector__choice--correct" not in room.content()
    assert first[-1]["explanation"] not in room.content()
    console.get_by_test_id("poll-reveal").click()
    right = first[-1]["choices"][first[-1]["correct"]]
    expect(room.locator(".projector__choice--correct")).to_contain_text(right)


# --------------------------------------------------------------------------- screenshots


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_each_question_type_fits_the_screen(
    browser: Browser,
    daphne_server: DaphneServer,
    artifacts_dir: Path,
    lang: str,
    viewport: dict[str, int],
) -> None:
    context = browser.new_context(locale={"en": "en-US", "ja": "ja-JP"}[lang], viewport=viewport)
    page = context.new_page()
    errors = PageErrors(page)
    section = _open_quiz(page, daphne_server, "elb", lang)
    _seed, asked = _asked(section, "elb", lang)
    player_time = "[data-testid=quiz-player] [data-role=player] [data-role=time]"
    expect(section.locator(player_time)).to_contain_text(
        "58.0", timeout=30_000
    )  # paused at its moment
    width = viewport["width"]

    for n, (fieldset, question) in enumerate(
        zip(_fieldsets(section.locator("form")).all(), asked, strict=True), start=1
    ):
        fieldset.screenshot(
            path=str(artifacts_dir / f"quiz-{n}-{_kind(question)}-{lang}-{width}.png"),
            caret="initial",
        )
        box = fieldset.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    for fieldset, question in zip(_fieldsets(section.locator("form")).all(), asked, strict=True):
        _fill(fieldset, question, right=False)
    # Graded without htmx: the standalone quiz page, its predict question with the compact player.
    with page.expect_navigation():
        section.locator("form[hx-post]").evaluate("f => HTMLFormElement.prototype.submit.call(f)")
    second = page.locator("form.quiz-second")
    expect(second.locator(player_time)).to_contain_text("58.0", timeout=30_000)
    second.screenshot(
        path=str(artifacts_dir / f"quiz-second-try-standalone-{lang}-{width}.png"),
        caret="initial",
    )
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    # Certification-style scenario questions (the summary lesson's written quiz).
    summary = _open_quiz(page, daphne_server, "summary", lang)
    for n, fieldset in enumerate(_fieldsets(summary.locator("form")).all()[:3], start=1):
        fieldset.screenshot(
            path=str(artifacts_dir / f"quiz-scenario-{n}-{lang}-{width}.png"), caret="initial"
        )
        box = fieldset.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width

    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()
    assert errors.messages == []
