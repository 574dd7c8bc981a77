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
from html import unescape
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
    # An EventBridge event's detail-type, matched literally by rules ("detail-type": [...]).
    "ECS Task State Change",
)
# English in full-width brackets after a Japanese term is the gloss AWS Japan gives on first use:
# 外れ値検出（outlier detection）.
GLOSS = re.compile(r"（[^（）]*）")

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
# A word of letters only: identifiers (task-2, perRequestTimeoutSeconds, settings.alb.x,
# ap-northeast-1a) are not words.
WORD = re.compile(r"(?<![\w.\-/:@#])[A-Za-z][a-z]+(?![\w\-/.(@:])")
CAMEL = re.compile(r"^[a-z]+[A-Z]")
# Three or more such words in a row, separated by spaces or commas (the parts of an identifier,
# as in "connect-failure, refused-stream, reset", are not words of a phrase).
_LONE = WORD.pattern
RUN = re.compile(rf"(?:{_LONE}[ ,]+){{2,}}{_LONE}")
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
    runs = RUN.findall(GLOSS.sub("", text))
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


def test_the_parts_of_identifiers_are_not_a_phrase_but_words_are() -> None:
    listed = (
        "retryPolicy：[connect-failure, refused-stream, reset, retriable-status-codes] で再試行"
    )

    assert english_words(listed) == []
    assert english_words("EventBridge に「ECS Task State Change」が届く") == []
    assert english_words("イベント the task stopped が届く") == ["the task stopped"]


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
    "/in-aws/",  # needs a run: every built-in run and its refusal are checked below
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
    assert _style_problems(response.content.decode()) == []


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


# ------------------------------------------------------------------ the In AWS panel


def _inaws_runs() -> list[str]:
    """Every built-in scenario under every pattern at each state the panel folds: the start,
    each action's moment and a second after it (the action applied), and the end; and one run
    under every wire."""
    runs = []
    for name, scenario in BUILTIN_SCENARIOS.items():
        moments = {0.0, float(scenario["duration_s"])}
        for action in scenario.get("actions", []):
            moments |= {float(action["at_s"]), float(action["at_s"]) + 1}
        runs += [
            f"/in-aws/?scenario={name}&pattern=all&at={at:g}"
            for at in sorted(moments)
            if at <= scenario["duration_s"]
        ]
    # Every wire a lab can hand the panel, with the notes each pattern writes under it.
    runs += [
        f"/in-aws/?scenario=kill-task&pattern=all&{wire}"
        for wire in (
            "app_protocol=grpc&scheme=internet-facing&front_door=1",
            "app_protocol=http2",
            "app_protocol=tcp&load_balancer=network&scheme=internet-facing",
            "app_protocol=tcp&front_door=1",
        )
    ]
    return runs


# A comment of the highlighted YAML/JSON: the file's header line, the note titles, the notes
# indented under them (``#   client.retries = 0: ...``, each what decides a value that is not a
# field) and the generator's comments.
CODE_COMMENT = re.compile(r'<span class="c1">(?:#|//) +(\S[^<]*)</span>')


def _code_comments(html: str) -> list[str]:
    """The English of the generated file's own words (its header, note titles and notes)."""
    return sorted(
        {
            f"comment: {unescape(text)}"
            for text in CODE_COMMENT.findall(html)
            if english_words(unescape(text))
        }
    )


def test_the_code_comment_check_catches_english() -> None:
    html = (
        '<span class="c1"># Kumoben: elb. Generated from the settings the simulation ran.</span>'
        '<span class="c1">#   client.retries = 0: your HTTP client&#39;s retries</span>'
        '<span class="c1"># AWS が固定している値：</span>'
        '<span class="c1">//   client.retries = 0：アプリケーションの HTTP クライアントによる再試行です</span>'
    )

    assert _code_comments(html) == [
        "comment: Kumoben: elb. Generated from the settings the simulation ran.",
        "comment: client.retries = 0: your HTTP client's retries",
    ]


