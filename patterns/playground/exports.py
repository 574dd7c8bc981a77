"""Diagram exports at the playhead: ``/playground/export/<pattern>.<svg|png|dot>?run=&at=&lang=``.

``run`` is the run's permalink, ``at`` the playhead in seconds and ``lang`` the page's language:
the file shows the state the player shows at that moment, with the diagram's words and its
caption in that language. Bad input is a 400 naming the field, never a 500; a missing graphviz
is a 503 saying so.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from patterns import diagrams
from patterns.catalog import PATTERN_NAMES
from patterns.diagrams.views import CONTENT_TYPES, bad_request
from patterns.errors import FieldError
from patterns.player.export import moment, moment_dot
from patterns.player.playback import PlaybackError
from patterns.player.runs import RunRequest, check_lang
from patterns.sim import PATTERNS


def _get_request(request: HttpRequest, pattern: str) -> RunRequest:
    if "run" not in request.GET:
        raise PlaybackError("run", "is required (the run's permalink)")
    lang = check_lang(request.GET.get("lang", "en"))
    run = RunRequest.parse({"permalink": request.GET["run"], "lang": lang})
    if pattern not in PATTERNS or run.pattern not in (pattern, "all"):
        shown = ", ".join(PATTERNS) if run.pattern == "all" else run.pattern
        raise PlaybackError("pattern", f"must be one this run shows: {shown}")
    return run


@require_GET
def export(request: HttpRequest, pattern: str, fmt: str) -> HttpResponse:
    try:
        run = _get_request(request, pattern)
        with translation.override(run.lang):
            shown = moment(run, pattern, request.GET.get("at"))
            caption = gettext("%(pattern)s at %(t)s s · seed %(seed)s · Kumoben") % {
                "pattern": PATTERN_NAMES.get(pattern, pattern),
                "t": f"{shown.at:.1f}",
                "seed": run.seed,
            }
            dot = moment_dot(shown, pattern, caption)
    except FieldError as error:
        return bad_request(error.field, error.reason)
    try:
        body: str | bytes = dot
        if fmt == "svg":
            body = diagrams.render_svg(dot)
        elif fmt == "png":
            body = diagrams.render_png(dot)
    except diagrams.GraphvizError as error:
        return HttpResponse(f"{error}\n", status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="kumoben-{pattern}-{shown.at:.1f}s.{fmt}"'
    )
    response["Content-Language"] = run.lang
    response["X-Content-Type-Options"] = "nosniff"
    return response
