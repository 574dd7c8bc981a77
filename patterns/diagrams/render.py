"""Rendering: DOT -> SVG/PNG through graphviz's ``dot``, the cache, and the SVG made inline-safe.

Everything here except :func:`run_dot` (and the renders that call it on a cache miss) is pure. The
SVG and PNG caches are keyed by the DOT's SHA-256: a process LRU, and Django's cache as well when
the project configures ``CACHES``.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import graphviz
from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext
from graphviz.backend import dot_command, execute

from patterns.diagrams.dot import build_dot

DOT_TIMEOUT_S = 10.0


class GraphvizError(RuntimeError):
    """``dot`` is missing, timed out or failed."""


# --------------------------------------------------------------------------- running dot


def dot_hash(dot: str) -> str:
    return hashlib.sha256(dot.encode("utf-8")).hexdigest()


def run_dot(dot: str, fmt: str) -> bytes:
    """Run graphviz; a missing binary, a timeout or a failure is a :class:`GraphvizError`.

    ``graphviz.pipe`` takes no timeout, so this calls what it calls, the package's ``run_check``
    with the package's ``dot`` command line, and passes ``timeout`` through to
    ``subprocess.run``, which kills a ``dot`` still running when it expires.
    """
    cmd = [*dot_command.command("dot", fmt), *(["-Gdpi=144"] if fmt == "png" else [])]
    try:
        done = execute.run_check(
            cmd,
            input=dot.encode("utf-8"),
            capture_output=True,
            quiet=True,
            timeout=DOT_TIMEOUT_S,
        )
    except graphviz.ExecutableNotFound:
        raise GraphvizError(
            "graphviz 'dot' is not installed (Debian: apt-get install graphviz)"
        ) from None
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"graphviz 'dot' took longer than {DOT_TIMEOUT_S:g} s") from None
    except graphviz.CalledProcessError as error:
        message = (error.stderr or b"").decode("utf-8", "replace").strip()[:300]
        raise GraphvizError(f"graphviz 'dot' failed: {message}") from None
    stdout: bytes = done.stdout
    return stdout


# --------------------------------------------------------------------------- cache

_cache_lock = threading.Lock()
_svg_cache: OrderedDict[str, str] = OrderedDict()
_png_cache: OrderedDict[str, bytes] = OrderedDict()
CACHE_SIZE = 128
stats = {"svg_hits": 0, "svg_renders": 0, "png_hits": 0, "png_renders": 0}


def _django_cache() -> Any:
    """Django's cache when the project configures ``CACHES``; else None (the LRU is enough)."""
    if settings.configured and settings.is_overridden("CACHES"):
        return caches["default"]
    return None


def _cached(kind: str, store: OrderedDict[str, Any], dot: str, make: Any) -> Any:
    key = dot_hash(dot)
    with _cache_lock:
        if key in store:
            store.move_to_end(key)
            stats[f"{kind}_hits"] += 1
            return store[key]
    shared = _django_cache()
    value = shared.get(f"kumoben:diagram:{kind}:{key}") if shared is not None else None
    if value is None:
        value = make(dot)
        stats[f"{kind}_renders"] += 1
        if shared is not None:
            shared.set(f"kumoben:diagram:{kind}:{key}", value, 24 * 3600)
    else:
        stats[f"{kind}_hits"] += 1
    with _cache_lock:
        store[key] = value
        while len(store) > CACHE_SIZE:
            store.popitem(last=False)
    return value


def clear_cache() -> None:
    with _cache_lock:
        _svg_cache.clear()
        _png_cache.clear()
        for key in stats:
            stats[key] = 0


def render_svg(dot: str) -> str:
    """Inline-safe SVG for DOT text, laid out once per distinct DOT (cached by its SHA-256)."""
    result: str = _cached("svg", _svg_cache, dot, lambda d: inline_svg(run_dot(d, "svg")))
    return result


