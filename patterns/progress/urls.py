from __future__ import annotations

from django.urls import URLPattern, path

from patterns.progress import views

# Mounted at /progress/ by patterns/urls.py.
urlpatterns: list[URLPattern] = [
    path("", views.progress_page, name="progress"),
]
