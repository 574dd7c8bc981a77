"""Lesson content: Markdown files with front matter and a few directives, one folder a language.

Where the files live::

    patterns/content/en/01-microservices.md     the English lesson "microservices"
    patterns/content/ja/01-microservices.md     the same lesson in Japanese (same file name)
    patterns/content/glossary/en.md, ja.md      the glossary, one file a language

The slug is the file name without its ``NN-`` prefix and ``.md``. Every lesson exists in every
language with the same steps and the same directives; a test over all content enforces that.

A lesson file::

    ---
    title: ELB: calls through a load balancer
    order: 3
    summary: One sentence for the lesson index.
    minutes: 8
    ---

    ## The first step's title
    Narration in Markdown (CommonMark with tables; raw HTML is shown as text, never rendered).

    ::: player scenario=kill-task pattern=elb start=55 watch="Watch inventory-2 after 60 s."
    :::

    ## The second step's title
    ...

Front matter is ``key: value`` lines between two ``---`` lines; ``title``, ``order`` (an integer),
``summary`` and ``minutes`` (an integer, the estimated reading time) are required, nothing else is
allowed. Each level-2 heading (``## ``) starts a step and is its title; nothing but blank lines may
come before the first step. Lines inside fenced code blocks are never read as steps or directives.

Directives. A directive opens with ``::: <kind> key=value key="a value with spaces"`` on its own
line, may have body lines, and closes with a line holding only ``:::``:

``::: diagram pattern=<pattern> [scenario=<built-in>] [at=<seconds>]``
    The server-side diagram of one pattern in the state the engine reaches at virtual time ``at``
    (default 0) of a built-in scenario (default ``steady``). No body.
``::: player pattern=<pattern|all> scenario=<built-in|inline> start=<seconds> watch="<one line>"``
    A lesson-sized player, for one pattern or all four side by side: the diagram, play/pause, a
    scrubber and the ``watch`` line (what to look at, in the file's language, at most
    ``MAX_WATCH_CHARS`` characters), opened paused at ``start`` (from 0 to less than the run's
    length; the same in every language), near the moment that matters; "Explore" opens the whole
    playground on the same run at the player's playhead. With ``scenario=inline`` the
    body is a scenario in JSON (one line or several), validated by :func:`patterns.sim.load_scenario`
    on its own and under the player's pattern (each of the four for ``all``), so a deploy with a
    blue/green, linear or canary ``strategy`` under Service Discovery or App Mesh, which refuse it,
    fails when the file loads. A step's own scenario (a deployment with test traffic, 12 tasks
    behind one DNS name) is written inline rather than added to the engine's built-in scenarios,
    which every pattern and every golden test runs.
``::: quiz id=<slug>``
    Questions, each a ``? prompt`` line, two or more choices ``- [x] right`` / ``- [ ] wrong`` (at
    least one right), or for an ordering question two or more ``1. first`` / ``2. next`` items in
    the right order, then ``~ hint`` lines (shown after a wrong first try) and one or more
    ``> explanation`` lines (shown after the second try). An ``@ concept`` line makes the questions
    after it, up to the next ``@`` line, variants of one concept: an attempt asks one of them.
``::: comparison [rows=<row>,<row>...]``
    The comparison table of the four patterns: the talk's rows with verified dates, plus rows the
    engine measures (``dead-task``, ``deploy-errors``) computed by :mod:`patterns.lessons.comparison`.
    Rows: ``setup, proxy, metrics, ga, dead-task, deploy-errors`` (default: all, in that order).

A step may hold at most one *stage* directive (diagram, player or comparison): story mode shows it
beside the narration and presenter mode below the slide text. Quizzes stay in the narration.

Anything wrong in a file raises :class:`ContentError`, whose text is ``<file>:<line>: <reason>``.

Japanese files follow AWS Japan's documentation style (README "Lessons: the content format"):
AWS Japan's terms, デフォルト, dates as 2026 年 9 月 30 日 and full-width （）？： in Japanese sentences.
:func:`check_japanese_style` reports the mechanical part (half-width brackets, question marks,
colons or exclamation marks in Japanese text, 既定 and other spellings of デフォルト, ISO dates, the
review's calques) as ``<file>:<line>: <reason>``; the content test runs it on every ja lesson, lab
text, the glossary and the guide's words, and the catalogue test on every Japanese msgstr.

Glossary files: front matter with ``title`` only, then one entry a level-2 heading
``## <Term> {#<id>}``, an optional ``aliases: a, b`` line, and the definition in Markdown. Ids must be
the same in every language. The first use of a term (or an alias) in a lesson's narration links to
its glossary entry; text inside links, code and headings is left alone.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

from patterns.catalog import BY_SLUG, scenario_title
from patterns.lessons.comparison import SEED, comparison_rows, result_for
from patterns.player.states import element_classes, labels_for, paint_svg
from patterns.sim import (
    BUILTIN_SCENARIOS,
    PATTERNS,
    ScenarioError,
    Simulation,
    load_scenario,
    run,
)
from patterns.sim.narrate import keep_units

logger = logging.getLogger(__name__)

LESSONS_DIR = Path(__file__).resolve().parent.parent / "content"
LANGUAGES: tuple[str, ...] = ("en", "ja")
FRONT_MATTER_KEYS = ("title", "order", "summary", "minutes")
COMPARISON_ROWS: tuple[str, ...] = (
    "setup",
    "proxy",
    "metrics",
    "ga",
    "dead-task",
    "deploy-errors",
)
STAGE_KINDS = ("diagram", "player", "comparison")

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_DIRECTIVE_OPEN = re.compile(r"^:::\s*(\S+)(.*)$")
_FILE_NAME = re.compile(r"^(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_GLOSSARY_HEADING = re.compile(r"^## (.+?)\s*\{#([a-z0-9]+(?:-[a-z0-9]+)*)\}\s*$")


class ContentError(ValueError):
    """A problem in a content file, located by file and line."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}")