def test_the_in_aws_panel_reads_japanese_in_every_run_and_state(ja_client: Client) -> None:
    """The panel's notes, the App Mesh history (its comments are page text, not a file) and the
    events it names, for every pattern at once (``pattern=all``); and in the generated file, its
    header line, the titles of its notes and the notes (what decides each value that is not a
    field)."""
    found = {}
    runs = _inaws_runs()
    for path in runs:
        response = ja_client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        found[path] = untranslated(html) + _code_comments(html)
    refused = ja_client.get("/in-aws/?scenario=kill-task&at=99999")

    assert len(runs) > len(BUILTIN_SCENARIOS) * 2
    assert found == dict.fromkeys(runs, [])
    assert refused.status_code == 400
    assert untranslated(refused.content.decode()) == []


def _commented_runs(pattern: str) -> list[dict[str, object]]:
    """Runs that make the generator write its comments: the built-in scenarios, and one with a
    fractional setting, a ready gate, two deploys (a canary with an alarm and test traffic where
    the pattern takes one), a setting changed mid-run and no container health check."""
    from patterns.sim.scenario import ScenarioError, load_scenario

    deploy: dict[str, object] = {"at_s": 30, "do": "deploy", "service": "inventory"}
    canary = {
        **deploy,
        "strategy": "canary",
        "canary_percent": 10,
        "canary_bake_time_min": 3,
        "alarm": {"error_rate_percent": 2, "for_s": 90},
    }
    traffic = [{"from": "contract", "to": "inventory", "rps": 10}]
    tested = [*traffic, {"from": "contract", "to": "inventory", "rps": 1, "test": True}]
    change = {"at_s": 90, "do": "set", "setting": "ecs.stop_timeout_s", "value": 20}
    raws: list[object] = [
        *BUILTIN_SCENARIOS,
        {
            "settings": {"ecs": {"stop_timeout_s": 30.5, "depends_on_healthy": True}},
            "traffic": tested,
            "actions": [canary, {**canary, "at_s": 60}, change],
        },
        {
            "settings": {"ecs": {"stop_timeout_s": 30.5, "depends_on_healthy": True}},
            "traffic": traffic,
            "actions": [deploy, {**deploy, "at_s": 60}, change],
        },
        {"settings": {"ecs": {"container_health_check": False}}, "traffic": traffic},
    ]
    runs = []
    for raw in raws:
        try:
            scenario = load_scenario(raw if isinstance(raw, str) else {**raw, "pattern": pattern})
            runs.append(scenario.with_overrides(pattern=pattern).to_dict())
        except ScenarioError:  # a strategy the pattern refuses
            continue
    return runs


def test_every_comment_of_a_generated_configuration_follows_the_language() -> None:
    """The comments the generator writes beside the fields (App Mesh's are page text; the
    others are in the file the panel shows and downloads) and its notes on the values that are
    not fields are Japanese on a Japanese page and
    English on an English one; with every wire a lab can hand the generator too (gRPC, HTTP/2,
    plain TCP, an NLB, internet-facing, a front door)."""
    from patterns.inaws.generate import Wire, generate

    runs = [run for pattern in PATTERNS for run in _commented_runs(pattern)]
    wires = [
        Wire(),
        Wire(app_protocol="grpc", scheme="internet-facing", front_door=True),
        Wire(app_protocol="http2"),
        Wire(app_protocol="tcp", load_balancer="network", scheme="internet-facing"),
        Wire(app_protocol="tcp", front_door=True),
    ]
    lines: dict[str, set[str]] = {}
    notes: dict[str, set[str]] = {}
    for lang in ("en", "ja"):
        with translation.override(lang):
            configs = [generate(run, wire) for run in runs for wire in wires]
            lines[lang] = {line for c in configs for said in c.comments.values() for line in said}
            notes[lang] = {note.line() for c in configs for note in c.notes}

    assert len(lines["ja"]) == len(lines["en"]) >= 28
    assert sorted(line for line in lines["ja"] if not JAPANESE.search(line)) == []
    assert sorted(line for line in lines["ja"] if english_words(line)) == []
    assert sorted(line for line in lines["en"] if JAPANESE.search(line)) == []
    # The notes on the values that are not fields (what decides each in AWS), a what-if among them.
    assert len(notes["ja"]) == len(notes["en"]) >= 20
    assert sorted(line for line in notes["ja"] if not JAPANESE.search(line)) == []
    assert sorted(line for line in notes["ja"] if english_words(line)) == []
    assert sorted(line for line in notes["en"] if JAPANESE.search(line)) == []


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


