from __future__ import annotations

from django.urls import URLPattern, path

from patterns import views

# The playground page replaces this placeholder; keep the name "playground" (the header links to it).
urlpatterns: list[URLPattern] = [
    path("", views.area, {"name": "playground"}, name="playground"),
]
