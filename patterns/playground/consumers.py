"""The playground's live stream: one simulation per connection, paced with ``asyncio.sleep``.

Client -> server: ``start``, ``pause``, ``play``, ``speed``, ``action``, ``fork``, ``resume``
(shapes in patterns/player/PROTOCOL.md). Server -> client: ``hello``, ``frame``, ``status``,
``readouts``, ``log`` (the authoritative action log and permalink after each applied action) and
``error`` (field + reason; the connection stays usable).

Pacing: the frame of the window ending at virtual time t1 is due at
``anchor_wall + (t1 - anchor_t) / speed`` and is computed when it is due (in a worker thread, so a
large scenario never blocks the event loop), so a live action is applied at exactly the time of the
last frame the client holds. Frames are deterministic (see :mod:`patterns.player.playback`), which is what
makes ``resume`` and ``fork`` plain rebuilds.

Work is bounded (review D4): a ``resume`` or ``fork`` that would skip the engine further than
KUMOBEN_RUN_BUDGET_S of estimated engine time (``patterns.sim.cost``) is refused before it runs,
and every engine computation (a rebuild, a live window) takes one of its address's
KUMOBEN_RUNS_PER_ADDRESS run slots (``patterns.live.RUN_SLOTS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import secrets
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation

# Warm the diagram module now: its first import (~70 ms) would otherwise land on the first start.
import patterns.diagrams  # noqa: F401
from patterns import untrusted
from patterns.catalog import MAX_SPEED, MIN_SPEED
from patterns.errors import FieldError, localized_frame
from patterns.live import (
    MAX_FRAME_BYTES,
    RUN_RATE,
    RUN_SLOTS,
    FrameError,
    RateLimiter,
    check_budget,
    parse_frame,
    scope_address,
    scope_language,
)
from patterns.player import permalink
from patterns.player.playback import (
    ALL,
    LIVE_LIMITS,
    WINDOW_S,
    Playback,
    PlaybackError,
    fork,
    live_readouts_due,
)
from patterns.player.runs import RunRequest
from patterns.playground.api import run_estimate
from patterns.sim import PATTERNS
from patterns.sim.cost import work_estimate

#: start/resume/fork carry a scenario and a log, so they may exceed the shared 4 KiB frame cap.
MAX_SCENARIO_FRAME_BYTES = 65536
LARGE_TYPES = frozenset({"start", "resume", "fork"})
ALLOWED_TYPES = frozenset({"start", "pause", "play", "speed", "action", "fork", "resume"})
MAX_BRANCHES = 50


def parse_playground_frame(text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
    """The shared frame checks; frames that carry a scenario may be up to 64 KiB."""
    if text_data is not None and len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        if len(text_data.encode("utf-8", "surrogatepass")) > MAX_SCENARIO_FRAME_BYTES:
            raise FrameError("frame", f"larger than {MAX_SCENARIO_FRAME_BYTES} bytes")
        try:
            data = untrusted.load(text_data)
        except untrusted.UntrustedJSON as refused:
            raise FrameError("frame", str(refused)) from None
        if not isinstance(data, dict) or data.get("type") not in LARGE_TYPES:
            raise FrameError("frame", f"larger than {MAX_FRAME_BYTES} bytes")
        return data
    return parse_frame(text_data, bytes_data, ALLOWED_TYPES)


def _speed(value: Any, field: str = "speed") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FrameError(field, f"must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}")
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise FrameError(field, f"must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}")
    return float(value)


def _whole(value: Any, field: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise FrameError(field, f"must be a whole number from {lo} to {hi}")
    return value


def _within_budget(playback: Playback, until_s: float) -> None:
    """Refuse running ``playback``'s engine from 0 to ``until_s`` when over KUMOBEN_RUN_BUDGET_S."""
    check_budget(
        work_estimate(playback.scenario, until_s, patterns=len(playback.streams)),
        settings.KUMOBEN_RUN_BUDGET_S,
        "KUMOBEN_RUN_BUDGET_S",
    )


class PlaygroundConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    # No channel layer: a playground socket talks to its own client only, so a broker outage
    # (Redis restarted) has nothing to end it with (an alias no setting configures gives none).
    channel_layer_alias = "kumoben-no-layer"

    async def connect(self) -> None:
        self.limiter = RateLimiter(rate=10, burst=20)
        self.playback: Playback | None = None
        self.lock = asyncio.Lock()
        self.wake = asyncio.Event()
        self.playing = False
        self.speed = 1.0
        self.generation = 0
        self.next_branch = 1
        self.shown_t = 0.0
        self.anchor_t = 0.0
        self.anchor_wall = 0.0
        self.ended_sent = False
        self.loop_task: asyncio.Task[None] | None = None
        self.language = scope_language(self.scope)
        self.address = scope_address(self.scope)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.loop_task is not None:
            self.loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.loop_task

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.limiter.allow():
            await self._refuse(FrameError("frame", "too many frames; slow down"))
            return
        try:
            # A frame over the small-frame cap can only be a start, resume or fork: it counts
            # against its address's run rate before it is parsed; a small one once its type is
            # known.
            large = text_data is not None and len(text_data) > MAX_FRAME_BYTES
            if large:
                RUN_RATE.check(self.address)
            frame = parse_playground_frame(text_data, bytes_data)
            if not large and frame["type"] in LARGE_TYPES:
                RUN_RATE.check(self.address)
            await getattr(self, f"_on_{frame['type']}")(frame)
        except (FrameError, PlaybackError, permalink.PermalinkError) as error:
            await self._refuse(error)

    async def _refuse(self, error: FieldError) -> None:
        """An error frame in the page's language; the connection stays usable."""
        with translation.override(self.language):
            await self.send_json(localized_frame(error))

    # ------------------------------------------------------------------ handlers

    async def _on_start(self, frame: dict[str, Any]) -> None:
        request = RunRequest.parse(frame, log=False)
        speed = _speed(frame.get("speed", 1))
        playback = await asyncio.to_thread(request.playback, run=secrets.token_hex(6))
        self.next_branch = 1
        await self._begin(playback, speed, playing=not frame.get("paused", False))

    async def _on_resume(self, frame: dict[str, Any]) -> None:
        request = RunRequest.parse(frame)
        run = frame.get("run")
        if not isinstance(run, str) or not 1 <= len(run) <= 64:
            raise FrameError("run", "must be the run id from the hello")
        branch = _whole(frame.get("branch", 0), "branch", 0, MAX_BRANCHES)
        after_seq = _whole(frame.get("after_seq", -1), "after_seq", -1, 10**7)
        speed = _speed(frame.get("speed", self.speed))
        next_branch = _whole(frame.get("next_branch", branch + 1), "next_branch", 1, MAX_BRANCHES)

        # The skip to after_seq is the work: estimated from the scenario and refused over the
        # budget before the run is even built.
        streams = len(PATTERNS) if request.pattern == ALL else 1
        check_budget(
            run_estimate(request, LIVE_LIMITS, (after_seq + 1) // streams * WINDOW_S),
            settings.KUMOBEN_RUN_BUDGET_S,
            "KUMOBEN_RUN_BUDGET_S",
        )
        playback = await asyncio.to_thread(request.playback, run=run, branch=branch)
        async with RUN_SLOTS.slot(self.address):
            frames = await asyncio.to_thread(playback.frames_after, after_seq)
        self.next_branch = max(self.next_branch, next_branch, branch + 1)
        await self._begin(playback, speed, playing=not frame.get("paused", False), frames=frames)

    async def _on_pause(self, frame: dict[str, Any]) -> None:
        self._require_run()
        self.playing = False
        self.wake.set()
        await self._send_status()

    async def _on_play(self, frame: dict[str, Any]) -> None:
        self._require_run()
        self.playing = True
        self._reanchor()
        self.wake.set()
        await self._send_status()

    async def _on_speed(self, frame: dict[str, Any]) -> None:
        self.speed = _speed(frame.get("value"), "value")
        self._reanchor()
        self.wake.set()
        if self.playback is not None:
            await self._send_status()

    async def _on_action(self, frame: dict[str, Any]) -> None:
        playback = self._require_run()
        async with self.lock:
            applied = playback.apply(frame.get("action"))
        await self.send_json(
            {
                "type": "log",
                "branch": playback.branch,
                "applied": applied,
                "log": playback.log,
                "permalink": playback.permalink(),
            }
        )

    async def _on_fork(self, frame: dict[str, Any]) -> None:
        parent = self._require_run()
        if self.next_branch > MAX_BRANCHES:
            raise FrameError("fork", f"at most {MAX_BRANCHES} branches a run")
        branch = self.next_branch
        at = frame.get("at")
        if isinstance(at, (int, float)) and not isinstance(at, bool) and math.isfinite(at):
            _within_budget(parent, float(at))  # the child runs the engine from 0 to ``at``
        async with self.lock, RUN_SLOTS.slot(self.address):
            child = await asyncio.to_thread(fork, parent, at, frame.get("action"), branch)
        self.next_branch += 1
        await self._begin(child, self.speed, playing=True)

    # ------------------------------------------------------------------ the stream

    def _require_run(self) -> Playback:
        if self.playback is None:
            raise FrameError("type", "send a start frame first")
        return self.playback

    async def _begin(
        self,
        playback: Playback,
        speed: float,
        playing: bool,
        frames: list[dict[str, Any]] | None = None,
    ) -> None:
        self.generation += 1
        self.playback = playback
        self.speed = speed
        self.playing = playing
        self.ended_sent = False
        self.shown_t = playback.t
        await self.send_json(playback.hello())
        for item in frames or []:
            await self.send_json(item)
        if frames:
            self.shown_t = playback.t
        await self._send_readouts_at_playhead(playback)
        self._reanchor()
        await self._send_status()
        if self.loop_task is None or self.loop_task.done():
            self.loop_task = asyncio.create_task(self._stream())
        self.wake.set()

    async def _send_readouts_at_playhead(self, playback: Playback) -> None:
        """The engine's readouts as of where a run begins on this socket (a resume's last frame,
        a fork's time), so the panel never waits for the next reading; a run starting at 0 s
        gets its first with the first window's frame (see ``live_readouts_due``)."""
        if playback.t <= 0:
            return
        for readouts in await asyncio.to_thread(playback.readouts):
            await self.send_json(readouts)

    def _reanchor(self) -> None:
        self.anchor_t = self.shown_t
        self.anchor_wall = asyncio.get_running_loop().time()

    async def _send_status(self) -> None:
        playback = self._require_run()
        state = "ended" if playback.ended else "playing" if self.playing else "paused"
        await self.send_json(
            {
                "type": "status",
                "state": state,
                "t": self.shown_t,
                "speed": self.speed,
                "branch": playback.branch,
                # The pacing: virtual time ``t`` is due at this host-monotonic time (loop.time()),
                # later times (t' - t) / speed after it. Benchmarks measure frame delay against it.
                "schedule": {"t": self.anchor_t, "monotonic": round(self.anchor_wall, 6)},
            }
        )

    async def _sleep_or_wake(self, delay: float) -> bool:
        """Sleep up to ``delay`` seconds; True if a control frame woke us first."""
        self.wake.clear()
        try:
            await asyncio.wait_for(self.wake.wait(), timeout=delay)
        except asyncio.TimeoutError:
            return False
        return True

    async def _stream(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            playback = self.playback
            if playback is None or not self.playing:
                await self._sleep_or_wake(3600.0)
                continue
            if playback.ended:
                if not self.ended_sent:
                    self.ended_sent = True
                    for readouts in await asyncio.to_thread(playback.readouts):
                        await self.send_json(readouts)
                    await self._send_status()
                self.playing = False
                continue
            t1 = min(playback.t + playback.window_s, playback.duration_s)
            delay = self.anchor_wall + (t1 - self.anchor_t) / self.speed - loop.time()
            if delay > 0 and await self._sleep_or_wake(delay):
                continue  # paused, sped up, forked or restarted: look again
            generation = self.generation
            async with self.lock:
                if generation != self.generation or self.playback is not playback:
                    continue
                async with RUN_SLOTS.slot(self.address, wait_s=math.inf):
                    frames, readouts = await asyncio.to_thread(self._step, playback)
            if generation != self.generation:
                continue  # a start, resume or fork replaced the run while this window ran
            for item in frames + readouts:
                await self.send_json(item)
            self.shown_t = playback.t

    @staticmethod
    def _step(playback: Playback) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        frames = playback.step()
        # The end's readouts go out with the ended status (see _stream).
        due = live_readouts_due(playback) and not playback.ended
        return frames, playback.readouts() if due else []
