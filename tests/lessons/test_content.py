"""The content pipeline and every lesson file: parsing, directives, languages, glossary, escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from patterns.lessons.content import (
    LANGUAGES,
    LESSONS_DIR,
    Comparison,
    ContentError,
    Diagram,
    Player,
    Quiz,
    check_japanese_style,
    check_languages,
    load_glossary,
    load_lessons,
    parse_glossary,
    parse_lesson,
    render_markdown,
)
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, run

pytestmark = pytest.mark.unit

FRONT = "---\ntitle: T\norder: 1\nsummary: S\nminutes: 3\n---\n"
LESSON_PATH = Path("en/01-demo.md")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _lesson(body: str) -> str:
    return FRONT + body


# --------------------------------------------------------------------------- all content


def test_content_every_lesson_exists_in_both_languages_with_the_same_steps() -> None:
    libraries = {lang: load_lessons(lang) for lang in LANGUAGES}

    problems = check_languages(libraries)

    assert problems == []
    assert [lesson.slug for lesson in libraries["en"]] == [
        "microservices",
        "four-patterns",
        "elb",
        "app-mesh",
        "service-discovery",
        "service-connect",
        "comparison",
        "summary",
    ]
    assert [lesson.slug for lesson in libraries["ja"]] == [
        lesson.slug for lesson in libraries["en"]
    ]


def test_content_directives_point_at_existing_scenarios_and_patterns() -> None:
    directives = [
        directive
        for lang in LANGUAGES
        for lesson in load_lessons(lang)
        for step in lesson.steps
        for directive in step.directives
    ]

    for directive in directives:
        if isinstance(directive, Diagram):
            assert directive.pattern in PATTERNS
            assert directive.scenario in BUILTIN_SCENARIOS
        elif isinstance(directive, Player):
            assert directive.pattern in (*PATTERNS, "all")
            assert directive.scenario in BUILTIN_SCENARIOS or directive.inline is not None
    kinds = {directive.kind for directive in directives}
    assert kinds == {"diagram", "player", "quiz", "comparison"}


def _players(lang: str) -> list[tuple[str, Player]]:
    return [
        (f"{lesson.path.name}:{step.stage.line}", step.stage)
        for lesson in load_lessons(lang)
        for step in lesson.steps
        if isinstance(step.stage, Player)
    ]


def test_content_every_player_has_a_start_and_a_watch_line_in_both_languages() -> None:
    en, ja = _players("en"), _players("ja")

    assert len(en) == len(ja) == 19
    for (where, mine), (_, theirs) in zip(en, ja, strict=True):
        # The same moment in both languages; the watch line written in each language.
        assert mine.start == theirs.start, where
        assert mine.watch and theirs.watch, where
        assert not _JAPANESE.search(mine.watch), where
        assert _JAPANESE.search(theirs.watch), where
        assert "に注目" in theirs.watch, where


def _key_times(player: Player) -> list[float]:
    """When something happens in the player's run, as the engine reports it (seed 1): its
    actions and key moments (a task stopped or ejected, a client error window's start ...)."""
    patterns = PATTERNS if player.pattern == "all" else (player.pattern,)
    times: list[float] = []
    for pattern in patterns:
        result = run(player.inline or player.scenario, pattern=pattern, seed=1)
        for moment in result["summary"]["key_moments"]:
            times.append(float(moment.get("t", moment.get("from_t", -1))))
    return times


def test_content_every_player_starts_just_before_something_the_engine_shows() -> None:
    # Lesson-sized players open near the moment that matters: at most 10 s before an action or
    # a key moment of the run, or at 0 when nothing happens in it (the steady run).
    for where, player in _players("en"):
        times = _key_times(player)
        if not times:
            assert player.start == 0, where
            continue
        assert any(player.start <= t <= player.start + 10 for t in times), (where, sorted(times))


def test_content_every_lesson_ends_with_a_quiz() -> None:
    lessons = [lesson for lang in LANGUAGES for lesson in load_lessons(lang)]

    last_kinds = [[d.kind for d in lesson.steps[-1].directives] for lesson in lessons]

    assert all("quiz" in kinds for kinds in last_kinds)


def test_content_every_comparison_row_of_the_issue_is_taught() -> None:
    rows = {
        row
        for lesson in load_lessons("en")
        for step in lesson.steps
        for directive in step.directives
        if isinstance(directive, Comparison)
        for row in directive.rows
    }

    assert rows == {"setup", "proxy", "metrics", "ga", "dead-task", "deploy-errors"}


def test_content_japanese_files_follow_the_punctuation_date_and_default_rules() -> None:
    files = [
        *sorted((LESSONS_DIR / "ja").glob("*.md")),
        *sorted((LESSONS_DIR / "labs" / "ja").glob("*.md")),
        LESSONS_DIR / "glossary" / "ja.md",
        LESSONS_DIR / "guide" / "ja.md",
    ]

    problems = [p for f in files for p in check_japanese_style(f.read_text(encoding="utf-8"), f)]

    labs_en = list((LESSONS_DIR / "labs" / "en").glob("*.md"))
    assert len(files) == 8 + len(labs_en) + 2  # lessons, labs, glossary, guide
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("ロードバランサーを経由する方法(ELB)です。", "half-width brackets around '(ELB)'"),
        ("(デフォルト値)を使います。", "half-width brackets around '(デフォルト値)'"),
        ("HTTP/3 (alpha) を使います。", "half-width brackets around '(alpha)'"),
        ("どの層ですか?", "a half-width '?' in Japanese text"),
        ("? どの層ですか?", "a half-width '?' in Japanese text"),
        ("- [ ] 何も要らない(ALB が公開する)", "half-width brackets around"),
        ("2026-09-30 に終了しました。", "the date '2026-09-30'"),
        ("既定では 30 秒です。", "'既定' for \"default\""),
        ("title: 名前(仮)", "half-width brackets around '(仮)'"),
        (
            '::: player pattern=elb scenario=kill-task start=55 watch="どこで失敗しますか?"',
            "a half-width '?' in Japanese text",
        ),
        ("**月末**: 請求します。", "a half-width ':' after Japanese"),
        ("ELB:ロードバランサー経由の呼び出し", "a half-width ':' after Japanese"),
        ("止まりました!", "a half-width '!' after Japanese"),
        ("ディフォルトの値です。", "'ディフォルト' for \"default\""),
        ("タスクが死んだときの動きです。", "the calque '死んだ'"),
        ("health check があきらめるまで送ります。", "the calque 'あきらめ'"),
        ("ネットワークで迷子になります。", "the calque '迷子'"),
    ],
)
def test_check_japanese_style_flags_half_width_marks_in_japanese_text(
    line: str, reason: str
) -> None:
    text = "---\ntitle: T\n---\n\n## S\n\n" + line + "\n"
    if line.startswith("title: "):
        text = "---\n" + line + "\n---\n"

    problems = check_japanese_style(text, Path("ja/01-demo.md"))

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"ja/01-demo.md:{text.splitlines().index(line) + 1}: {reason}")


