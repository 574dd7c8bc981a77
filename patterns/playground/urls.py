from __future__ import annotations

from django.urls import URLPattern, path, re_path

from patterns.playground import api as views_playground_api
from patterns.playground import exports as views_playground_exports
from patterns.playground import views as views_playground

urlpatterns: list[URLPattern] = [
    path("", views_playground.playground, name="playground"),
    path("setup", views_playground.setup, name="playground-setup"),
    path("api/run", views_playground_api.run, name="playground-api-run"),
    re_path(
        r"^export/(?P<pattern>[a-z0-9-]{1,40})\.(?P<fmt>svg|png|dot)$",
        views_playground_exports.export,
        name="playground-export",
    ),
]
