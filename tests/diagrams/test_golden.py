"""Golden DOT per topology and pattern (a change here is a reviewed change).

``golden/<topology>--<pattern>.dot`` hold the DOT the diagrams produced before the builder moved
to the ``graphviz`` package. The package quotes only where DOT needs it and lays statements out its
own way, so both sides are compared after :func:`canonical`: the same statements in the same order
with the same attributes in the same order, ignoring quoting, whitespace and separators, reading
``k=v`` statements in a subgraph as one ``graph [...]`` list, and an edge chain ``a -> b -> c [x]``
as its edges ``a -> b [x]``, ``b -> c [x]``. Attribute order is NOT normalised: graphviz's layout
depends on it in places. A second test renders both through ``dot`` and compares the SVG, which is
the layout itself.

Regenerate only for an intended change: ``GOLDEN_WRITE=1 pytest tests/diagrams/test_golden.py``,
then review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from patterns import diagrams
from patterns.sim import PATTERNS, load_scenario

GOLDEN = Path(__file__).resolve().parent / "golden"
AZS = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]


def _service(name: str, count: int, azs: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "azs": azs,
        "tasks": [
            {"id": f"{name}-{n}", "az": azs[(n - 1) % len(azs)]} for n in range(1, count + 1)
        ],
    }


def _tiny() -> dict[str, Any]:
    # web (1 task in 1a) calls api (1 task in 1a; 1c has none); the ALB has two AZs.
    return {
        "azs": ["ap-northeast-1a", "ap-northeast-1c"],
        "services": [
            _service("web", 1, ["ap-northeast-1a"]),
            _service("api", 1, ["ap-northeast-1a", "ap-northeast-1c"]),
        ],
        "calls": [{"from": "web", "to": "api"}],
        "routes": {},
    }


def _sample() -> dict[str, Any]:
    return diagrams.topology_from_scenario(load_scenario("steady").to_dict())


def _canary() -> dict[str, Any]:
    return diagrams.topology_from_scenario(load_scenario("canary-90-10").to_dict())


def _dense() -> dict[str, Any]:
    # 13 x 12 = 156 task pairs > MAX_PAIR_EDGES: one aggregated edge outside ELB.
    return {
        "azs": AZS,
        "services": [_service("front", 13, AZS), _service("back", 12, AZS)],
        "calls": [{"from": "front", "to": "back"}],
    }


def _cycle() -> dict[str, Any]:
    return {
        "azs": AZS,
        "services": [_service("a", 2, AZS), _service("b", 2, AZS), _service("c", 0, AZS)],
        "calls": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}],
    }


def _multi_az() -> dict[str, Any]:
    # Services on different AZ subsets, more than three tasks in one AZ (a second row of cells),
    # two callers of one service and a chain x -> y -> z.
    return {
        "azs": AZS,
        "services": [
            _service("x", 5, AZS[:2]),
            _service("y", 1, AZS[2:]),
            _service("z", 8, AZS),
        ],
        "calls": [
            {"from": "x", "to": "y"},
            {"from": "x", "to": "z"},
            {"from": "y", "to": "z"},
        ],
        "routes": {"z": [{"virtual_node": "z", "weight": 70}, {"virtual_node": "y", "weight": 30}]},
    }


TOPOLOGIES = {
    "tiny": _tiny,
    "sample": _sample,
    "canary": _canary,
    "dense": _dense,
    "cycle": _cycle,
    "multi-az": _multi_az,
}
CASES = [(name, pattern) for name in TOPOLOGIES for pattern in PATTERNS]


def _golden_path(name: str, pattern: str) -> Path:
    return GOLDEN / f"{name}--{pattern}.dot"


# --------------------------------------------------------------------------- canonical DOT

_TOKEN = re.compile(
    r"""\s+|(?P<str>"(?:\\.|[^"\\])*")|(?P<html><)|(?P<arrow>->)"""
    r"""|(?P<id>[A-Za-z_][A-Za-z0-9_]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))|(?P<punct>[{}\[\]=;,:])"""
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ValueError(f"cannot read DOT at {text[pos : pos + 40]!r}")
        if match.group("html"):
            depth, end = 0, pos
            while True:
                depth += {"<": 1, ">": -1}.get(text[end], 0)
                end += 1
                if depth == 0:
                    break
            out.append(("html", text[pos:end]))
            pos = end
            continue
        kind = match.lastgroup
        if kind == "str":
            out.append(("id", re.sub(r'\\(["\\])', r"\1", match.group()[1:-1])))
        elif kind == "id":
            out.append(("id", match.group()))
        elif kind == "arrow":
            out.append(("punct", "->"))
        elif kind == "punct":
            out.append(("punct", match.group()))
        pos = match.end()
    return out


