"""The playground's JSON endpoint: an instant run (every frame at once).

It takes a JSON body ``{"scenario": {...} | "<built-in name>", "pattern", "seed", "lang", "log"}``
(or ``{"permalink": token}``), is POST only and CSRF protected (send ``X-CSRFToken``). Bad input
is answered with HTTP 400 and ``{"type": "error", "field": ..., "reason": ...}`` — never a 500.
The instant run is simulated in a worker thread so a long run never holds up other requests.

Work is bounded before it starts (review D4): the run's engine cost is estimated from its
scenario (``patterns.sim.cost``) and a run over KUMOBEN_INSTANT_BUDGET_S is refused with 400 and
the limit; one address has at most KUMOBEN_RUNS_PER_ADDRESS runs computing at once (further ones
wait their turn, then get 429).
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from patterns import untrusted
from patterns.errors import FieldError, localized
from patterns.live import RUN_SLOTS, RunsBusy, check_budget, client_address
from patterns.player import permalink
from patterns.player.playback import INSTANT_LIMITS, PlaybackError, instant_frames
from patterns.player.runs import RunRequest
from patterns.sim.cost import work_estimate

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
        data = untrusted.load(raw)
    except untrusted.UntrustedJSON as refused:
        raise _BadInput("body", str(refused)) from None
    if not isinstance(data, dict):
        raise _BadInput("body", "expected a JSON object")
    return data


def _request(data: dict[str, Any]) -> RunRequest:
    """The run a body asks for; without a ``lang`` it is the page's language."""
    return RunRequest.parse(data, lang="ja" if (get_language() or "").startswith("ja") else "en")


def _within_budget(request: RunRequest) -> None:
    """Refuse a run whose estimated engine time is over the instant-run budget; validates the
    scenario and the log on the way (building a run does not run the engine)."""
    playback = request.playback(limits=INSTANT_LIMITS, topology_hook=None)
    check_budget(
        work_estimate(playback.scenario, patterns=len(playback.streams)),
        settings.KUMOBEN_INSTANT_BUDGET_S,
        "KUMOBEN_INSTANT_BUDGET_S",
    )


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
    address = client_address(
        str(request.META.get("REMOTE_ADDR") or "0.0.0.0"),
        str(request.META.get("HTTP_X_FORWARDED_FOR", "")),
    )
    try:
        asked = _request(_body(request))
        await asyncio.to_thread(_within_budget, asked)
        async with RUN_SLOTS.slot(address):
            messages = await asyncio.to_thread(_instant_messages, asked)
    except _BadInput as error:
        return _error(error.field, localized(error), error.status)
    except RunsBusy as error:
        return _error(error.field, localized(error), 429)
    except (PlaybackError, permalink.PermalinkError, FieldError) as error:
        return _error(error.field, localized(error))
    return JsonResponse({"messages": messages})
