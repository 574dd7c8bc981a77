from __future__ import annotations

from django.urls import URLPattern, path

from patterns.playground import api as views_playground_api
from patterns.playground import views as views_playground

urlpatterns: list[URLPattern] = [
    path("", views_playground.playground, name="playground"),
    path("setup", views_playground.setup, name="playground-setup"),
    path("api/run", views_playground_api.run, name="playground-api-run"),
]