def render_png(dot: str) -> bytes:
    result: bytes = _cached("png", _png_cache, dot, lambda d: run_dot(d, "png"))
    return result


def diagram_svg(topology: Mapping[str, Any], pattern: str) -> str:
    return render_svg(build_dot(topology, pattern))


# --------------------------------------------------------------------------- SVG

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", _SVG_NS)
ET.register_namespace("xlink", _XLINK_NS)

_DEFS = (
    f'<defs xmlns="{_SVG_NS}">'
    '<pattern id="kb-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#9aa5b1" stroke-width="2"/></pattern>'
    '<pattern id="kb-hatch-red" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(-45)"><rect width="6" height="6" fill="#fff1f0"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#d64545" stroke-width="1.5"/></pattern>'
    "</defs>"
)


def inline_svg(raw: bytes) -> str:
    """Make graphviz's SVG safe and useful inline in a page.

    Drops the XML prologue, doctype and comments; replaces the fixed pt width/height with the
    viewBox (the page sizes it); keeps every id. Table cells come out of graphviz as
    ``<g id="a_<id>"><a xlink:title=…>``: they become ``<g id="<id>" class="…">`` with a
    ``<title>``, and a node's own tooltip wrapper is dissolved into the node. Class tokens such as
    ``svc--inventory`` become ``data-svc="inventory"``; every task gets ``data-svc``/``data-az``,
    its outline the class ``shape`` and an empty ``badge`` text for the player to fill.
    """
    root = ET.fromstring(raw)
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    root.set("class", f"kb-diagram-svg {width_class(root.get('viewBox', ''))}")
    root.set("role", "img")
    root.set("preserveAspectRatio", "xMidYMin meet")
    graph = root.find(_tag("g"))
    if graph is not None:
        pattern_class = [c for c in graph.get("class", "").split() if c.startswith("pattern--")]
        if pattern_class:
            root.set("data-pattern", pattern_class[0].split("--", 1)[1])
        for child in list(graph):
            if child.tag == _tag("polygon"):  # the page background graphviz paints
                graph.remove(child)
                break
    _rework(root, [])
    kinds = [g.get("class", "").split() for g in root.iter(_tag("g"))]
    services = sum(1 for k in kinds if "service" in k)
    tasks = sum(1 for k in kinds if "task" in k)
    root.set(
        "aria-label",
        gettext("%(pattern)s diagram: %(services)s ECS services, %(tasks)s tasks")
        % {"pattern": root.get("data-pattern", ""), "services": services, "tasks": tasks},
    )
    root.insert(0, ET.fromstring(_DEFS))
    return ET.tostring(root, encoding="unicode")


def width_class(view_box: str) -> str:
    """A size bucket for diagram.css's minimum width (about 0.85 of the natural width)."""
    parts = view_box.split()
    width = float(parts[2]) if len(parts) == 4 else 0.0
    for limit in (600, 800, 1000, 1200, 1500):
        if width <= limit:
            return f"kb-w-{limit}"
    return "kb-w-max"


def _tag(name: str) -> str:
    return f"{{{_SVG_NS}}}{name}"


_CELL_CLASSES = (
    ("task-", "node task"),
    ("alb-node-", "node alb-node"),
    ("alb-dns", "node alb-dns"),
    ("vs-", "node virtual-service"),
    ("vr-", "node virtual-router"),
    ("vn-", "node virtual-node"),
    ("dns-cache-", "node dns-cache"),
)


def _cell_class(element_id: str) -> str:
    if element_id.startswith("svc-") and "-az-" in element_id:
        return "az"
    for prefix, classes in _CELL_CLASSES:
        if element_id.startswith(prefix):
            return classes
    return "cell"