class _Reader:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, ahead: int = 0) -> tuple[str, str]:
        return self.toks[self.i + ahead] if self.i + ahead < len(self.toks) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.take()
        assert tok[1] == value, f"expected {value!r}, got {tok!r}"

    def value(self) -> str:
        kind, text = self.take()
        assert kind in ("id", "html"), f"expected an ID, got {text!r}"
        return text if kind == "html" else repr(text)

    def attrs(self) -> list[str]:
        pairs: list[str] = []
        while self.peek() == ("punct", "["):
            self.take()
            while self.peek() != ("punct", "]"):
                if self.peek()[1] in (",", ";"):
                    self.take()
                    continue
                key = self.value()
                self.expect("=")
                pairs.append(f"{key}={self.value()}")
            self.take()
        return pairs

    def endpoint(self) -> str:
        parts = [self.value()]
        while self.peek() == ("punct", ":"):
            self.take()
            parts.append(self.value())
        return ":".join(parts)

    def body(self, depth: int) -> list[str]:
        pad = "  " * depth
        lines: list[str] = []
        sets: list[str] = []

        def flush() -> None:
            if sets:
                lines.append(f"{pad}graph {sets}")
                sets.clear()

        while self.peek() != ("punct", "}"):
            kind, text = self.peek()
            if text == ";":
                self.take()
                continue
            if kind == "id" and text in ("subgraph",) or self.peek() == ("punct", "{"):
                flush()
                name = ""
                if text == "subgraph":
                    self.take()
                    if self.peek() != ("punct", "{"):
                        name = self.value()
                self.expect("{")
                lines.append(f"{pad}subgraph {name} {{")
                lines.extend(self.body(depth + 1))
                self.expect("}")
                lines.append(f"{pad}}}")
                continue
            if kind == "id" and text in ("graph", "node", "edge") and self.peek(1)[1] == "[":
                self.take()
                if text == "graph":
                    sets.extend(self.attrs())
                else:
                    flush()
                    lines.append(f"{pad}{text} {self.attrs()}")
                continue
            if self.peek(1) == ("punct", "="):
                key = self.value()
                self.take()
                sets.append(f"{key}={self.value()}")
                continue
            flush()
            ends = [self.endpoint()]
            while self.peek() == ("punct", "->"):
                self.take()
                ends.append(self.endpoint())
            attrs = self.attrs()
            if len(ends) == 1:
                lines.append(f"{pad}node {ends[0]} {attrs}")
            for a, b in zip(ends, ends[1:], strict=False):
                lines.append(f"{pad}edge {a} -> {b} {attrs}")
        flush()
        return lines


def canonical(text: str) -> list[str]:
    """The DOT's statements, one a line, in order; quoting and attribute order ignored."""
    reader = _Reader(text)
    reader.expect("digraph")
    name = reader.value()
    reader.expect("{")
    lines = [f"digraph {name} {{", *reader.body(1), "}"]
    reader.expect("}")
    assert reader.peek()[0] == "end"
    return lines


# --------------------------------------------------------------------------- tests


@pytest.mark.unit
def test_canonical_ignores_quoting_but_not_statement_or_attribute_order() -> None:
    a = 'digraph "g" {\n  "a" [id="a" x="1"]\n  {rank=same; "a" -> "b" -> "c" [style=invis]}\n}\n'
    b = "digraph g {\n\ta [id=a x=1]\n\t{\n\t\trank=same\n\t\ta -> b [style=invis]\n\t\tb -> c [style=invis]\n\t}\n}\n"
    swapped = "digraph g {\n\t{\n\t\trank=same\n\t\ta -> b [style=invis]\n\t\tb -> c [style=invis]\n\t}\n\ta [id=a x=1]\n}\n"

    assert canonical(a) == canonical(b)
    assert canonical(a) != canonical(swapped)
    assert canonical(a) != canonical(b.replace("[id=a x=1]", "[x=1 id=a]"))
    assert canonical('digraph g { a [label="<b>"] }') != canonical("digraph g { a [label=<b>] }")


@pytest.mark.unit
@pytest.mark.parametrize(("name", "pattern"), CASES)
def test_build_dot_matches_golden(name: str, pattern: str) -> None:
    dot = diagrams.build_dot(TOPOLOGIES[name](), pattern)
    path = _golden_path(name, pattern)
    if os.environ.get("GOLDEN_WRITE") == "1":
        path.write_text(dot, encoding="utf-8")

    golden = path.read_text(encoding="utf-8")

    assert canonical(dot) == canonical(golden)


@pytest.mark.parametrize(("name", "pattern"), CASES)
def test_build_dot_renders_the_same_svg_as_golden(name: str, pattern: str) -> None:
    dot = diagrams.build_dot(TOPOLOGIES[name](), pattern)
    golden = _golden_path(name, pattern).read_text(encoding="utf-8")

    assert diagrams.run_dot(dot, "svg") == diagrams.run_dot(golden, "svg")
