"""Text forms of a generated configuration: CloudFormation YAML with comments, the API JSON, and
their Pygments highlighting (HTML with classes; the colours are in static/css/inaws-code.css)."""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import get_language
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import JsonLexer, YamlLexer

from .generate import NOTE_KINDS, Config
from .texts import Text

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_.\-]+$")
# The file's own words follow the page's language; resource and property names stay AWS's.
HEADER = Text(
    "Kumoben: {pattern}. Generated from the settings the simulation ran.",
    "Kumoben：{pattern}。シミュレーションが実行した設定から生成しました。",
)
KIND_TITLES = {
    "fixed": Text(
        "Fixed by AWS (no field sets it)", "AWS が固定している値（設定するフィールドはありません）"
    ),
    "client": Text(
        "Your application's own code, not AWS", "AWS ではなく、アプリケーション自身のコード"
    ),
    "model": Text(
        "The simulation's model of the sample system, not AWS",
        "AWS ではなく、シミュレーションによるサンプルシステムのモデル",
    ),
}


def _lang() -> str:
    return "ja" if (get_language() or "en").startswith("ja") else "en"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) else json.dumps(key)


def _lines(value: Any, indent: int) -> list[str]:
    pad = "  " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                out.append(f"{pad}{_key(key)}:")
                out.extend(_lines(item, indent + 1))
            else:
                out.append(f"{pad}{_key(key)}: {_empty(item)}")
        return out
    for item in value:
        if isinstance(item, (dict, list)) and item:
            inner = _lines(item, indent + 1)
            out.append(f"{pad}- {inner[0].lstrip()}")
            out.extend(inner[1:])
        else:
            out.append(f"{pad}- {_empty(item)}")
    return out


def _empty(item: Any) -> str:
    if isinstance(item, dict):
        return "{}"
    if isinstance(item, list):
        return "[]"
    return _scalar(item)


def note_lines(config: Config, prefix: str) -> list[str]:
    """The values that are not fields, grouped by kind, as comment lines."""
    out: list[str] = []
    for kind in NOTE_KINDS:
        notes = [n for n in config.notes if n.kind == kind]
        if notes:
            colon = "：" if _lang() == "ja" else ":"
            out.append(f"{prefix} {KIND_TITLES[kind].say(_lang())}{colon}")
            out.extend(f"{prefix}   {n.line()}" for n in notes)
    return out


def template_yaml(config: Config) -> str:
    """The CloudFormation template as YAML, comments beside the resources they concern."""
    assert config.template is not None
    lines = [f"# {HEADER.say(_lang(), pattern=config.pattern)}"]
    lines.extend(note_lines(config, "#"))
    for where in ("Scenario", "TargetGroups", "CloudMap", "ServiceConnect"):
        lines.extend(f"# {line}" for line in config.comments.get(where, []))
    for key, value in config.template.items():
        if key != "Resources":
            if isinstance(value, dict):
                lines.append(f"{key}:")
                lines.extend(_lines(value, 1))
            else:
                lines.append(f"{key}: {_scalar(value)}")
            continue
        lines.append("Resources:")
        for lid, resource in value.items():
            lines.extend(f"  # {line}" for line in config.comments.get(lid, []))
            lines.append(f"  {lid}:")
            lines.extend(_lines(resource, 2))
    return "\n".join(lines) + "\n"


def api_json(config: Config) -> str:
    return json.dumps(config.api_document(), indent=2, ensure_ascii=False) + "\n"


def call_json(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


_FORMATTER = HtmlFormatter(cssclass="code", nowrap=False)


def highlighted(text: str, language: str) -> str:
    """Server-side highlighting: ``<div class="code"><pre>`` with token classes, no styles."""
    lexer = YamlLexer() if language == "yaml" else JsonLexer()
    return highlight(text, lexer, _FORMATTER)


def stylesheet() -> str:
    """The token colours (written to static/css/inaws-code.css; a test keeps the file in step)."""
    rules = str(HtmlFormatter(style="default").get_style_defs(".code")).splitlines()
    return "\n".join(line for line in rules if line.startswith(".code"))