def _style_problems(html: str) -> list[str]:
    """``check_japanese_text`` (full-width punctuation, デフォルト, dates, calques) on every text a
    person reads on a page."""
    parser = _ReadText()
    parser.feed(html)
    return sorted(
        {
            f"{problem}: {text[:80]}"
            for _where, text in parser.found
            for problem in check_japanese_text(text)
        }
    )


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
    assert {name: _style_problems(r.content.decode()) for name, r in pages.items()} == (
        dict.fromkeys(pages, [])
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


# ------------------------------------------------------------------ Japanese typesetting on pages


# ------------------------------------------------------------------ Japanese line breaking

#: A number, a breakable space and the unit after it: a line may end with "60" and the next
#: start with "秒" or "%".
BREAKABLE_UNIT = re.compile(r"\d (?:ミリ秒|秒|%|％)")


def test_every_japanese_narration_sentence_follows_the_rules() -> None:
    """Each sentence the engine narrates in Japanese: full-width punctuation, 秒 and ミリ秒."""
    from patterns.sim.narrate import SENTENCES

    unit = re.compile(r"(?:\d|\})\s*(?:ms|s)(?![A-Za-z_])")
    problems = {
        cause: [
            *check_japanese_text(ja),
            *(["ms or s: use ミリ秒 or 秒"] if unit.search(ja) else []),
        ]
        for cause, (ja, _en) in SENTENCES.items()
    }

    assert {cause: found for cause, found in problems.items() if found} == {}


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


@pytest.mark.parametrize("scenario", ["kill-task", "rolling-deploy"])
def test_a_narrated_number_keeps_its_unit_on_its_line(scenario: str) -> None:
    """The player's narration (its event list) holds a number and its unit together with a
    no-break space: "12 ミリ秒", never a line that starts with the unit."""
    from patterns.player.playback import instant_frames

    run = instant_frames(BUILTIN_SCENARIOS[scenario], "elb", 1, lang="ja")
    texts = list(_texts(run["frames"]))
    with_units = [t for t in texts if re.search(r"\d\u00a0(?:ミリ秒|秒|%)", t)]

    assert with_units
    assert [t for t in texts if BREAKABLE_UNIT.search(t)] == []


def test_a_watch_line_keeps_a_percent_with_its_number(ja_client: Client) -> None:
    """Every lesson player's watch line in Japanese, as the step page shows it."""
    from patterns.lessons.content import Player

    watches = [
        (slug, n, block.watch)
        for slug, lesson in library.lessons("ja").items()
        for n, step in enumerate(lesson.steps, start=1)
        for block in step.blocks
        if isinstance(block, Player)
    ]
    slug, step, canary = next(w for w in watches if "本番の 10" in w[2])
    page = ja_client.get(f"/lessons/{slug}/?step={step}").content.decode()

    assert len(watches) >= 19
    assert [w for w in watches if BREAKABLE_UNIT.search(w[2])] == []
    assert "80\u00a0秒で本番の 10\u00a0%" in canary
    assert canary in page


# ------------------------------------------------------------------ numbers in refusals


@pytest.mark.parametrize(
    ("lang", "reason", "said"),
    [
        ("en", "at most 1000 requests/s in total", "at most 1,000 requests/s in total"),
        ("ja", "at most 1000 requests/s in total", "リクエストは合計で毎秒 1,000 件までです"),
        (
            "en",
            "must be between 5 and 86400, got 100000.5",
            "must be between 5 and 86,400, got 100,000.5",
        ),
        ("en", "must be between 5 and 300, got 2", "must be between 5 and 300, got 2"),
    ],
)
def test_a_number_in_a_refusal_is_grouped_as_the_page_writes_it(
    lang: str, reason: str, said: str
) -> None:
    """The engine refuses with "1000" (its English stays as it is, for logs and the API); the
    page says the number as its fields and help do: 1,000, in both languages."""
    with translation.override(lang):
        assert localized(reason) == said


def test_the_catalogue_has_no_positional_placeholder_left_from_an_old_template() -> None:
    """Templates and code translate with named slots (``%(n)s``); a msgid with a bare ``%s``
    (once "%s s left", now "%(n)s s left") is an entry nothing asks for any more."""
    from pathlib import Path

    po = Path(__file__).resolve().parents[2] / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    positional = [
        line
        for line in po.read_text(encoding="utf-8").splitlines()
        if line.startswith("msgid ") and re.search(r"(?<!%)%s", line)
    ]

    assert positional == []