def _rework(element: ET.Element, ancestors: list[ET.Element]) -> None:
    index = 0
    while index < len(element):
        child = element[index]
        if child.tag == _tag("g") and child.get("id", "").startswith("a_"):
            anchor = child.find(_tag("a"))
            inner = list(anchor) if anchor is not None else []
            tooltip = anchor.get(f"{{{_XLINK_NS}}}title", "") if anchor is not None else ""
            real_id = child.get("id", "")[2:]
            owner = next((a for a in ancestors + [element] if a.get("id") == real_id), None)
            if owner is not None:
                # The node's own tooltip: dissolve the wrapper, keep the text as its title.
                element.remove(child)
                for offset, grandchild in enumerate(inner):
                    element.insert(index + offset, grandchild)
                title = owner.find(_tag("title"))
                if title is not None:
                    title.text = tooltip
                continue
            child.attrib.clear()
            child.set("id", real_id)
            child.set("class", _cell_class(real_id))
            if anchor is not None:
                child.remove(anchor)
            title = ET.SubElement(child, _tag("title"))
            title.text = tooltip
            child.extend(inner)
            _decorate_cell(child, ancestors + [element])
        classes = child.get("class")
        if classes:
            _split_classes(child, classes)
        if child.tag == _tag("g") and "node" in child.get("class", "").split():
            _mark_shape(child)
        if child.tag == _tag("g") and child.get("id", "").startswith("edge-"):
            # graphviz titles an edge with its DOT ports ("svc-a:task-a-1:s->alb:alb-node-1a:n").
            title = child.find(_tag("title"))
            if title is not None:
                title.text = child.get("id", "")[len("edge-") :].replace("--", " → ")
        _rework(child, ancestors + [element])
        index += 1


def _decorate_cell(cell: ET.Element, ancestors: list[ET.Element]) -> None:
    element_id = cell.get("id", "")
    service = next(
        (a.get("id", "")[4:] for a in reversed(ancestors) if "service" in a.get("class", "")),
        "",
    )
    if service:
        cell.set("data-svc", service)
    if element_id.startswith("svc-") and "-az-" in element_id:
        cell.set("data-az", element_id.rsplit("-az-", 1)[1])
    az = next((a.get("data-az") for a in reversed(ancestors) if a.get("data-az")), None)
    if element_id.startswith("task-") and az:
        cell.set("data-az", az)
    if element_id.startswith("alb-node-"):
        cell.set("data-az", element_id[len("alb-node-") :])


def _split_classes(element: ET.Element, classes: str) -> None:
    kept = []
    for token in classes.split():
        key, sep, value = token.partition("--")
        if sep and key and value:
            element.set(f"data-{key}", value)
        else:
            kept.append(token)
    element.set("class", " ".join(kept))


def _mark_shape(node: ET.Element) -> None:
    """Class the node's fill ``shape-fill`` and its outline ``shape`` (one element may be both)."""
    shapes = [c for c in node if c.tag in (_tag("path"), _tag("polygon"), _tag("ellipse"))]
    if not shapes:
        return
    filled = next((c for c in shapes if c.get("fill") not in (None, "none")), None)
    outline = next((c for c in shapes if c.get("stroke") not in (None, "transparent")), None)
    if filled is not None:
        filled.set("class", "shape-fill")
    if outline is not None:
        outline.set("class", "shape shape-fill" if outline is filled else "shape")
    if "task" not in node.get("class", "").split():
        return
    xs, ys = _bbox(outline if outline is not None else shapes[0])
    if not xs:
        return
    badge = ET.SubElement(node, _tag("text"))
    badge.set("class", "badge")
    badge.set("x", f"{max(xs) - 4:.2f}")
    badge.set("y", f"{min(ys) + 10:.2f}")
    badge.set("text-anchor", "end")
    badge.set("font-size", "9")
    badge.set("aria-hidden", "true")
    badge.text = ""


def _bbox(shape: ET.Element) -> tuple[list[float], list[float]]:
    text = shape.get("points") or shape.get("d") or ""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return numbers[0::2], numbers[1::2]
