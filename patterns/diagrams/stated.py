"""A diagram's DOT with the state of one moment written into it, for exports.

The player shows state as CSS classes on stable ids (``diagram.css``); an exported SVG, PNG or DOT
file has no stylesheet, so the same looks are written as graphviz attributes instead: each element's
cell (tasks, AZ groups, ALB nodes and the other HTML-label cells carry their element id as ``ID``)
gets the outline colour, dash style and fill of its most severe state, and a task's name gets its
badge. Which states an element has comes from the caller (``patterns/player`` folds them from the
engine's frames); this module only draws them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

#: state class -> (outline colour, cell style, fill or None), the resting look of diagram.css in
#: graphviz terms. Dashes stand in for diagram.css's dash patterns, "dotted" for its dots.
STATE_LOOKS: dict[str, tuple[str, str, str | None]] = {
    "state-stopped": ("#5b6776", "rounded,dotted", "#e4e7eb"),
    "state-az-out": ("#b3261e", "rounded,dashed", "#fdeceb"),
    "state-blackholed": ("#111111", "rounded", "#c9ccd1"),
    "state-ejected": ("#b3261e", "rounded,dashed", "#fdeceb"),
    "state-unhealthy": ("#b3261e", "rounded,dotted", None),
    "state-refusing": ("#b3261e", "rounded,dashed", None),
    "state-failing": ("#b3261e", "rounded", "#fdeceb"),
    "state-slow": ("#c77700", "rounded", None),
    "state-stale": ("#a15c00", "rounded,dotted", "#fff4dc"),
    "state-draining": ("#a15c00", "rounded,dashed", "#fff4dc"),
    "state-initial": ("#2f6fb0", "rounded,dashed", "#eef5fc"),
    "state-pending": ("#7a8694", "rounded,dashed", "#f3f5f7"),
    "state-green": ("#14602c", "rounded", "#dcf2e3"),
    "state-healthy": ("#1d7a3a", "rounded", None),
}

_CELL = re.compile(r'<TD ID="(?P<id>[^"]+)"(?P<attrs>[^>]*)>')
_ATTR = re.compile(r'\s(?P<name>BORDER|STYLE|COLOR|BGCOLOR)="[^"]*"')


def look_for(classes: Iterable[str]) -> tuple[str, str, str | None] | None:
    """The look of the most severe state among ``classes`` (STATE_LOOKS is in that order)."""
    names = set(classes)
    for state, look in STATE_LOOKS.items():
        if state in names:
            return look
    return None


def _restyle(attrs: str, look: tuple[str, str, str | None]) -> str:
    color, style, fill = look
    kept = _ATTR.sub(lambda m: "" if m.group("name") != "BGCOLOR" or fill else m.group(0), attrs)
    added = f' BORDER="2" STYLE="{style}" COLOR="{color}"'
    if fill:
        added += f' BGCOLOR="{fill}"'
    return added + kept


def stated_dot(
    dot: str,
    classes: Mapping[str, Iterable[str]],
    badges: Mapping[str, str],
    caption: str = "",
) -> str:
    """``dot`` with each element of ``classes`` drawn in its state and ``badges`` (element id ->
    glyph) after task names; ``caption`` becomes the graph's label at the top."""

    def cell(match: re.Match[str]) -> str:
        element = match.group("id")
        look = look_for(classes.get(element, ()))
        if look is None:
            return match.group(0)
        return f'<TD ID="{element}"{_restyle(match.group("attrs"), look)}>'

    dot = _CELL.sub(cell, dot)
    for element, glyph in badges.items():
        if not glyph or not element.startswith("task-"):
            continue
        name = re.escape(element[len("task-") :])
        dot = re.sub(
            rf'(<TD ID="{re.escape(element)}".*?<B>{name}</B>)',
            lambda m, g=glyph: f"{m.group(1)} {_escape(g)}",
            dot,
            count=1,
            flags=re.S,
        )
    if caption:
        dot = re.sub(
            r"^(\s*graph \[)",
            lambda m: f'{m.group(1)}label="{_quote(caption)}" labelloc=t labeljust=l ',
            dot,
            count=1,
            flags=re.M,
        )
    return dot


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
