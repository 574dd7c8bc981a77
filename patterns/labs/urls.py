from __future__ import annotations

from django.urls import URLPattern, path

from patterns.labs import views as views_labs

# Mounted at /labs/ by patterns/urls.py; "labs" names the index (the header links to it).
urlpatterns: list[URLPattern] = [
    path("", views_labs.lab_index, name="labs"),
    path("quiz/<slug:slug>/<slug:quiz_id>/", views_labs.quiz_grade, name="quiz-grade"),
    path("read/", views_labs.step_read, name="step-read"),
    path("<slug:slug>/", views_labs.lab_page, name="lab"),
    path("<slug:slug>/check/", views_labs.lab_check, name="lab-check"),
]
