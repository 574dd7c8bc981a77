from __future__ import annotations

from django.urls import include, path

from patterns import views
from patterns.labs.urls import progress_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("patterns/<slug:slug>/", views.pattern_summary, name="pattern-summary"),
    path("lessons/", include("patterns.lessons.urls")),
    path("labs/", include("patterns.labs.urls")),
    path("progress/", include(progress_urlpatterns)),
    path("playground/", include("patterns.playground.urls")),
    path("diagrams/", include("patterns.diagrams.urls")),
    path("in-aws/", include("patterns.inaws.urls")),
    path("sessions/", include("patterns.sessions.urls")),
    path("guide/", include("patterns.guide.urls")),
    path("healthz", views.healthz, name="healthz"),
]
