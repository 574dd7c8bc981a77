from __future__ import annotations

from django.urls import URLPattern, path

from patterns.guide import views as views_guide

# Mounted at /guide/ by patterns/urls.py.
urlpatterns: list[URLPattern] = [
    path("", views_guide.guide, name="guide"),
    path("troubleshooting/", views_guide.troubleshooting, name="guide-troubleshooting"),
]
