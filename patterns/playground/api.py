"""The playground's JSON endpoint: an instant run (every frame at once).

It takes a JSON body ``{"scenario": {...} | "<built-in name>", "pattern", "seed", "lang", "log"}``
(or ``{"permalink": token}``), is POST only and CSRF protected (send ``X-CSRFToken``). Bad input
is answered with HTTP 400 and ``{"type": "error", "field": ..., "reason": ...}`` — never a 500.
The instant run is simulated in an engine worker process (``patterns.playground.workers``), so
a long run never holds up other requests (nor the GIL they need), and a run whose page closed
stops there. A run that has to wait its turn (its address's run slots or the engine busy) is
answered at once as ``application/x-ndjson``: a ``{"type": "queued", "reason"}`` line the page
shows while it waits, then the run's body or ``{"type": "error", ..., "status"}`` as last line.

Work is bounded before it starts (review D4): the run's engine cost is estimated from its
scenario (``patterns.sim.cost``) and a run over KUMOBEN_INSTANT_BUDGET_S is refused with 400 and
the limit; one address has at most KUMOBEN_RUNS_PER_ADDRESS runs computing at once (further ones
wait their turn, then are refused with status 429).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
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
from patterns.playground.workers import ENGINE, WorkerDied
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


async def _computed(request: RunRequest) -> tuple[bytes, str, str]:
    """The run's body from an engine worker; a cancelled request (the page closed) stops it."""
    body: tuple[bytes, str, str] = await ENGINE.run(_instant_body, request)
    return body


def _line(item: dict[str, Any]) -> bytes:
    return json.dumps(item).encode() + b"\n"


def _refusal(error: FieldError, status: int) -> bytes:
    return _line(
        {"type": "error", "field": error.field, "reason": localized(error), "status": status}
    )


async def _queued_run(asked: RunRequest, address: str, language: str) -> AsyncIterator[bytes]:
    """The answer of a run that has to wait its turn, as lines of JSON: first
    ``{"type": "queued", "reason": ...}`` (so the page says it waits), then the run's
    ``{"messages": [...]}`` or ``{"type": "error", "field", "reason", "status"}``."""
    translation.activate(language)  # the page's language, for the refusals too
    yield _line(
        {"type": "queued", "reason": _("Waiting for the engine: other runs are ahead of this one.")}
    )
    try:
        async with RUN_SLOTS.slot(address):
            body, field, reason = await _computed(asked)
        if field:
            raise PlaybackError(field, reason)
    except WorkerDied:
        yield _refusal(FieldError("run", "the engine's worker process stopped; try again"), 503)
        return
    except (PlaybackError, permalink.PermalinkError, FieldError) as error:
        yield _refusal(error, 429 if isinstance(error, RunsBusy) else 400)
        return
    yield body + b"\n"


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
        if RUN_SLOTS.full(address) or ENGINE.busy():
            # It waits its turn: answer at once that it does, then with the run.
            return StreamingHttpResponse(
                _queued_run(asked, address, get_language()), content_type="application/x-ndjson"
            )
        async with RUN_SLOTS.slot(address):
            body, field, reason = await _computed(asked)
        if field:
            raise PlaybackError(field, reason)
    except _BadInput as error:
        return _error(error.field, localized(error), error.status)
    except RunsBusy as error:
        return _error(error.field, localized(error), 429)
    except WorkerDied:
        error = FieldError("run", "the engine's worker process stopped; try again")
        return _error(error.field, localized(error), 503)
    except (PlaybackError, permalink.PermalinkError, FieldError) as error:
        return _error(error.field, localized(error))
    return HttpResponse(body, content_type="application/json")
