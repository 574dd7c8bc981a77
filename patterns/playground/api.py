"""The playground's JSON endpoint: an instant run (every frame at once).

It takes a JSON body ``{"scenario": {...} | "<built-in name>", "pattern", "seed", "lang", "log"}``
(or ``{"permalink": token}``), is POST only and CSRF protected (send ``X-CSRFToken``). Bad input
is answered with HTTP 400 and ``{"type": "error", "field": ..., "reason": ...}`` — never a 500.
The instant run is simulated in a worker thread so a long run never holds up other requests.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from patterns.errors import FieldError, localized
from patterns.player import permalink
from patterns.player.playback import PlaybackError, instant_frames
from patterns.player.runs import RunRequest

MAX_BODY_BYTES = 65536


class _BadInput(FieldError):
    def __init__(self, field: str, reason: str, status: int = 400) -> None:
        super().__init__(field, reason)
        self.status = status


def _error(field: str, reason: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"type": "error", "field": field, "reason": reason}, status=status)


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise _BadInput("body", f"larger than {MAX_BODY_BYTES} bytes", 413)
    raw = request.body
    if len(raw) > MAX_BODY_BYTES:
        raise _BadInput("body", f"larger than {MAX_BODY_BYTES} bytes", 413)
    try:
        data = json.loads(raw.decode())
    except (UnicodeDecodeError, ValueError):
        raise _BadInput("body", "not valid JSON") from None
    if not isinstance(data, dict):
        raise _BadInput("body", "expected a JSON object")
    return data


def _request(data: dict[str, Any]) -> RunRequest:
    """The run a body asks for; without a ``lang`` it is the page's language."""
    return RunRequest.parse(data, lang="ja" if (get_language() or "").startswith("ja") else "en")


def _instant_messages(request: RunRequest) -> list[dict[str, Any]]:
    result = instant_frames(
        request.scenario, request.pattern, request.seed, request.lang, request.log
    )
    end = result["frames"][-1]["t1"] if result["frames"] else 0.0
    return [
        result["hello"],
        *result["frames"],
        *result["readouts"],
        {"type": "status", "state": "ended", "t": end, "speed": 1.0, "branch": 0},
    ]


@require_POST
async def run(request: HttpRequest) -> JsonResponse:
    """The whole run at once: ``{"messages": [hello, frames..., readouts..., status]}``."""
    try:
        asked = _request(_body(request))
        messages = await asyncio.to_thread(_instant_messages, asked)
    except _BadInput as error:
        return _error(error.field, localized(error), error.status)
    except (PlaybackError, permalink.PermalinkError) as error:
        return _error(error.field, localized(error))
    return JsonResponse({"messages": messages})
