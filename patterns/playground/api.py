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

from patterns.errors import FieldError
from patterns.player import permalink
from patterns.player.playback import PlaybackError, instant_frames
from patterns.sim import BUILTIN_SCENARIOS

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


def _run_args(data: dict[str, Any]) -> dict[str, Any]:
    """scenario, pattern, seed and log from a body (or from the permalink it carries)."""
    if "permalink" in data:
        link = permalink.decode(data["permalink"])
        return {
            "scenario": link.scenario,
            "pattern": link.pattern,
            "seed": link.seed,
            "log": link.log,
        }
    scenario = data.get("scenario")
    if isinstance(scenario, str):
        if scenario not in BUILTIN_SCENARIOS:
            raise _BadInput("scenario", f"unknown built-in scenario {scenario[:40]!r}")
        scenario = dict(BUILTIN_SCENARIOS[scenario])
    if not isinstance(scenario, dict):
        raise _BadInput("scenario", "must be an object or the name of a built-in scenario")
    scenario = {k: v for k, v in scenario.items() if k != "assumptions"}
    log = data.get("log", [])
    if not isinstance(log, list) or not all(isinstance(a, dict) for a in log):
        raise _BadInput("log", "must be a list of action objects")
    if len(log) > permalink.MAX_LOG_ACTIONS:
        raise _BadInput("log", f"more than {permalink.MAX_LOG_ACTIONS} actions")
    return {
        "scenario": scenario,
        "pattern": data.get("pattern", scenario.get("pattern", "elb")),
        "seed": data.get("seed", scenario.get("seed", 1)),
        "log": log,
    }


def _lang(data: dict[str, Any]) -> str:
    lang = data.get("lang")
    if lang is None:
        return "ja" if (get_language() or "").startswith("ja") else "en"
    if lang not in ("en", "ja"):
        raise _BadInput("lang", "must be one of en, ja")
    return str(lang)


def _instant_messages(args: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    result = instant_frames(args["scenario"], args["pattern"], args["seed"], lang, args["log"])
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
        data = _body(request)
        args = _run_args(data)
        messages = await asyncio.to_thread(_instant_messages, args, _lang(data))
    except _BadInput as error:
        return _error(error.field, error.reason, error.status)
    except (PlaybackError, permalink.PermalinkError) as error:
        return _error(error.field, error.reason)
    return JsonResponse({"messages": messages})
