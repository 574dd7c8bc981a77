from __future__ import annotations

from django.urls import URLPattern, path

from patterns.playground import api as views_playground_api
from patterns.playground import views as views_playground

urlpatterns: list[URLPattern] = [
    path("", views_playground.playground, name="playground"),
    # JSON endpoints: instant run, validation.
    path("api/run", views_playground_api.run, name="playground-api-run"),
    path("api/validate", views_playground_api.validate, name="playground-api-validate"),
]