# --------------------------------------------------------------------------- the parsed content


@dataclass(frozen=True)
class Diagram:
    line: int
    pattern: str
    scenario: str = "steady"
    at: float = 0.0
    kind: str = "diagram"


@dataclass(frozen=True)
class Player:
    line: int
    pattern: str  # one of PATTERNS, or "all"
    scenario: str  # a built-in name, or "inline"
    inline: dict[str, Any] | None = None
    start: float = 0.0  # where the player's playhead starts, in seconds of the run
    watch: str = ""  # the one line saying what to watch, in the file's language
    kind: str = "player"


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    prompt: str
    choices: tuple[Choice, ...]  # an ordering question: its items, in the right order
    explanation: str
    hint: str = ""
    concept: str = ""  # variants of one concept share it; "" stands alone
    ordered: bool = False


@dataclass(frozen=True)
class Quiz:
    line: int
    id: str
    questions: tuple[Question, ...]
    kind: str = "quiz"


@dataclass(frozen=True)
class Comparison:
    line: int
    rows: tuple[str, ...] = COMPARISON_ROWS
    kind: str = "comparison"


Directive = Diagram | Player | Quiz | Comparison


@dataclass(frozen=True)
class Step:
    number: int  # from 1
    title: str
    line: int
    blocks: tuple[str | Directive, ...]  # Markdown text and directives, in file order

    @property
    def directives(self) -> tuple[Directive, ...]:
        return tuple(block for block in self.blocks if not isinstance(block, str))

    @property
    def stage(self) -> Diagram | Player | Comparison | None:
        for block in self.directives:
            if isinstance(block, (Diagram, Player, Comparison)):
                return block
        return None


@dataclass(frozen=True)
class Lesson:
    slug: str
    lang: str
    title: str
    order: int
    summary: str
    minutes: int
    steps: tuple[Step, ...]
    path: Path = field(compare=False)

    def step(self, number: int) -> Step:
        return self.steps[number - 1]


# --------------------------------------------------------------------------- parsing


def _front_matter(
    lines: Sequence[str], path: Path, allowed: Sequence[str]
) -> tuple[dict[str, tuple[str, int]], int]:
    """Read ``key: value`` lines between ``---`` fences: {key: (value, line)} and the next index."""
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, 1, "the file must start with front matter (a line '---')")
    meta: dict[str, tuple[str, int]] = {}
    for index in range(1, len(lines)):
        text = lines[index].strip()
        if text == "---":
            missing = [key for key in allowed if key not in meta]
            if missing:
                raise ContentError(path, index + 1, f"front matter lacks {', '.join(missing)}")
            return meta, index + 1
        if not text:
            continue
        key, sep, value = text.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            raise ContentError(
                path, index + 1, f"front matter line must be 'key: value', got {text!r}"
            )
        if key not in allowed:
            raise ContentError(
                path, index + 1, f"unknown front matter key {key!r}; allowed: {', '.join(allowed)}"
            )
        if key in meta:
            raise ContentError(path, index + 1, f"front matter key {key!r} given twice")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]  # quotes let a value hold a colon, as in YAML
        meta[key] = (value, index + 1)
    raise ContentError(path, len(lines), "front matter is not closed by a line '---'")


def _positive_int(value: str, line: int, key: str, path: Path) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ContentError(path, line, f"{key} must be a whole number of at least 1, got {value!r}")
    return int(value)


def _attributes(text: str, path: Path, line: int) -> dict[str, str]:
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise ContentError(path, line, f"cannot read the directive's attributes: {error}") from None
    attrs: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key or not value:
            raise ContentError(path, line, f"directive attributes are key=value, got {word!r}")
        if key in attrs:
            raise ContentError(path, line, f"attribute {key!r} given twice")
        attrs[key] = value
    return attrs


def _check_keys(
    kind: str, attrs: dict[str, str], allowed: Sequence[str], path: Path, line: int
) -> None:
    for key in attrs:
        if key not in allowed:
            raise ContentError(
                path, line, f"{kind}: unknown attribute {key!r}; allowed: {', '.join(allowed)}"
            )


def _builtin(name: str, kind: str, path: Path, line: int) -> str:
    if name not in BUILTIN_SCENARIOS:
        raise ContentError(
            path,
            line,
            f"{kind}: unknown scenario {name!r}; built-in scenarios: {', '.join(BUILTIN_SCENARIOS)}",
        )
    return name


def _pattern(value: str | None, kind: str, path: Path, line: int, allow_all: bool) -> str:
    choices = (*PATTERNS, "all") if allow_all else PATTERNS
    if value is None:
        raise ContentError(path, line, f"{kind}: pattern is required; one of {', '.join(choices)}")
    if value not in choices:
        raise ContentError(
            path, line, f"{kind}: unknown pattern {value!r}; one of {', '.join(choices)}"
        )
    return value


def _no_body(kind: str, body: Sequence[str], path: Path, line: int) -> None:
    for offset, text in enumerate(body, start=1):
        if text.strip():
            raise ContentError(path, line + offset, f"{kind} takes no body; close it with ':::'")