@pytest.mark.parametrize(
    "line",
    [
        "`min(30 × 3, 300)` と `what?` はコードです。",
        "[AWS のページ](https://example.com/a_(b)?c=1) を見てください。",
        "Envoy の統計（stats）を使います。",
        "An English line (with brackets)? Fine.",
        "ラボの数値は [[max_failed]] 件です。",
        "## 外れ値検出 {#outlier-detection}",
        "| 間隔（interval） | 30 秒 |",
        "`2026-09-30` はコードの中の日付です。",
        "出典：https://docs.aws.amazon.com/ を見てください。",
        "f1: ECS がタスクを登録します。",
        "![図](diagram.svg) を見てください。",
    ],
)
def test_check_japanese_style_allows_code_links_english_and_full_width(line: str) -> None:
    text = "---\ntitle: T\n---\n\n## S\n\n" + line + "\n"

    assert check_japanese_style(text, Path("ja/01-demo.md")) == []


def test_check_japanese_style_skips_fences_and_inline_scenarios() -> None:
    text = (
        "---\ntitle: T\n---\n\n## S\n\n```\nどうですか?\n```\n"
        "::: player pattern=elb scenario=inline\n"
        '{"name": "x", "description": "遅い(テスト)"}\n:::\n'
        "::: quiz id=q\n? どの層ですか?\n- [x] a\n- [ ] b\n> c\n:::\n"
    )

    problems = check_japanese_style(text, Path("ja/01-demo.md"))

    assert problems == ["ja/01-demo.md:14: a half-width '?' in Japanese text: use '？'"]


