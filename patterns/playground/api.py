"""The playground's JSON endpoint: an instant run (every frame at once).

It takes a JSON body ``{"scenario": {...} | "<built-in name>", "pattern", "seed", "lang", "log"}``
(or ``{"permalink": token}``), is POST only and CSRF protected (send ``X-CSRFToken``). Bad input
is answered with HTTP 400 and ``{"type": "error", "field": ..., "reason": ...}`` — never a 500.
The instant run is simulated in a worker process of its own, so a long run never holds up
other requests (nor the GIL they need).

Work is bounded before it starts (review D4): the run's engine cost is estimated from its
scenario (``patterns.sim.cost``) and a run over KUMOBEN_INSTANT_BUDGET_S is refused with 400 and
the limit; one address has at most KUMOBEN_RUNS_PER_ADDRESS runs computing at once (further ones
wait their turn, then get 429).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from patterns import untrusted
from patterns.errors import FieldError, localized
from patterns.live import RUN_SLOTS, RunsBusy, check_budget, client_address
from patterns.player import permalink
from patterns.player.playback import (
    ALL,
    INSTANT_LIMITS,
    Limits,
    PlaybackError,
    instant_frames,
    prepare_scenario,
    replay_actions,
)
from patterns.player.runs import RunRequest
from patterns.sim import PATTERNS
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


def run_estimate(request: RunRequest, limits: Limits, until_s: float | None = None) -> float:
    """Estimated engine seconds of ``request`` from 0 to ``until_s`` (its end when None), from the
    scenario as the engine will run it (caps, sampling and the replayed log) but without building
    the simulations: refusing a hostile run costs about a millisecond. A scenario or log the
    engine refuses estimates 0 here; building the run then names what is wrong."""
    try:
        base = prepare_scenario(request.scenario, request.pattern, request.seed, limits)
        replay = base.with_overrides(actions=replay_actions(base, request.log))
    except (FieldError, KeyError, TypeError, ValueError):
        return 0.0
    return work_estimate(replay, until_s, patterns=len(PATTERNS) if request.pattern == ALL else 1)


def _within_budget(request: RunRequest) -> None:
    """Refuse a run whose estimated engine time is over the instant-run budget."""
    check_budget(
        run_estimate(request, INSTANT_LIMITS),
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


def _instant_body(request: RunRequest) -> tuple[bytes, str, str]:
    """In a worker process: the response body, or ``(b"", field, reason)`` when refused."""
    try:
        return json.dumps({"messages": _instant_messages(request)}).encode(), "", ""
    except FieldError as error:  # an exception with two arguments does not cross a process
        return b"", error.field, error.reason


def _start_worker() -> None:
    import django

    django.setup()


_POOL: ProcessPoolExecutor | None = None
#: A worker process is replaced after this many runs, so what a large run took is given back.
RUNS_PER_WORKER = 50


def _pool() -> ProcessPoolExecutor:
    """The engine's own process for instant runs: a run holds no lock this process's pages
    need (in a thread it held the GIL, and a page took 1.1 s instead of 32 ms meanwhile)."""
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            max_tasks_per_child=RUNS_PER_WORKER,
        )
    return _POOL


async def _computed(request: RunRequest) -> tuple[bytes, str, str]:
    global _POOL
    try:
        return await asyncio.wrap_future(_pool().submit(_instant_body, request))
    except BrokenProcessPool:  # the worker died (killed, out of memory): a fresh one next time
        _POOL = None
        raise


@require_POST
async def run(request: HttpRequest) -> HttpResponse:
    """The whole run at once: ``{"messages": [hello, frames..., readouts..., status]}``."""
    address = client_address(
        str(request.META.get("REMOTE_ADDR") or "0.0.0.0"),
        str(request.META.get("HTTP_X_FORWARDED_FOR", "")),
    )
    try:
        asked = _request(_body(request))
        _within_budget(asked)
        async with RUN_SLOTS.slot(address):
            body, field, reason = await _computed(asked)
        if field:
            raise PlaybackError(field, reason)
    except _BadInput as error:
        return _error(error.field, localized(error), error.status)
    except RunsBusy as error:
        return _error(error.field, localized(error), 429)
    except BrokenProcessPool:
        error = FieldError("run", "the engine's worker process stopped; try again")
        return _error(error.field, localized(error), 503)
    except (PlaybackError, permalink.PermalinkError, FieldError) as error:
        return _error(error.field, localized(error))
    return HttpResponse(body, content_type="application/json")