def _parse_diagram(attrs: dict[str, str], body: Sequence[str], path: Path, line: int) -> Diagram:
    _check_keys("diagram", attrs, ("pattern", "scenario", "at"), path, line)
    _no_body("diagram", body, path, line)
    pattern = _pattern(attrs.get("pattern"), "diagram", path, line, allow_all=False)
    scenario = _builtin(attrs.get("scenario", "steady"), "diagram", path, line)
    try:
        at = float(attrs.get("at", "0"))
    except ValueError:
        raise ContentError(
            path, line, f"diagram: at must be seconds, got {attrs['at']!r}"
        ) from None
    duration = float(load_scenario(scenario).duration_s)
    if not 0 <= at <= duration:
        raise ContentError(
            path, line, f"diagram: at must be between 0 and {duration:g} s (the scenario's length)"
        )
    return Diagram(line=line, pattern=pattern, scenario=scenario, at=at)


#: The longest watch line, in characters: one line under the diagram, also on a phone.
MAX_WATCH_CHARS = 120


def _parse_player(attrs: dict[str, str], body: Sequence[str], path: Path, line: int) -> Player:
    _check_keys("player", attrs, ("pattern", "scenario", "start", "watch"), path, line)
    pattern = _pattern(attrs.get("pattern"), "player", path, line, allow_all=True)
    scenario = attrs.get("scenario")
    if scenario is None:
        raise ContentError(path, line, "player: scenario is required (a built-in name or 'inline')")
    if scenario != "inline":
        _no_body("player", body, path, line)
        name = _builtin(scenario, "player", path, line)
        start, watch = _player_moment(attrs, load_scenario(name).duration_s, path, line)
        return Player(line=line, pattern=pattern, scenario=name, start=start, watch=watch)
    try:
        data = json.loads("\n".join(body))
    except json.JSONDecodeError as error:
        raise ContentError(
            path, line + 1 + error.lineno - 1, f"player: inline scenario is not JSON: {error.msg}"
        ) from None
    try:
        loaded = load_scenario(data)
    except ScenarioError as error:
        raise ContentError(path, line, f"player: inline scenario: {error}") from None
    # Under the player's pattern(s), too: Service Discovery and App Mesh refuse blue/green,
    # linear and canary deployments, and a page must not find that out when a learner presses Play.
    for each in PATTERNS if pattern == "all" else (pattern,):
        try:
            load_scenario({**data, "pattern": each})
        except ScenarioError as error:
            raise ContentError(
                path, line, f"player: inline scenario under pattern {each}: {error}"
            ) from None
    start, watch = _player_moment(attrs, loaded.duration_s, path, line)
    return Player(
        line=line, pattern=pattern, scenario="inline", inline=data, start=start, watch=watch
    )


def _player_moment(
    attrs: dict[str, str], duration_s: float, path: Path, line: int
) -> tuple[float, str]:
    """A lesson player's ``start`` (seconds, within the run) and ``watch`` line, both required:
    a lesson-sized player opens near the moment that matters and says what to look at."""
    text = attrs.get("start")
    if text is None:
        raise ContentError(
            path, line, "player: start is required (the second the player opens at, e.g. start=55)"
        )
    try:
        start = float(text)
    except ValueError:
        raise ContentError(path, line, f"player: start must be seconds, got {text!r}") from None
    if not (math.isfinite(start) and 0 <= start < duration_s):
        raise ContentError(
            path,
            line,
            f"player: start must be from 0 to less than {duration_s:g} s (the scenario's length),"
            f" got {text}",
        )
    # One line; a number keeps its unit on the same line as it (80 秒で本番の 10 %).
    watch = keep_units(" ".join(attrs.get("watch", "").split()))
    if not watch:
        raise ContentError(
            path, line, 'player: watch is required (one line saying what to watch: watch="...")'
        )
    if len(watch) > MAX_WATCH_CHARS:
        raise ContentError(
            path,
            line,
            f"player: watch is {len(watch)} characters; keep it to one line"
            f" of at most {MAX_WATCH_CHARS}",
        )
    return start, watch


_ORDER_ITEM = re.compile(r"^(\d+)\. (.+)$")


