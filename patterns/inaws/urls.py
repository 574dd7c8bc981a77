from __future__ import annotations

from django.urls import URLPattern, path, re_path

from patterns.inaws import views as views_inaws

urlpatterns: list[URLPattern] = [
    path("", views_inaws.panel, name="inaws"),
    re_path(
        r"^download/(?P<kind>api\.json|template\.yaml)$",
        views_inaws.download,
        name="inaws-download",
    ),
]