def test_glossary_has_the_same_ids_in_both_languages() -> None:
    glossaries = [load_glossary(lang) for lang in LANGUAGES]

    ids = [[term.id for term in glossary.terms] for glossary in glossaries]

    assert ids[0] == ids[1]
    assert len(ids[0]) >= 30


def test_lesson_slugs_do_not_shadow_the_glossary_url() -> None:
    slugs = {path.stem.split("-", 1)[1] for path in (LESSONS_DIR / "en").glob("*.md")}

    assert "glossary" not in slugs


# --------------------------------------------------------------------------- parsing


def test_parse_lesson_splits_steps_and_directives() -> None:
    text = _lesson(
        "\n## First\nHello.\n\n"
        '::: player pattern=elb scenario=kill-task start=55 watch="Watch  inventory-2."\n'
        ":::\n\nAfter.\n"
        "## Second\n::: diagram pattern=service-connect scenario=kill-task at=70\n:::\n"
    )

    lesson = parse_lesson(text, LESSON_PATH, "en")

    assert lesson.slug == "demo"
    assert [step.title for step in lesson.steps] == ["First", "Second"]
    first = lesson.steps[0]
    assert first.blocks == (
        "Hello.\n",
        # The watch line is one line: runs of spaces fold into one.
        Player(
            line=11, pattern="elb", scenario="kill-task", start=55.0, watch="Watch inventory-2."
        ),
        "\nAfter.",
    )
    assert lesson.steps[1].stage == Diagram(
        line=16, pattern="service-connect", scenario="kill-task", at=70.0
    )


def test_parse_lesson_reads_a_quiz() -> None:
    text = _lesson(
        "## Quiz\n::: quiz id=q1\n? Which?\n- [ ] a\n- [x] b\n> because b.\n"
        "? Both?\n- [x] c\n- [x] d\n> c and d.\n:::\n"
    )

    quiz = parse_lesson(text, LESSON_PATH, "en").steps[0].directives[0]

    assert isinstance(quiz, Quiz)
    assert quiz.id == "q1"
    assert [q.prompt for q in quiz.questions] == ["Which?", "Both?"]
    assert [[c.correct for c in q.choices] for q in quiz.questions] == [[False, True], [True, True]]
    assert quiz.questions[0].explanation == "because b."


def test_parse_lesson_ignores_markers_inside_code_fences() -> None:
    text = _lesson("## Only\n```\n## not a step\n::: quiz\n```\n")

    lesson = parse_lesson(text, LESSON_PATH, "en")

    assert len(lesson.steps) == 1
    assert lesson.steps[0].directives == ()