def _parse_quiz(attrs: dict[str, str], body: Sequence[str], path: Path, line: int) -> Quiz:
    _check_keys("quiz", attrs, ("id",), path, line)
    quiz_id = attrs.get("id", "")
    if not _SLUG.match(quiz_id):
        raise ContentError(path, line, "quiz: id is required, in lowercase letters, digits and '-'")
    questions: list[Question] = []
    concept = ""
    prompt: str | None = None
    prompt_line = line
    choices: list[Choice] = []
    items: list[str] = []
    hint: list[str] = []
    explanation: list[str] = []

    def finish() -> None:
        if prompt is None:
            return
        if choices and items:
            raise ContentError(path, prompt_line, "quiz: a question has choices or ordered items")
        if len(choices) + len(items) < 2:
            raise ContentError(path, prompt_line, "quiz: a question needs at least two choices")
        if choices and not any(choice.correct for choice in choices):
            raise ContentError(
                path, prompt_line, "quiz: mark at least one choice right with '- [x]'"
            )
        if not explanation:
            raise ContentError(path, prompt_line, "quiz: explain the answer on a '> ' line")
        questions.append(
            Question(
                prompt,
                tuple(choices) or tuple(Choice(item, True) for item in items),
                " ".join(explanation),
                hint=" ".join(hint),
                concept=concept,
                ordered=bool(items),
            )
        )

    for offset, raw in enumerate(body, start=1):
        text = raw.strip()
        if not text:
            continue
        item = _ORDER_ITEM.match(text)
        if text.startswith("@ "):
            finish()
            prompt = None
            concept = text[2:].strip()
            if not _SLUG.match(concept):
                raise ContentError(
                    path, line + offset, "quiz: a concept is a slug, as '@ tg-window'"
                )
        elif text.startswith("? "):
            finish()
            prompt, prompt_line = text[2:].strip(), line + offset
            choices, items, hint, explanation = [], [], [], []
        elif prompt is None:
            raise ContentError(path, line + offset, "quiz: start each question with '? '")
        elif text.startswith(("- [x] ", "- [X] ", "- [ ] ")) or item:
            if hint or explanation:
                raise ContentError(
                    path, line + offset, "quiz: choices come before the hint and explanation"
                )
            if item:
                if int(item.group(1)) != len(items) + 1:
                    raise ContentError(
                        path, line + offset, f"quiz: expected item {len(items) + 1}. here"
                    )
                items.append(item.group(2).strip())
            else:
                choices.append(Choice(text[6:].strip(), text[3] in "xX"))
        elif text.startswith("~ "):
            if explanation:
                raise ContentError(
                    path, line + offset, "quiz: the hint comes before the explanation"
                )
            hint.append(text[2:].strip())
        elif text.startswith("> ") or text == ">":
            explanation.append(text[1:].strip())
        else:
            raise ContentError(
                path,
                line + offset,
                f"quiz: expected '? ', '- [x] ', '- [ ] ', '1. ', '~ ', '> ' or '@ ', got {text!r}",
            )
    finish()
    if not questions:
        raise ContentError(path, line, "quiz: no questions; start one with '? '")
    return Quiz(line=line, id=quiz_id, questions=tuple(questions))


def _parse_comparison(
    attrs: dict[str, str], body: Sequence[str], path: Path, line: int
) -> Comparison:
    _check_keys("comparison", attrs, ("rows",), path, line)
    _no_body("comparison", body, path, line)
    if "rows" not in attrs:
        return Comparison(line=line)
    rows = tuple(attrs["rows"].split(","))
    for row in rows:
        if row not in COMPARISON_ROWS:
            raise ContentError(
                path, line, f"comparison: unknown row {row!r}; rows: {', '.join(COMPARISON_ROWS)}"
            )
    return Comparison(line=line, rows=rows)


_PARSERS: dict[str, Callable[[dict[str, str], Sequence[str], Path, int], Directive]] = {
    "diagram": _parse_diagram,
    "player": _parse_player,
    "quiz": _parse_quiz,
    "comparison": _parse_comparison,
}


def parse_directive(opening: str, body: Sequence[str], path: Path, line: int) -> Directive:
    """Parse one directive; ``line`` is the 1-based line of its opening ``:::``."""
    match = _DIRECTIVE_OPEN.match(opening.strip())
    if match is None:
        raise ContentError(
            path, line, "a directive needs a kind: '::: diagram', 'player', 'quiz' or 'comparison'"
        )
    kind, rest = match.groups()
    parser = _PARSERS.get(kind)
    if parser is None:
        raise ContentError(path, line, f"unknown directive {kind!r}; one of {', '.join(_PARSERS)}")
    return parser(_attributes(rest, path, line), body, path, line)


def _step_blocks(lines: Sequence[str], first: int, path: Path) -> tuple[str | Directive, ...]:
    """Split a step's body (lines[i] is file line first + i) into Markdown and directives."""
    blocks: list[str | Directive] = []
    text: list[str] = []
    fence: str | None = None
    index = 0
    while index < len(lines):
        raw = lines[index]
        fence_match = _FENCE.match(raw)
        if fence is not None:
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                fence = None
            text.append(raw)
        elif fence_match:
            fence = fence_match.group(1)
            text.append(raw)
        elif raw.startswith(":::"):
            opening_line = first + index
            if raw.strip() == ":::":
                raise ContentError(path, opening_line, "':::' closes nothing: no directive is open")
            body: list[str] = []
            index += 1
            while index < len(lines) and lines[index].strip() != ":::":
                if lines[index].startswith("## "):
                    break
                body.append(lines[index])
                index += 1
            if index >= len(lines) or lines[index].strip() != ":::":
                raise ContentError(path, opening_line, "directive is not closed by a line ':::'")
            if "".join(text).strip():
                blocks.append("\n".join(text))
            text = []
            blocks.append(parse_directive(raw, body, path, opening_line))
        else:
            text.append(raw)
        index += 1
    if "".join(text).strip():
        blocks.append("\n".join(text))
    return tuple(blocks)


def _steps(lines: Sequence[str], start: int, path: Path) -> tuple[Step, ...]:
    """Cut the body at level-2 headings outside code fences; each heading starts a step."""
    starts: list[int] = []
    fence: str | None = None
    for index in range(start, len(lines)):
        fence_match = _FENCE.match(lines[index])
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0]:
                fence = None
        elif fence_match:
            fence = fence_match.group(1)
        elif lines[index].startswith("## "):
            starts.append(index)
        elif not starts and lines[index].strip():
            raise ContentError(
                path, index + 1, "text before the first step: start a step with '## '"
            )
    if not starts:
        raise ContentError(path, len(lines), "no steps: start each step with a '## ' heading")
    steps: list[Step] = []
    for number, begin in enumerate(starts, start=1):
        end = starts[number] if number < len(starts) else len(lines)
        title = lines[begin][3:].strip()
        if not title:
            raise ContentError(path, begin + 1, "a step heading needs a title")
        blocks = _step_blocks(lines[begin + 1 : end], begin + 2, path)
        stages = [
            block for block in blocks if not isinstance(block, str) and block.kind in STAGE_KINDS
        ]
        if len(stages) > 1:
            second = stages[1]
            assert not isinstance(second, str)
            raise ContentError(
                path, second.line, "a step holds at most one diagram, player or comparison"
            )
        steps.append(Step(number=number, title=title, line=begin + 1, blocks=blocks))
    return tuple(steps)


