"""Every word a learner reads on a Japanese page is Japanese, except the names of AWS products and
APIs (which AWS Japan leaves in English too) and the learner's own data (service and task names).

The test renders, in ja: every page of the URLconf that takes no argument, every step and the
presenter mode of every lesson, every lab, every pattern's diagram SVG, and every refusal code of ``patterns.errors``. It reads what a
person reads (text, ``title``, ``aria-label``, ``alt``, ``placeholder``, button values; not
``<code>``, ``<pre>``, ``<kbd>``, scripts, or anything marked ``lang="en"``) and fails on a text
with an English word that is not on :data:`ALLOWED`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from patterns.errors import WEB_REASONS, localized
from patterns.labs.checks import LABS
from patterns.lessons import library, quiz
from patterns.lessons.content import check_japanese_text
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS
from patterns.sim.discovery import DEFAULT_NAMESPACE
from patterns.sim.errors import REASONS

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

#: Names that stay English on a Japanese page, each for a reason:
ALLOWED = frozenset(
    # AWS products, features and API names, as AWS Japan's console and documentation write them.
    "Amazon AWS ECS ELB ALB NLB Application Load Balancer Elastic Load Balancing App Mesh Service "  # noqa: SIM905
    "Connect Discovery Cloud Map Route VPC Lattice CloudFormation Fargate EC2 CloudWatch IAM API "
    "JSON YAML DNS TTL HTTP HTTPS TCP IP SRV xDS Envoy Proxy "
    # Deployment strategy names ECS uses as values (blue/green, linear, canary) and Envoy/ALB
    # values the settings show as they are typed into the API.
    "Blue Green blue green linear canary rolling "
    # appProtocol values of an ECS port mapping, as typed into the API (lab 10's choices).
    "http grpc "
    # Operating systems, currency, the app's own name.
    "Linux Windows USD Kumoben".split()
)
#: Phrases that stay English as a whole: HTTP's status phrases (as ALB's own error pages and AWS
#: Japan's documentation write them) and the words TTL stands for.
ALLOWED_PHRASES = (
    "Bad Gateway",
    "Service Unavailable",
    "Gateway Timeout",
    "Internal Server Error",
    "Time to Live",
)
# English in full-width brackets after a Japanese term is the gloss AWS Japan gives on first use:
# 外れ値検出（outlier detection）.
GLOSS = re.compile(r"（[^（）]*）")

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
# A word of letters only: identifiers (task-2, perRequestTimeoutSeconds, settings.alb.x,
# ap-northeast-1a) are not words.
WORD = re.compile(r"(?<![\w.\-/:@#])[A-Za-z][a-z]+(?![\w\-/.(@:])")
CAMEL = re.compile(r"^[a-z]+[A-Z]")
# An edge's SVG title is the two element ids it joins ("user-1 → contract-2").
EDGE_TITLE = re.compile(r"^[\w.-]+ → [\w.-]+$")
READ_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "aria-description"}
NOT_READ = {"script", "style", "code", "pre", "kbd", "samp", "template", "textarea"}
VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "area", "col", "embed"}


def _service_names() -> frozenset[str]:
    """The learner's data: the names of the built-in scenarios (picked by name, like files), of
    their services, of the Cloud Map namespace and of the App Mesh mesh they live in."""
    names: set[str] = {DEFAULT_NAMESPACE, "kumoben", *BUILTIN_SCENARIOS}
    for scenario in BUILTIN_SCENARIOS.values():
        names.update(s["name"] for s in scenario.get("services", []))
        for action in scenario.get("actions", []):
            service = action.get("service")
            if isinstance(service, dict):
                names.add(service["name"])
    return frozenset(names)


DATA = _service_names()


class _ReadText(HTMLParser):
    """The texts a person reads, each with where it was found."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: list[bool] = []
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        inside = bool(self.skipping and self.skipping[-1])
        skip = (
            inside
            or tag in NOT_READ
            or (values.get("lang") or "").startswith("en")
            or values.get("translate") == "no"
        )
        if tag not in VOID:
            self.skipping.append(skip)
        if skip:
            return
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.found.append((f"<{tag} {name}>", value))
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.found.append(("<input value>", values["value"] or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.skipping:
            self.skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.skipping:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if self.skipping and self.skipping[-1]:
            return
        text = " ".join(data.split())
        if text:
            self.found.append(("text", text))


def english_words(text: str) -> list[str]:
    """The English words of a text a Japanese reader should not meet (empty: the text is fine).

    A text with Japanese in it may name English terms (``Service Connect の設定``); one with three
    English words in a row that are not allowed is an untranslated phrase inside it.
    """
    if EDGE_TITLE.match(text):
        return []
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, "")
    words = [
        w
        for w in WORD.findall(text)
        if w not in ALLOWED and w not in DATA and not CAMEL.match(w) and len(w) > 1
    ]
    if not JAPANESE.search(text):
        return words
    runs = re.findall(r"(?:\b[A-Za-z][a-z]+\b[ ,]+){2,}\b[A-Za-z][a-z]+\b", GLOSS.sub("", text))
    return [run for run in runs if any(w not in ALLOWED and w not in DATA for w in run.split())]


def untranslated(html: str) -> list[str]:
    parser = _ReadText()
    parser.feed(html)
    out = []
    for where, text in parser.found:
        if english_words(text):
            out.append(f"{where}: {text[:120]}")
    return sorted(set(out))


def test_the_detector_catches_english_and_lets_names_pass() -> None:
    page = (
        '<p>Kill task</p><p title="Pause">▶</p><p>ECS Service Connect</p><p>inventory-2</p>'
        "<p>Service Connect のタイムアウト</p><code>perRequestTimeoutSeconds</code>"
        '<p lang="en">English</p><p>ALB のノードが target group the healthy task を選ぶ</p>'
    )

    assert untranslated(page) == [
        "<p title>: Pause",
        "text: ALB のノードが target group the healthy task を選ぶ",
        "text: Kill task",
    ]


# ------------------------------------------------------------------ the pages


def _plain_routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    """Every route of the URLconf that takes no argument."""
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _plain_routes(entry.url_patterns, prefix + route)
        elif "<" not in route and "(?P" not in route and not route.startswith("^"):
            yield "/" + prefix + route


SKIPPED_ROUTES = {
    "/admin/",  # Django's own admin pages (translated by Django)
    "/i18n/setlang/",  # POST only
    "/accounts/logout/",  # POST only
    "/healthz",  # JSON for machines
    "/playground/api/run",  # JSON for the page's script
    "/labs/read/",  # POST only
    "/playground/setup",  # the setup form's htmx fragment, rendered inside /playground/
    "/sessions/join/",  # POST only; its form is on /sessions/
    "/sessions/new/",  # for instructors: in the study-session test below
    "/sessions/mine/",  # an instructor's own sessions: needs a sign-in
    "/progress/review/",  # POST only: a review answer (every quiz question is checked below)
    "/in-aws/",  # its notes are being written in both languages by the In AWS panel's own work
}


def _pages() -> list[str]:
    pages = [p for p in _plain_routes(get_resolver().url_patterns) if p not in SKIPPED_ROUTES]
    pages = [p for p in pages if not p.startswith("/admin/")]
    for slug, lesson in library.lessons("ja").items():
        pages += [f"/lessons/{slug}/?step={n}" for n in range(1, len(lesson.steps) + 1)]
        pages.append(f"/lessons/{slug}/present/")
    pages += [f"/labs/{slug}/" for slug in LABS]
    pages += [f"/patterns/{pattern}/" for pattern in PATTERNS]
    pages += [f"/diagrams/{pattern}.svg" for pattern in PATTERNS]
    return sorted(set(pages))


@pytest.fixture
def ja_client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="ja")


