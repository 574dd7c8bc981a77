from __future__ import annotations

from django.urls import URLPattern, path

from patterns.labs import views as views_labs
from patterns.lessons import quiz_views
from patterns.lessons import views as views_lessons

# Mounted at /labs/ by patterns/urls.py; "labs" names the index (the header links to it). Quiz
# grading and the step-read report are lesson views that kept their /labs/ addresses.
urlpatterns: list[URLPattern] = [
    path("", views_labs.lab_index, name="labs"),
    path("quiz/<slug:slug>/<slug:quiz_id>/", quiz_views.quiz_grade, name="quiz-grade"),
    path("read/", views_lessons.step_read, name="step-read"),
    path("<slug:slug>/", views_labs.lab_page, name="lab"),
    path("<slug:slug>/check/", views_labs.lab_check, name="lab-check"),
    path("<slug:slug>/hint/", views_labs.lab_hint, name="lab-hint"),
    path("<slug:slug>/variant/", views_labs.lab_variant, name="lab-variant"),
]

# Mounted at /progress/ by patterns/urls.py.
progress_urlpatterns: list[URLPattern] = [
    path("", views_labs.progress_page, name="progress"),
    path("review/", quiz_views.review_answer, name="quiz-review"),
]