def parse_lesson(text: str, path: Path, lang: str) -> Lesson:
    """Parse one lesson file's text; ``path`` names it in errors and gives the slug."""
    match = _FILE_NAME.match(path.name)
    if match is None:
        raise ContentError(path, 1, "lesson files are named NN-slug.md (e.g. 03-elb.md)")
    lines = text.splitlines()
    meta, start = _front_matter(lines, path, FRONT_MATTER_KEYS)
    quiz_ids: set[str] = set()
    steps = _steps(lines, start, path)
    for step in steps:
        for directive in step.directives:
            if isinstance(directive, Quiz):
                if directive.id in quiz_ids:
                    raise ContentError(path, directive.line, f"quiz id {directive.id!r} used twice")
                quiz_ids.add(directive.id)
    return Lesson(
        slug=match.group(2),
        lang=lang,
        title=meta["title"][0],
        order=_positive_int(*meta["order"], "order", path),
        summary=meta["summary"][0],
        minutes=_positive_int(*meta["minutes"], "minutes", path),
        steps=steps,
        path=path,
    )


def load_lessons(lang: str, root: Path = LESSONS_DIR) -> tuple[Lesson, ...]:
    """Every lesson of one language, in ``order``."""
    folder = root / lang
    lessons = [
        parse_lesson(path.read_text(encoding="utf-8"), path, lang)
        for path in sorted(folder.glob("*.md"))
    ]
    return tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.slug)))


# --------------------------------------------------------------------------- glossary


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    aliases: tuple[str, ...]
    definition: str  # Markdown
    line: int


@dataclass(frozen=True)
class Glossary:
    lang: str
    title: str
    terms: tuple[Term, ...]

    @functools.cached_property
    def matcher(self) -> re.Pattern[str] | None:
        names = sorted(self._names(), key=len, reverse=True)
        if not names:
            return None
        # ASCII-only boundaries: Japanese text runs straight into English terms ("はEnvoyが").
        alternation = "|".join(re.escape(name) for name in names)
        return re.compile(rf"(?<![A-Za-z0-9_\-])(?:{alternation})(?![A-Za-z0-9_\-])", re.IGNORECASE)

    def _names(self) -> list[str]:
        return [name for term in self.terms for name in (term.term, *term.aliases)]

    @functools.cached_property
    def by_name(self) -> dict[str, str]:
        return {
            name.casefold(): term.id for term in self.terms for name in (term.term, *term.aliases)
        }


def parse_glossary(text: str, path: Path, lang: str) -> Glossary:
    lines = text.splitlines()
    meta, start = _front_matter(lines, path, ("title",))
    terms: list[Term] = []
    current: dict[str, Any] | None = None

    def finish() -> None:
        if current is None:
            return
        definition = "\n".join(current["body"]).strip()
        if not definition:
            raise ContentError(
                path, current["line"], f"glossary term {current['term']!r} has no definition"
            )
        terms.append(
            Term(
                current["id"],
                current["term"],
                tuple(current["aliases"]),
                definition,
                current["line"],
            )
        )

    for index in range(start, len(lines)):
        raw = lines[index]
        if raw.startswith("## "):
            match = _GLOSSARY_HEADING.match(raw)
            if match is None:
                raise ContentError(path, index + 1, "glossary headings are '## Term {#id}'")
            finish()
            current = {
                "id": match.group(2),
                "term": match.group(1),
                "aliases": [],
                "body": [],
                "line": index + 1,
            }
        elif current is None:
            if raw.strip():
                raise ContentError(
                    path, index + 1, "text before the first term: start with '## Term {#id}'"
                )
        elif raw.startswith("aliases:") and not current["body"]:
            current["aliases"] = [alias.strip() for alias in raw[8:].split(",") if alias.strip()]
        else:
            current["body"].append(raw)
    finish()
    ids = [term.id for term in terms]
    for term in terms:
        if ids.count(term.id) > 1:
            raise ContentError(path, term.line, f"glossary id {term.id!r} used twice")
    return Glossary(lang=lang, title=meta["title"][0], terms=tuple(terms))


def load_glossary(lang: str, root: Path = LESSONS_DIR) -> Glossary:
    path = root / "glossary" / f"{lang}.md"
    return parse_glossary(path.read_text(encoding="utf-8"), path, lang)


# --------------------------------------------------------------------------- Markdown


def markdown() -> MarkdownIt:
    """CommonMark + tables, raw HTML escaped (``js-default``): content can never inject markup."""
    return MarkdownIt("js-default")


def _link_terms(
    children: list[Token], glossary: Glossary, linked: set[str], href: str
) -> list[Token]:
    matcher = glossary.matcher
    if matcher is None:
        return children
    result: list[Token] = []
    depth = 0
    for token in children:
        if token.type == "link_open":
            depth += 1
        elif token.type == "link_close":
            depth -= 1
        if token.type != "text" or depth > 0:
            result.append(token)
            continue
        result.extend(_split_text(token.content, matcher, glossary, linked, href))
    return result


