"""Every piece of lesson and lab Markdown renders its emphasis: no literal ``**`` on a page.

CommonMark closes ``**`` only where it is right-flanking: after punctuation such as 「：」 it must
be followed by a space or punctuation, which Japanese text never has. ``**一時停止するタスクを
残す：**どの…`` showed its asterisks on the lab page; ``**…**：`` renders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from patterns.lessons.content import render_markdown

pytestmark = pytest.mark.unit

CONTENT = Path(__file__).resolve().parents[2] / "patterns" / "content"
FILES = sorted(CONTENT.rglob("*.md"))


def test_there_is_content_to_check() -> None:
    assert len([f for f in FILES if "/ja/" in str(f)]) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CONTENT)))
def test_no_literal_emphasis_markers(path: Path) -> None:
    html = render_markdown(path.read_text(encoding="utf-8"))
    text = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    stray = [text[max(0, m.start() - 30) : m.end() + 30] for m in re.finditer(r"\*\*", text)]
    assert stray == []


def test_a_closing_marker_after_a_full_width_colon_is_what_fails() -> None:
    assert "**" in render_markdown("- **一時停止するタスクを残す：**どのノードも")
    assert "<strong>一時停止するタスクを残す</strong>：" in render_markdown(
        "- **一時停止するタスクを残す**：どのノードも"
    )
