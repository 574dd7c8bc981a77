from __future__ import annotations

from django.urls import URLPattern, re_path

from patterns.diagrams import views as views_diagrams

# /diagrams/<pattern>.<svg|png|dot>?t=<topology token>; an unknown pattern still reaches the
# view, which answers 400 naming the field instead of a bare 404.
urlpatterns: list[URLPattern] = [
    re_path(
        r"^(?P<pattern>[a-z0-9-]{1,40})\.(?P<fmt>svg|png|dot)$",
        views_diagrams.diagram,
        name="diagram",
    ),
]