def _split_text(
    content: str, matcher: re.Pattern[str], glossary: Glossary, linked: set[str], href: str
) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    for match in matcher.finditer(content):
        term_id = glossary.by_name[match.group(0).casefold()]
        if term_id in linked:
            continue
        linked.add(term_id)
        if match.start() > position:
            tokens.append(_text(content[position : match.start()]))
        link = Token("link_open", "a", 1)
        link.attrs = {"href": f"{href}#term-{term_id}", "class": "term"}
        tokens.extend([link, _text(match.group(0)), Token("link_close", "a", -1)])
        position = match.end()
    if position < len(content):
        tokens.append(_text(content[position:]))
    return tokens


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def render_markdown(
    text: str, glossary: Glossary | None = None, linked: set[str] | None = None, href: str = ""
) -> str:
    """Render Markdown; with a glossary, link the first use of each term not yet in ``linked``."""
    md = markdown()
    tokens = md.parse(text)
    if glossary is not None:
        seen = linked if linked is not None else set()
        in_heading = False
        for token in tokens:
            if token.type == "heading_open":
                in_heading = True
            elif token.type == "heading_close":
                in_heading = False
            elif token.type == "inline" and token.children and not in_heading:
                token.children = _link_terms(token.children, glossary, seen, href)
    return str(md.renderer.render(tokens, md.options, {}))


def render_inline(text: str) -> str:
    """Render one line of Markdown without the surrounding paragraph (titles, quiz choices)."""
    return str(markdown().renderInline(text))


# --------------------------------------------------------------------------- consistency


def check_languages(libraries: dict[str, Iterable[Lesson]]) -> list[str]:
    """Differences between languages: missing lessons, step counts, directives. Empty when fine."""
    problems: list[str] = []
    by_lang = {
        lang: {lesson.slug: lesson for lesson in lessons} for lang, lessons in libraries.items()
    }
    slugs = sorted({slug for lessons in by_lang.values() for slug in lessons})
    for slug in slugs:
        present = {lang: lessons[slug] for lang, lessons in by_lang.items() if slug in lessons}
        for lang in by_lang:
            if lang not in present:
                problems.append(f"lesson {slug!r} is missing in {lang}")
        versions = list(present.values())
        for other in versions[1:]:
            problems.extend(_differences(versions[0], other))
    return problems


# Japanese style (issue 12 section 3), the mechanical part: in Japanese text, brackets, question
# marks, colons and exclamation marks are full-width, "default" is デフォルト (not 既定 or another
# spelling), dates read 2026 年 9 月 30 日 and the review's calques are gone. Code spans, link
# targets, URLs, [[slots]], {#anchors} and the JSON bodies of player/diagram/comparison directives
# are left alone, and so are half-width brackets around English only: "(" or ")" is flagged when
# the bracket holds Japanese or touches it (the nearest non-space character outside), "?" when
# the nearest character before it is Japanese or a full-width bracket, or when it ends a Japanese
# line.
_JA_CHAR = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_JA_SKIP = re.compile(
    r"`[^`]*`|\]\((?:[^()\s]|\([^()\s]*\))*\)|<?https?://[^\s>)]+>?|\[\[\w+\]\]|\{#[^}]*\}"
)
_JA_MARKER = re.compile(r"^(?:\? |- \[[ xX]\] |> |[-*] |\d+\. |#{1,6} |[a-z][a-z0-9-]*: )")
_ISO_DATE = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")
# A ':' or '!' right after Japanese (or a full-width bracket, or the ** closing bold Japanese);
# "://" is a URL, "![" an image.
_HALF_WIDTH_COLON = re.compile(
    r"[\u3040-\u30ff\u3400-\u9fff）」](?:\*\*)? ?:(?!//)|:(?!//) ?(?:\*\*)?[\u3040-\u30ff\u3400-\u9fff（「]"
)
_HALF_WIDTH_BANG = re.compile(r"[\u3040-\u30ff\u3400-\u9fff）」](?:\*\*)? ?!(?!\[)")
_OTHER_DEFAULTS = re.compile(r"既定|デフォールト|ディフォルト|ディフォールト")
#: Calques the content review found (its section 3 table), with what AWS Japan would write.
CALQUES: dict[str, str] = {
    "タスクの死": "write 'タスクの停止'",
    "死んだ": "write '停止した'",
    "死ぬ": "write '停止する'",
    "kill され": "write '強制終了され'",
    "あきらめ": "say what happens: '異常と判定される', 'リクエストを打ち切る'",
    "覚えている": "write '記録している' or '（キャッシュに）残っている'",
    "覚えても": "write '記録しても'",
    "ただで得られる": "write '無条件に良くなる'",
    "差し込": "write '自動で追加する'",
    "迷子": "write 'リクエストが失われる'",
    "直接話し": "write '直接通信し'",
}


def _near(text: str, index: int, step: int) -> str:
    """The nearest non-space character from ``index`` going left (-1) or right (+1), or ''."""
    index += step
    while 0 <= index < len(text) and text[index] == " ":
        index += step
    return text[index] if 0 <= index < len(text) else ""


