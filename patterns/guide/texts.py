"""The guide's words, one Markdown file a language: ``patterns/content/guide/<lang>.md``.

The file is a list of entries, each a level-2 heading holding only the entry's id, then
``key: text`` lines (the text is inline Markdown on one line)::

    ## q-callers
    label: Who calls the service?
    same-namespace: Only ECS services in the same Service Connect namespace

Ids: ``q-<question>`` (``label`` and one key per answer), ``o-<option>`` (``name``, ``summary``),
``r-<reason>`` (``text``), and each recipe's id (``title``, ``symptom``, ``look``, ``cause``,
``fix``). Every id and key must exist in every language; :func:`check` lists what is missing.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe

from patterns.lessons.content import render_inline

GUIDE_DIR = Path(__file__).resolve().parent.parent / "content" / "guide"
LANGUAGES: tuple[str, ...] = ("en", "ja")
_HEADING = re.compile(r"^## ([a-z0-9-]+)\s*$")
_LINE = re.compile(r"^([a-z0-9-]+): (.+)$")


class GuideTextError(ValueError):
    pass


def parse(text: str, path: Path | str = "<text>") -> dict[str, dict[str, str]]:
    entries: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        heading = _HEADING.match(line)
        if heading:
            if heading.group(1) in entries:
                raise GuideTextError(f"{path}:{number}: entry {heading.group(1)} repeated")
            current = entries[heading.group(1)] = {}
            continue
        item = _LINE.match(line)
        if current is None or item is None:
            raise GuideTextError(f"{path}:{number}: expected '## id' or 'key: text'")
        current[item.group(1)] = item.group(2).strip()
    return entries


@functools.lru_cache(maxsize=len(LANGUAGES))
def entries(lang: str) -> dict[str, dict[str, str]]:
    path = GUIDE_DIR / f"{lang if lang in LANGUAGES else 'en'}.md"
    return parse(path.read_text(encoding="utf-8"), path)


def text(lang: str, entry: str, key: str) -> SafeString:
    """One text rendered as inline Markdown (raw HTML escaped)."""
    return mark_safe(render_inline(entries(lang)[entry][key]))  # noqa: S308 (escaped by Markdown)


def check(required: dict[str, tuple[str, ...]]) -> list[str]:
    """Every ``{entry: keys}`` present in every language: the problems, empty when all is well."""
    problems = []
    for lang in LANGUAGES:
        found = entries(lang)
        for entry, keys in required.items():
            for key in keys:
                if key not in found.get(entry, {}):
                    problems.append(f"{lang}: {entry}.{key} missing")
        for entry in sorted(set(found) - set(required)):
            problems.append(f"{lang}: {entry} is not used")
    return problems