@pytest.mark.parametrize("path", _pages())
def test_a_japanese_page_has_no_untranslated_text(ja_client: Client, path: str) -> None:
    response = ja_client.get(path)

    assert response.status_code == 200
    assert untranslated(response.content.decode()) == []


#: The project's own fact files, by the names pages once cited them with: a learner cannot open
#: them, so pages link the public AWS page instead (issue 12).
INTERNAL_IDS = re.compile(r"aws-facts|aws-semantics|facts file|content review", re.I)
#: Pages with answers or a run behind them, beyond the plain routes, lesson steps and labs.
ANSWERED_PAGES = (
    "/guide/?callers=other-namespace&network=cross-account&protocol=tcp&release=weighted&tls=authz"
    "&launch=ec2-host&os=windows&scale=over-1000",
    "/guide/?callers=outside-ecs&network=cross-vpc&protocol=grpc&release=canary&tls=tls"
    "&launch=ec2-bridge&scale=big-namespace",
    "/guide/troubleshooting/",
    "/lessons/compare/cost/?region=us-east-1&tasks=5&rps=20",
    "/in-aws/?scenario=kill-task",
    "/in-aws/?scenario=rolling-deploy&at=60",
)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_no_page_shows_an_internal_fact_id(lang: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    shown = {}
    for path in [*_pages(), *ANSWERED_PAGES]:
        if path == "/progress/review/":  # POST only (grading an answer)
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        found = INTERNAL_IDS.findall(response.content.decode())
        if found:
            shown[path] = sorted(set(found))

    assert shown == {}


@pytest.mark.parametrize("code", sorted({**REASONS, **WEB_REASONS}))
def test_every_refusal_reads_japanese(code: str) -> None:
    template = {**REASONS, **WEB_REASONS}[code]
    sample = re.sub(r"\{\w+\}", "5", template)

    with translation.override("ja"):
        said = localized(sample)

    assert JAPANESE.search(said)
    assert english_words(said) == []


def _msgstrs() -> Iterator[tuple[int, str]]:
    """(line, text) of every msgstr of the Japanese catalogue, continuation lines joined."""
    import ast
    from pathlib import Path

    po = Path(__file__).resolve().parents[2] / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    start, parts = 0, []
    for number, line in enumerate([*po.read_text(encoding="utf-8").splitlines(), ""], start=1):
        if parts and line.startswith('"'):
            parts.append(ast.literal_eval(line))
            continue
        if parts:
            yield start, "".join(parts)
            parts = []
        if line.startswith("msgstr"):
            start, parts = number, [ast.literal_eval(line.split(" ", 1)[1])]


def test_the_japanese_catalogue_follows_the_punctuation_date_and_default_rules() -> None:
    """Full-width （ ） ？ ： ！ in Japanese sentences, デフォルト (never 既定), dates as 2026 年 9 月 30 日,
    none of the review's calques (``check_japanese_text``, the content files' check).
    Formulas (× ÷) keep their half-width brackets; 「?」 quotes a literal question mark. A number of
    seconds reads 秒 and of milliseconds ミリ秒, never "s" or "ms"."""
    # A digit, a %(name)s or a {name} placeholder followed by s or ms as a word.
    unit = re.compile(r"(?:\d|\)s|\})\s*(?:ms|s)(?![A-Za-z_])")
    problems = []
    for line, text in _msgstrs():
        if not JAPANESE.search(text) or "×" in text or "÷" in text:
            continue
        found = check_japanese_text(text.replace("「?」", "「？」"))
        if unit.search(text):
            found.append("a unit written 's' or 'ms': use 秒 or ミリ秒")
        problems += [f"django.po:{line}: {reason}" for reason in found]

    assert problems == []


# ------------------------------------------------------------------ every quiz question


def _quiz_texts(question: quiz.Question) -> list[str]:
    """Every HTML text of a question a learner reads: the prompt and exhibit, the choices, the
    unit beside the number box, and after answering the hint, the explanation and the answer."""
    return [
        question.prompt,
        question.exhibit,
        *question.choices,
        question.unit_label,
        question.hint,
        question.explanation,
        question.shown_answer(),
    ]


@pytest.mark.parametrize("slug", list(library.lessons("en")))
def test_every_variant_of_every_quiz_question_reads_japanese(slug: str) -> None:
    """Every attempt seed of the pool, so every written variant and every drawn number (and the
    engine runs behind them) is rendered once in Japanese; a page shows only one of them."""
    lesson = library.lessons("ja")[slug]
    found = set()
    with translation.override("ja"):
        for one in quiz.lesson_quizzes(lesson):
            for seed in range(quiz.ATTEMPT_POOL):
                for question in quiz.questions(lesson, one, seed):
                    found.update(
                        f"{question.key}: {problem}"
                        for text in _quiz_texts(question)
                        for problem in untranslated(text)
                    )

    assert sorted(found) == []


# ------------------------------------------------------------------ the scripts' string tables


TABLE_SPAN = re.compile(r'<span data-key="([^"]+)">(.*?)</span>', re.S)


@pytest.mark.parametrize("template", ["player/_strings.html", "sessions/_texts.html"])
def test_every_string_a_script_shows_reads_japanese(template: str) -> None:
    """The player's and the sessions' scripts take every word from these tables (``<template>``,
    which the page test above cannot read): each entry, its {placeholders} left out."""
    from django.template.loader import render_to_string

    with translation.override("ja"):
        html = render_to_string(template)
    entries = TABLE_SPAN.findall(html)
    english = [
        f"{key}: {text}"
        for key, text in entries
        if english_words(re.sub(r"\{\w+\}", "", text).replace("&amp;", "&"))
    ]

    assert len(entries) > 10
    assert english == []


def test_every_cause_a_waterfall_shows_has_words() -> None:
    """Each cause code the waterfall lists for a request (every one the engine wrote on a request
    in every built-in scenario under every pattern, and every pick and retry cause) has an entry
    in the player's table, and each entry is a real cause code."""
    from django.template.loader import render_to_string

    from patterns.player.dots import NODE_ENDS, PICK_CAUSES, RETRY_CAUSES
    from patterns.sim import run
    from patterns.sim.causes import CAUSES

    shown = set(PICK_CAUSES) | set(RETRY_CAUSES) | set(NODE_ENDS)
    for name in BUILTIN_SCENARIOS:
        for pattern in PATTERNS:
            events = run(name, pattern=pattern, seed=1)["events"]
            shown |= {
                e["cause"]
                for e in events
                if isinstance(e.get("request"), int) and e["kind"] not in {"request", "request_end"}
            }
    keys = {key for key, _text in TABLE_SPAN.findall(render_to_string("player/_strings.html"))}
    labelled = {key.removeprefix("cause-") for key in keys if key.startswith("cause-")}

    assert sorted(shown - labelled) == []
    assert sorted(labelled - set(CAUSES)) == []


# ------------------------------------------------------------------ study sessions and the admin


def _instructor(client: Client, superuser: bool = False) -> object:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    users = get_user_model().objects
    if superuser:
        user = users.create_superuser("管理者", password="pw-unused-123")
    else:
        user = users.create_user("先生", password="pw-unused-123")
        user.user_permissions.add(Permission.objects.get(codename="run_study_sessions"))
    client.force_login(user)
    return user


def test_every_study_session_page_reads_japanese(ja_client: Client) -> None:
    """The instructor's pages (new session, my sessions, console, projector, slides, report) and
    the student's (join by code, the room once joined, a refused join) of a session on a lesson."""
    from patterns.sessions import joining

    user = _instructor(ja_client)
    session = joining.create_session(user, "ELB", "elb")
    student = Client(HTTP_ACCEPT_LANGUAGE="ja")
    base = f"/sessions/{session.public_id}"
    pages = {
        path: ja_client.get(path)
        for path in [
            "/sessions/",
            "/sessions/mine/",
            f"{base}/console/",
            f"{base}/present/",
            f"{base}/slides/1/",
            f"{base}/report/",
        ]
    }
    pages["join"] = student.get(f"/sessions/join/{session.display_code}/")
    refused = student.post("/sessions/join/", {"code": "ZZZ-ZZZ", "nickname": "あや"})
    joined = student.post(
        "/sessions/join/", {"code": session.code, "nickname": "あや"}, follow=True
    )
    pages["room"] = joined

    assert refused.status_code == 400
    assert untranslated(refused.content.decode()) == []
    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    assert {name: untranslated(r.content.decode()) for name, r in pages.items()} == dict.fromkeys(
        pages, []
    )


#: What Django's admin itself leaves in English whatever the language: the alt text of its
#: yes/no and search icons.
ADMIN_OWN = {"<img alt>: True", "<img alt>: False", "<img alt>: Search"}


def test_every_admin_changelist_reads_japanese(ja_client: Client) -> None:
    """Each of our models' changelist and add form: the app's and the model's names, the
    columns, the filters and the field labels (Django's own auth models are Django's)."""
    from django.contrib import admin

    _instructor(ja_client, superuser=True)
    found = {}
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label != "patterns":
            continue
        for view in ("", "add/"):
            path = f"/admin/{meta.app_label}/{meta.model_name}/{view}"
            response = ja_client.get(path)
            assert response.status_code == 200, path
            found[path] = [t for t in untranslated(response.content.decode()) if t not in ADMIN_OWN]

    assert found == dict.fromkeys(found, [])
