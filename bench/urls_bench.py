"""Bench-only URLs: the whole app plus ``/bench/minimal``, the smallest Django view there is."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kumoben.urls import urlpatterns as app_urlpatterns


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal", minimal), *app_urlpatterns]