def _ja_line_problems(text: str) -> list[str]:
    text = _JA_SKIP.sub(lambda m: "x" * len(m.group(0)), text)
    if not _JA_CHAR.search(text):
        return []
    problems: list[str] = []
    opened: list[int] = []
    for i, char in enumerate(text):
        if char == "(":
            opened.append(i)
        elif char == ")":
            start = opened.pop() if opened else None
            if start is None:
                problems.append("a half-width ')' without its '(': use '（' and '）'")
                continue
            inner = text[start + 1 : i]
            outside = _near(text, start, -1) + _near(text, i, 1)
            if _JA_CHAR.search(inner + outside):
                problems.append(
                    f"half-width brackets around {text[start : i + 1]!r}: use '（' and '）'"
                )
        elif char == "?" and (
            _JA_CHAR.match(_near(text, i, -1) or "a") or not text[i + 1 :].strip()
        ):
            problems.append("a half-width '?' in Japanese text: use '？'")
    for start in opened:
        problems.append(f"a half-width '(' without its ')' at {text[start : start + 12]!r}")
    if _HALF_WIDTH_COLON.search(text):
        problems.append("a half-width ':' after Japanese: use '：'")
    if _HALF_WIDTH_BANG.search(text):
        problems.append("a half-width '!' after Japanese: use '！'")
    default = _OTHER_DEFAULTS.search(text)
    if default:
        problems.append(f"{default.group(0)!r} for \"default\": write 'デフォルト'")
    problems.extend(
        f"the calque {found!r}: {better}" for found, better in CALQUES.items() if found in text
    )
    date = _ISO_DATE.search(text)
    if date:
        problems.append(f"the date {date.group(0)!r}: write it as 2026 年 9 月 30 日")
    return problems


def check_japanese_text(text: str) -> list[str]:
    """The mechanical Japanese style problems of one text (a translation, a line), as reasons."""
    return _ja_line_problems(text)


def _watch_text(attributes: str) -> str:
    try:
        words = shlex.split(attributes)
    except ValueError:
        return ""  # the parser reports it, with its line
    return " ".join(w.partition("=")[2] for w in words if w.startswith("watch="))


def check_japanese_style(text: str, path: Path) -> list[str]:
    """Mechanical Japanese style problems of one ja content file, as ``<file>:<line>: <reason>``.

    Checks every prose line (front matter values, headings, narration, quiz prompts, choices and
    explanations, lab texts, glossary entries); skips fenced code and the bodies of stage
    directives (inline scenario JSON). Empty when the file is fine.
    """
    problems: list[str] = []
    lines = text.splitlines()
    fence: str | None = None
    in_stage = False
    front = 0
    for number, line in enumerate(lines, start=1):
        fenced = _FENCE.match(line)
        if fence is not None:
            if fenced and fenced.group(1)[0] == fence[0]:
                fence = None
            continue
        if fenced:
            fence = fenced.group(1)
            continue
        if front < 2 and line.strip() == "---":
            front += 1
            continue
        if front == 1:
            body = line.partition(":")[2]
        else:
            opening = _DIRECTIVE_OPEN.match(line)
            if line.strip() == ":::":
                in_stage = False
                continue
            if opening:
                in_stage = opening.group(1) in STAGE_KINDS
                # A player's watch line is prose; its other attributes are names and numbers.
                body = _watch_text(opening.group(2)) if opening.group(1) == "player" else ""
                problems.extend(f"{path}:{number}: {reason}" for reason in _ja_line_problems(body))
                continue
            if in_stage:
                continue
            marker = _JA_MARKER.match(line)
            body = line[marker.end() :] if marker else line
        problems.extend(f"{path}:{number}: {reason}" for reason in _ja_line_problems(body))
    return problems


def _signature(directive: Directive) -> tuple[Any, ...]:
    if isinstance(directive, Quiz):
        shape = tuple(
            (
                len(q.choices),
                tuple(c.correct for c in q.choices),
                q.concept,
                q.ordered,
                bool(q.hint),
            )
            for q in directive.questions
        )
        return ("quiz", directive.id, shape)
    if isinstance(directive, Player):
        # The description is prose in the file's language; only the scenario itself must match.
        inline = {k: v for k, v in (directive.inline or {}).items() if k != "description"}
        # The watch line is prose too; where the player starts must be the same moment.
        inline_json = json.dumps(inline, sort_keys=True)
        return ("player", directive.pattern, directive.scenario, inline_json, directive.start)
    if isinstance(directive, Diagram):
        return ("diagram", directive.pattern, directive.scenario, directive.at)
    return ("comparison", directive.rows)


def _differences(first: Lesson, other: Lesson) -> list[str]:
    where = f"lesson {first.slug!r} ({first.lang} vs {other.lang})"
    if first.order != other.order:
        return [f"{where}: order {first.order} vs {other.order}"]
    if len(first.steps) != len(other.steps):
        return [f"{where}: {len(first.steps)} steps vs {len(other.steps)}"]
    problems = []
    for mine, theirs in zip(first.steps, other.steps, strict=True):
        left = [_signature(d) for d in mine.directives]
        right = [_signature(d) for d in theirs.directives]
        if left != right:
            problems.append(
                f"{where}: step {mine.number} directives differ "
                f"({first.path.name}:{mine.line} vs {other.path.name}:{theirs.line})"
            )
    return problems


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class RenderedStep:
    number: int
    title: str  # HTML (inline Markdown)
    narration: str  # HTML
    stage: str  # HTML of the diagram, player or comparison; "" when the step has none
    stage_kind: str
    explore_url: str | None  # the playground at this step's scenario, when the step has one


def _explore_url(stage: Directive | None) -> str | None:
    """The playground on the exact run a step shows: its scenario, pattern and seed, and the
    playhead (``t``: the diagram's moment; a player's ``start``, and its page moves ``t`` along
    as it plays). A step's inline scenario is sent as its player sends it, seed included."""
    query: dict[str, str]
    if isinstance(stage, Player):
        if stage.inline is not None:
            inline = {**stage.inline, "seed": SEED}
            query = {"scenario_json": json.dumps(inline, separators=(",", ":"))}
        else:
            query = {"scenario": stage.scenario}
        query.update(pattern=stage.pattern, seed=str(SEED), t=f"{stage.start:g}")
    elif isinstance(stage, Diagram):
        query = {
            "scenario": stage.scenario,
            "pattern": stage.pattern,
            "seed": str(SEED),
            "t": f"{stage.at:g}",
        }
    else:
        return None
    return f"{reverse('playground')}?{urlencode(query)}"


