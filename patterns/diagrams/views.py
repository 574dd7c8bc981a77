"""Diagram exports: ``/diagrams/<pattern>.svg|.png|.dot?t=<topology token>`` (thin views).

Without ``t`` the sample system is drawn. A bad pattern or token is a 400 naming the field; a
missing graphviz is a 503 saying so. Responses are content-addressed by the DOT's hash (ETag).
"""

from __future__ import annotations

import functools

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from patterns import diagrams
from patterns.errors import localized
from patterns.sim import PATTERNS, load_scenario

CONTENT_TYPES = {
    "svg": "image/svg+xml; charset=utf-8",
    "png": "image/png",
    "dot": "text/vnd.graphviz; charset=utf-8",
}


def bad_request(field: str, reason: str) -> HttpResponse:
    return HttpResponse(
        f"{field}: {reason}\n", status=400, content_type="text/plain; charset=utf-8"
    )


def _get_dot(request: HttpRequest, pattern: str) -> str:
    return _dot_for(request.GET.get("t"), pattern, translation.get_language())


@functools.lru_cache(maxsize=diagrams.CACHE_SIZE)
def _dot_for(token: str | None, pattern: str, lang: str) -> str:
    """The DOT for a token (None: the sample system) in a language (the labels are translated),
    remembered: a token always gives the same DOT, and a cached SVG should not wait for the DOT to
    be built again to find its hash."""
    if token is None:
        topology = diagrams.topology_from_scenario(load_scenario("steady").to_dict())
    else:
        topology = diagrams.topology_from_token(token)
    return diagrams.build_dot(topology, pattern)


def _get_body(dot: str, fmt: str) -> str | bytes:
    if fmt == "svg":
        return diagrams.render_svg(dot)
    if fmt == "png":
        return diagrams.render_png(dot)
    return dot


@require_GET
def diagram(request: HttpRequest, pattern: str, fmt: str) -> HttpResponse:
    if pattern not in PATTERNS:
        return bad_request("pattern", localized(f"must be one of {', '.join(PATTERNS)}"))
    try:
        dot = _get_dot(request, pattern)
    except diagrams.TopologyError as error:
        return bad_request(error.field, localized(error))
    try:
        body = _get_body(dot, fmt)
    except diagrams.GraphvizError as error:
        return HttpResponse(f"{error}\n", status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["ETag"] = f'"{diagrams.dot_hash(dot)[:32]}"'
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    patch_vary_headers(response, ("Cookie",))  # the language cookie picks the labels' language
    if request.GET.get("download") == "1":
        response["Content-Disposition"] = f'attachment; filename="kumoben-{pattern}.{fmt}"'
    return response
