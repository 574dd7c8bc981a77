from __future__ import annotations

from django.urls import URLPattern, path

from patterns.lessons import cost_views
from patterns.lessons import views as views_lessons

# Mounted at /lessons/ by patterns/urls.py; "lessons" names the index (the header links to it).
urlpatterns: list[URLPattern] = [
    path("", views_lessons.lesson_index, name="lessons"),
    path("glossary/", views_lessons.glossary, name="lessons-glossary"),
    path("compare/cost/", cost_views.cost_page, name="lessons-cost"),
    path("<slug:slug>/", views_lessons.lesson_step, name="lesson"),
    path("<slug:slug>/present/", views_lessons.lesson_present, name="lesson-present"),
]