def _diagram_svg(diagram: Diagram) -> tuple[str | None, list[tuple[str, str]]]:
    """The server-side SVG (patterns.diagrams) in the engine's state at ``diagram.at``.

    Returns the SVG (None when drawing fails) and the tasks that are not
    simply healthy, as (task, state) pairs for a text description beside the picture.
    """
    from patterns import diagrams

    try:
        simulation = Simulation(diagram.scenario, pattern=diagram.pattern, seed=SEED)
        simulation.advance(diagram.at)
        snapshot = simulation.snapshot()
        scenario = simulation.result()["scenario"]
        topology = diagrams.topology_from_snapshot(snapshot, scenario)
        svg = str(diagrams.render_svg(diagrams.build_dot(topology, diagram.pattern)))
    except Exception:  # noqa: BLE001 - a diagram must never take a lesson page down
        logger.exception("diagram for %s failed", diagram)
        return None, []
    start = svg.find("<svg")
    if start < 0:
        return None, []
    classes = element_classes(snapshot, diagram.pattern)
    notable = [
        (element[len("task-") :], ", ".join(str(label) for label in labels_for(names)))
        for element, names in classes.items()
        if element.startswith("task-") and names != ("state-healthy",)
    ]
    return paint_svg(svg[start:], classes), notable


def _readout(result: dict[str, Any] | None) -> dict[str, Any] | None:
    if result is None:
        return None
    errors = result["summary"]["errors"]
    return {
        "summary": result["summary"],
        "failed": sum(errors.values()),
        "reasons": sorted(errors.items()),
    }


def _player_results(player: Player) -> list[tuple[str, dict[str, Any] | None]]:
    patterns = PATTERNS if player.pattern == "all" else (player.pattern,)
    if player.inline is None:
        results = [result_for(player.scenario, pattern, SEED) for pattern in patterns]
    else:
        text = json.dumps(player.inline, sort_keys=True)
        results = [_inline_result(text, pattern) for pattern in patterns]
    return [(BY_SLUG[p].name, _readout(r)) for p, r in zip(patterns, results, strict=True)]


@functools.cache
def _inline_result(scenario_json: str, pattern: str) -> dict[str, Any] | None:
    try:
        return run(json.loads(scenario_json), pattern=pattern, seed=SEED)
    except (ImportError, NotImplementedError):
        return None


def _stage_html(stage: Directive | None, explore_url: str | None) -> str:
    if stage is None:
        return ""
    context: dict[str, Any] = {"directive": stage, "explore_url": explore_url}
    if isinstance(stage, Diagram):
        context["svg"], context["notable"] = _diagram_svg(stage)
        context["pattern_name"] = BY_SLUG[stage.pattern].name
        context["scenario_title"] = scenario_title(stage.scenario)
    elif isinstance(stage, Player):
        context["results"] = _player_results(stage)
        context["scenario_title"] = scenario_title(stage.scenario, stage.inline)
        context["scenario_json"] = (
            json.dumps(stage.inline, separators=(",", ":")) if stage.inline is not None else ""
        )
        # The "In AWS" panel under the player (patterns/inaws answers the query).
        context["inaws_query"] = urlencode(
            {"scenario": context["scenario_json"] or stage.scenario, "pattern": stage.pattern}
        )
    elif isinstance(stage, Comparison):
        names = [BY_SLUG[pattern].name for pattern in PATTERNS]
        context["patterns"] = names
        context["rows"] = [
            {**vars(row), "labelled_cells": list(zip(names, row.cells, strict=True))}
            for row in comparison_rows(stage.rows)
        ]
    return render_to_string(f"lessons/embed_{stage.kind}.html", context)


def _quiz_html(quiz: Quiz, lesson: Lesson) -> str:
    questions = [
        {
            "prompt": mark_safe(render_inline(q.prompt)),  # noqa: S308 - escaped by markdown-it
            "choices": [(mark_safe(render_inline(c.text)), c.correct) for c in q.choices],  # noqa: S308
            "explanation": mark_safe(render_inline(q.explanation)),  # noqa: S308
            "number": number,
            "multiple": sum(c.correct for c in q.choices) > 1,
            "ordered": q.ordered,
        }
        for number, q in enumerate(quiz.questions, start=1)
    ]
    return render_to_string(
        "lessons/embed_quiz.html", {"quiz": quiz, "questions": questions, "lesson": lesson}
    )


def render_lesson(
    lesson: Lesson, glossary: Glossary | None, glossary_url: str
) -> tuple[RenderedStep, ...]:
    """Every step of a lesson as HTML, in the lesson's language (call under translation.override)."""
    linked: set[str] = set()
    rendered: list[RenderedStep] = []
    for step in lesson.steps:
        parts: list[str] = []
        for block in step.blocks:
            if isinstance(block, str):
                parts.append(render_markdown(block, glossary, linked, glossary_url))
            elif isinstance(block, Quiz):
                parts.append(_quiz_html(block, lesson))
        stage = step.stage
        explore_url = _explore_url(stage)
        rendered.append(
            RenderedStep(
                number=step.number,
                title=render_inline(step.title),
                narration="".join(parts),
                stage=_stage_html(stage, explore_url),
                stage_kind=stage.kind if stage is not None else "",
                explore_url=explore_url,
            )
        )
    return tuple(rendered)