def test_parse_lesson_validates_an_inline_scenario() -> None:
    body = (
        '{"duration_s": 120, "actions": [{"at_s": 10, "do": "kill_task", "task": "inventory-1"}]}'
    )
    text = _lesson(f"## S\n::: player pattern=all scenario=inline start=5 watch=W\n{body}\n:::\n")

    player = parse_lesson(text, LESSON_PATH, "en").steps[0].stage

    assert isinstance(player, Player)
    assert player.inline == {
        "duration_s": 120,
        "actions": [{"at_s": 10, "do": "kill_task", "task": "inventory-1"}],
    }


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        ("## S\n::: chart x=1\n:::\n", 8, "unknown directive 'chart'"),
        ("## S\n::: diagram pattern=istio\n:::\n", 8, "diagram: unknown pattern 'istio'"),
        ("## S\n::: diagram\n:::\n", 8, "diagram: pattern is required"),
        (
            "## S\n\n::: player pattern=elb scenario=nope\n:::\n",
            9,
            "player: unknown scenario 'nope'",
        ),
        ("## S\n::: player pattern=elb\n:::\n", 8, "player: scenario is required"),
        (
            "## S\n::: diagram pattern=elb at=9999\n:::\n",
            8,
            "diagram: at must be between 0 and 120 s",
        ),
        (
            "## S\n::: diagram pattern=elb colour=red\n:::\n",
            8,
            "diagram: unknown attribute 'colour'",
        ),
        ("## S\n::: diagram pattern=elb\n", 8, "directive is not closed"),
        ("## S\n:::\n", 8, "':::' closes nothing"),
        ("## S\n::: comparison rows=setup,price\n:::\n", 8, "comparison: unknown row 'price'"),
        (
            "## S\n::: quiz id=q\n? Q\n- [ ] a\n- [ ] b\n> x\n:::\n",
            9,
            "mark at least one choice right",
        ),
        ("## S\n::: quiz id=q\n? Q\n- [x] a\n> x\n:::\n", 9, "at least two choices"),
        ("## S\n::: quiz id=q\n? Q\n- [x] a\n- [ ] b\n:::\n", 9, "explain the answer"),
        ("## S\n::: quiz id=q\nhello\n:::\n", 9, "start each question with '? '"),
        ("## S\n::: quiz\n? Q\n:::\n", 8, "quiz: id is required"),
        ("## S\n::: player pattern=elb scenario=inline\n{oops\n:::\n", 9, "not JSON"),
        (
            '## S\n::: player pattern=elb scenario=inline\n{"duration_s": -1}\n:::\n',
            8,
            "player: inline scenario: duration_s",
        ),
        (
            "## S\n::: diagram pattern=elb\n:::\n"
            "::: player pattern=elb scenario=steady start=0 watch=W\n:::\n",
            10,
            "at most one diagram, player or comparison",
        ),
        (
            '## S\n::: player pattern=elb scenario=kill-task watch="W"\n:::\n',
            8,
            "player: start is required",
        ),
        (
            "## S\n\n::: player pattern=elb scenario=kill-task start=55\n:::\n",
            9,
            "player: watch is required",
        ),
        (
            '## S\n::: player pattern=elb scenario=kill-task start=55 watch=" "\n:::\n',
            8,
            "player: watch is required",
        ),
        (
            "## S\n::: player pattern=elb scenario=kill-task start=soon watch=W\n:::\n",
            8,
            "player: start must be seconds, got 'soon'",
        ),
        (
            "## S\n::: player pattern=elb scenario=kill-task start=240 watch=W\n:::\n",
            8,
            "player: start must be from 0 to less than 240 s (the scenario's length), got 240",
        ),
        (
            "## S\n::: player pattern=elb scenario=kill-task start=-1 watch=W\n:::\n",
            8,
            "player: start must be from 0 to less than 240 s",
        ),
        (
            "## S\n::: player pattern=elb scenario=kill-task start=nan watch=W\n:::\n",
            8,
            "player: start must be from 0 to less than 240 s",
        ),
        (
            '## S\n::: player pattern=elb scenario=inline start=30 watch=W\n{"duration_s": 30}\n:::\n',
            8,
            "player: start must be from 0 to less than 30 s",
        ),
        (
            f'## S\n::: player pattern=elb scenario=steady start=0 watch="{"w" * 121}"\n:::\n',
            8,
            "player: watch is 121 characters; keep it to one line of at most 120",
        ),
        (
            '## S\n::: player pattern=elb scenario=steady start=0 watch="unclosed\n:::\n',
            8,
            "cannot read the directive's attributes",
        ),
        ("Intro before any step.\n## S\n", 7, "text before the first step"),
        ("\n", 7, "no steps"),
        (
            "## S\n::: quiz id=a\n? Q\n- [x] a\n- [ ] b\n> x\n:::\n## T\n::: quiz id=a\n? Q\n- [x] a\n- [ ] b\n> x\n:::\n",
            15,
            "quiz id 'a' used twice",
        ),
    ],
)
def test_parse_lesson_names_file_and_line_of_a_bad_directive(
    body: str, line: int, reason: str
) -> None:
    with pytest.raises(ContentError) as caught:
        parse_lesson(_lesson(body), LESSON_PATH, "en")

    assert caught.value.path == str(LESSON_PATH)
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{LESSON_PATH}:{line}: ")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("## S\n", 1, "must start with front matter"),
        ("---\ntitle: T\norder: 1\nsummary: S\n---\n## S\n", 5, "front matter lacks minutes"),
        (
            "---\ntitle: T\norder: one\nsummary: S\nminutes: 3\n---\n## S\n",
            3,
            "order must be a whole number",
        ),
        ("---\ntitle: T\nauthor: me\n---\n", 3, "unknown front matter key 'author'"),
    ],
)
def test_parse_lesson_names_the_line_of_bad_front_matter(text: str, line: int, reason: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_lesson(text, LESSON_PATH, "en")

    assert (caught.value.line, reason in caught.value.reason) == (line, True)


def test_parse_lesson_unquotes_a_quoted_title() -> None:
    text = '---\ntitle: "ELB: a load balancer"\norder: 3\nsummary: S\nminutes: 3\n---\n## S\n'

    lesson = parse_lesson(text, LESSON_PATH, "en")

    assert (lesson.title, lesson.order, lesson.minutes) == ("ELB: a load balancer", 3, 3)


def test_parse_lesson_rejects_a_badly_named_file() -> None:
    with pytest.raises(ContentError) as caught:
        parse_lesson(_lesson("## S\n"), Path("en/demo.md"), "en")

    assert str(caught.value) == "en/demo.md:1: lesson files are named NN-slug.md (e.g. 03-elb.md)"


# --------------------------------------------------------------------------- languages


def _write(root: Path, lang: str, name: str, text: str) -> None:
    (root / lang).mkdir(parents=True, exist_ok=True)
    (root / lang / name).write_text(text, encoding="utf-8")


def test_check_languages_reports_a_lesson_missing_in_one_language(tmp_path: Path) -> None:
    _write(tmp_path, "en", "01-demo.md", _lesson("## S\n"))
    _write(tmp_path, "ja", "02-other.md", _lesson("## S\n"))

    problems = check_languages({lang: load_lessons(lang, tmp_path) for lang in LANGUAGES})

    assert problems == ["lesson 'demo' is missing in ja", "lesson 'other' is missing in en"]


def test_check_languages_reports_different_steps_and_directives(tmp_path: Path) -> None:
    _write(tmp_path, "en", "01-demo.md", _lesson("## S\n::: diagram pattern=elb\n:::\n## T\n"))
    _write(tmp_path, "ja", "01-demo.md", _lesson("## S\n::: diagram pattern=app-mesh\n:::\n## T\n"))
    _write(tmp_path, "en", "02-more.md", _lesson("## S\n## T\n"))
    _write(tmp_path, "ja", "02-more.md", _lesson("## S\n"))

    problems = check_languages({lang: load_lessons(lang, tmp_path) for lang in LANGUAGES})

    assert problems == [
        "lesson 'demo' (en vs ja): step 1 directives differ (01-demo.md:7 vs 01-demo.md:7)",
        "lesson 'more' (en vs ja): 2 steps vs 1",
    ]


# --------------------------------------------------------------------------- Markdown and glossary


def test_render_markdown_escapes_raw_html() -> None:
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">')

    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_render_markdown_drops_javascript_links() -> None:
    html = render_markdown("[x](javascript:alert(1))")

    assert "href" not in html


GLOSSARY = (
    "---\ntitle: Glossary\n---\n"
    "## Envoy {#envoy}\nA proxy.\n"
    "## ECS Service Connect {#service-connect}\naliases: Service Connect\nA managed proxy.\n"
)


def test_render_markdown_links_only_the_first_use_of_a_term() -> None:
    glossary = parse_glossary(GLOSSARY, Path("glossary/en.md"), "en")
    linked: set[str] = set()

    first = render_markdown("Envoy and envoy, then ECS Service Connect.", glossary, linked, "/g/")
    second = render_markdown("Service Connect uses Envoy.", glossary, linked, "/g/")

    assert first == (
        '<p><a href="/g/#term-envoy" class="term">Envoy</a> and envoy, then '
        '<a href="/g/#term-service-connect" class="term">ECS Service Connect</a>.</p>\n'
    )
    assert second == "<p>Service Connect uses Envoy.</p>\n"


def test_render_markdown_links_terms_inside_japanese_text_but_not_in_code_or_links() -> None:
    glossary = parse_glossary(GLOSSARY, Path("glossary/ja.md"), "ja")

    html = render_markdown(
        "[Envoy](https://envoyproxy.io) と `Envoy` とEnvoyです", glossary, set(), "/g/"
    )

    assert html == (
        '<p><a href="https://envoyproxy.io">Envoy</a> と <code>Envoy</code> と'
        '<a href="/g/#term-envoy" class="term">Envoy</a>です</p>\n'
    )


def test_parse_glossary_names_the_line_of_a_bad_heading() -> None:
    with pytest.raises(ContentError) as caught:
        parse_glossary("---\ntitle: G\n---\n## Envoy\nA proxy.\n", Path("g.md"), "en")

    assert str(caught.value) == "g.md:4: glossary headings are '## Term {#id}'"
