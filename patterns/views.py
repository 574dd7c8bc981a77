"""Views: thin. Each htmx partial is named after the hx-target it fills."""

from __future__ import annotations

import asyncio
import logging
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from patterns import showcase
from patterns.catalog import BY_SLUG, PATTERNS
from patterns.lessons import library

logger = logging.getLogger(__name__)

HEALTH_TIMEOUT_S = 2.0


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _home_context(selected: object) -> dict[str, object]:
    lessons = list(library.lessons(library.language()).values())
    return {
        "patterns": PATTERNS,
        "selected": selected,
        "hero": showcase.hero(),
        "first_lesson": lessons[0] if lessons else None,
        "lesson_count": len(lessons),
    }


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "home.html", _home_context(None))


@require_GET
def pattern_summary(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    selected = BY_SLUG.get(slug)
    if selected is None:
        raise Http404("no such pattern")
    if request.htmx:
        context = {"patterns": PATTERNS, "selected": selected}
        return render(request, "home.html#pattern-explorer", context)
    return render(request, "home.html", _home_context(selected))


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


async def _check_channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    # A plain channel name (no "!"): channels-redis serves a process's "!" channels behind one
    # receive lock that any open WebSocket's consumer may be holding while it blocks on its own
    # list, so a probe on such a channel starved and reported 503 whenever somebody was connected.
    # A plain channel is received with its own blocking pop, independent of every consumer.
    channel = f"healthz.{uuid.uuid4().hex}"
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz", "token": token})
    message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("the layer returned a different message")
    return "ok"


async def _probe(name: str, check: object) -> tuple[str, str]:
    try:
        if asyncio.iscoroutinefunction(check):
            result = await asyncio.wait_for(check(), HEALTH_TIMEOUT_S)
        else:
            result = await asyncio.wait_for(
                sync_to_async(check, thread_sensitive=True)(),
                HEALTH_TIMEOUT_S,  # type: ignore[arg-type]
            )
    except Exception as error:  # noqa: BLE001 - a health probe reports every failure
        logger.warning("healthz: %s failed: %r", name, error)
        return name, f"error: {type(error).__name__}"
    return name, result


@never_cache
@require_GET
async def healthz(request: HttpRequest) -> JsonResponse:
    results = dict(
        await asyncio.gather(
            _probe("database", _check_database), _probe("channel_layer", _check_channel_layer)
        )
    )
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **results}, status=200 if healthy else 503
    )
