"""The shared simulation's frames for one room in one server process.

One :class:`SimStreamer` hangs off each ``relay.RoomRelay`` (one relay a room and process). It keeps a
:class:`patterns.player.playback.Playback` per page language, built from the room state's ``sim`` part
(a fold of the command log, see :mod:`patterns.sessions.shared_run`), and sends each window's frames to
the process's sockets of that room about a wall second before the shared clock reaches the
window (``session_sim.AHEAD_WALL_S``), paced by its clock (``clock`` reads the wall time in
epoch seconds, ``sleep`` waits on it: ``time.time`` and ``asyncio.sleep`` unless a test passes
a fake) with steps run in a worker thread. Every process derives the clock from the same anchors in the state, so every process
sends the same frames for the same moment; players show them when the shared clock gets there.

An instructor's action applies a moment after the click (``session_sim.LEAD_WALL_S``), usually in
a window already sent: each process brings a copy of the run kept a second behind the clock (its
"tail", else a replay of the log) to that window with the action, tells its players to drop the
window (``sim.log`` with ``rewind``) and sends it again with the action in it.

Messages (the playground player's, with a ``sim.`` prefix so they do not clash with the room's
own ``hello``/``state``): ``sim.hello`` (Playback.hello plus the action log), ``sim.frame``,
``sim.history`` (``frames``: a batch of messages handled in order, each by its type: the frames of
a snapshot or a resume, or the ``sim.log`` of an action and the windows sent again),
``sim.log`` (the log after an instructor action, with ``rewind: {seq, t}`` when frames from
``seq`` on, the window starting at ``t``, are replaced), ``sim.readouts`` (with the first frames,
every few windows, and at the end), ``sim.status`` (``ended``). While no scenario
runs nothing is sent (the room state's ``sim.run`` is null).

What a screen is sent when it arrives does not grow with the run (review D14). A new screen (or
one away too long to resume) gets a snapshot: the hello, ``sim.snapshot`` (``from: {seq, t}``,
the first frame it is sent, ``most`` windows a request for older ones, and ``base``: per pattern what the windows before it leave standing:
the net state changes of each diagram element, the diagram and the deployments), the frames from
SNAPSHOT_BEHIND_S before the shared clock to the head, and the readouts as of now. Older windows
come on demand: the screen sends ``{"type": "sim.older", "from": a, "to": b}`` (window numbers)
and gets ``sim.older`` with those windows' frames, whole, at most OLDER_MAX_FRAMES a request. One
that reconnects holding the run's frames up to a recent point (``Have``) gets ``sim.resume``
(the log, and ``rewind: {seq, t}``: drop what you hold from ``seq`` on) and only the frames from
there.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from patterns.errors import FieldError
from patterns.player.playback import (
    Playback,
    PlaybackError,
    diagram_topology,
    live_readouts_due,
)
from patterns.sessions import fanout
from patterns.sessions import shared_run as session_sim

logger = logging.getLogger(__name__)


def _encode(message: Mapping[str, Any], kind: str) -> str:
    return json.dumps({**message, "type": kind})


def _rebuild(sim: Mapping[str, Any], lang: str, window: int) -> Playback:
    playback = session_sim.build(sim, lang, diagram_topology)
    playback.skip_to_window(window)
    return playback


def _rebuild_gently(sim: Mapping[str, Any], lang: str, window: int) -> Playback:
    """_rebuild for a background thread: a window at a time with a pause after each bit of
    work, so the event loop's thread is not kept waiting for the GIL while it sends frames."""
    playback = session_sim.build(sim, lang, diagram_topology)
    while playback.window < window:
        started = time.perf_counter()
        while playback.window < window and time.perf_counter() - started < GENTLE_WORK_S:
            playback.skip_to_window(playback.window + 1)
        time.sleep(GENTLE_WORK_S)
    return playback


def _readouts_due(view: _View, playback: Playback) -> bool:
    """Readouts at the playground's live cadence (``live_readouts_due``: from the first window
    on, whether or not anything has happened yet), and at the head of a view that has none yet
    (a screen of a new language, or every screen after a restart, joins a run that is already
    going: its first frames come with the engine's numbers as of them)."""
    return live_readouts_due(playback) or not (view.readouts or view.pending_readouts)


#: The view keeps the frames of the last this many virtual seconds as sent (a screen back within
#: them resumes); older ones are stored zlib-compressed (about 15 % of the bytes), whole, for
#: the screens that ask for them (``sim.older``).
KEEP_WHOLE_S = 60.0
#: A snapshot starts this many virtual seconds before the shared clock (its frames run from there
#: to the head, which is AHEAD_WALL_S of wall time ahead of the clock).
SNAPSHOT_BEHIND_S = 5.0
#: Snapshot messages kept encoded (one per window that screens arrived in).
SNAPSHOTS_KEPT = 8
#: At most this many frames a ``sim.older`` request (whole frames are about 10 KB each).
OLDER_MAX_FRAMES = 60
#: Frames of the history travel in batches (``sim.history``): one send per this many frames.
HISTORY_BATCH = 50
#: The pacing task sends to its screens at most this often (wall seconds); windows due in
#: between go out together as one ``sim.history`` message (see ``_send_due``).
SEND_EVERY_S = 0.25
#: Wall seconds a view's tail stays behind the shared clock. An action applies at or after the
#: shared time of the click, so the tail is before it unless the action took longer than this to
#: reach the process (then the run is rebuilt from the start, which is slower but the same).
TAIL_WALL_S = 1.0
#: A background tail rebuild works this long, then sleeps as long (it holds the GIL meanwhile).
GENTLE_WORK_S = 0.002


#: A screen that connects again names the shared run's frames it holds (``?sim=`` on the room
#: socket, see :func:`parse_have`). It is sent only the frames from there on (from an earlier
#: window if an action it has not seen landed there), when those are all still kept as sent (the
#: last KEEP_WHOLE_S): what a reconnect costs depends on how long the screen was away, not on
#: how long the run has been going. Otherwise it gets a snapshot as a new screen.
HAVE_MAX_CHARS = 64
HAVE_FORMAT = "expected <run>.<next frame>.<actions>, such as s12.340.1"
_HAVE = re.compile(r"(s[0-9]{1,9})\.([0-9]{1,9})\.([0-9]{1,9})")


@dataclass(frozen=True)
class Have:
    """What a reconnecting screen holds of the shared run: its ``run``, the ``seq`` of the next
    frame it expects (it holds every frame before it) and how many ``actions`` of the log."""

    run: str
    seq: int
    actions: int


def parse_have(value: str | None) -> Have | None:
    """``"<run>.<next seq>.<actions>"`` (``"s12.340.1"``) -> Have; None when absent.

    A malformed value raises FieldError("sim", ...): the screen is then served as a new one."""
    if value is None or value == "":
        return None
    found = _HAVE.fullmatch(value) if len(value) <= HAVE_MAX_CHARS else None
    if found is None:
        raise FieldError("sim", HAVE_FORMAT)
    run, seq, actions = found.groups()
    return Have(run, int(seq), int(actions))


class _View:
    """One language's Playback and the frames sent so far."""

    def __init__(self, playback: Playback) -> None:
        self.playback = playback
        # Every frame sent, by seq: the encoding as sent, or (older than KEEP_WHOLE_S) that
        # encoding zlib-compressed; the first ``packed`` are compressed.
        self.history: list[str | bytes] = []
        self.packed = 0
        # What frames 0..packed-1 leave standing (see _Base), and the snapshot base last encoded.
        self.base = _Base()
        self.snapshots: dict[int, str] = {}
        self.readouts: list[str] = []  # the latest readouts sent (one per pattern), encoded
        # Readouts computed at the frames' head, held until the shared clock reaches it: (t, texts)
        self.pending_readouts: list[tuple[float, list[str]]] = []
        self.subscribers: list[Any] = []
        self.ended_sent = False
        # The same run kept TAIL_WALL_S behind the shared clock: an action lands after it, so
        # it becomes the new head in a few windows' work instead of a replay of the whole run.
        self.tail: Playback | None = None
        self.tail_job: asyncio.Task[None] | None = None
        self._hello: tuple[Playback, str, str] | None = None  # (playback, log, encoded hello)

    @property
    def streams(self) -> int:
        return len(self.playback.streams)

    def hello(self, log: list[dict[str, Any]]) -> str:
        """The ``sim.hello`` a new screen gets, encoded once for every screen that joins while
        the playback and the log stay the same (a class arriving costs one, not one each)."""
        # The hello carries the playback's position (t, next_seq), so it is keyed on it too.
        key = f"{self.playback.window}:{json.dumps(log, sort_keys=True)}"
        if self._hello is None or self._hello[0] is not self.playback or self._hello[1] != key:
            text = _encode({**self.playback.hello(), "log": log}, "sim.hello")
            self._hello = (self.playback, key, text)
        return self._hello[2]

    def text(self, seq: int) -> str:
        """The frame ``seq`` as it was sent."""
        stored = self.history[seq]
        return stored if isinstance(stored, str) else zlib.decompress(stored).decode()

    def add(self, frame: Mapping[str, Any]) -> str:
        """File a frame sent now; returns its encoding. Frames older than KEEP_WHOLE_S are
        compressed, and what they leave standing is folded into the base."""
        text = _encode(frame, "sim.frame")
        self.history.append(text)
        keep = math.ceil(KEEP_WHOLE_S / self.playback.window_s) * self.streams
        while self.packed < len(self.history) - keep:
            old = self.history[self.packed]
            assert isinstance(old, str)
            self.base.fold(json.loads(old))
            self.history[self.packed] = zlib.compress(old.encode(), 6)
            self.packed += 1
        return text

    def rewind(self, seq: int) -> None:
        self.pending_readouts = []  # computed with the log before the rewind
        del self.history[seq:]
        self.snapshots = {}
        if seq < self.packed:  # an action older than KEEP_WHOLE_S: fold the base again
            self.packed = seq
            self.base = _Base()
            for i in range(seq):
                self.base.fold(json.loads(self.text(i)))

    def batches(self, start: int = 0) -> list[str]:
        """The history from seq ``start`` as ``sim.history`` messages."""
        return [
            _batch([self.text(seq) for seq in range(i, min(i + HISTORY_BATCH, len(self.history)))])
            for i in range(start, len(self.history), HISTORY_BATCH)
        ]

    def snapshot_start(self, vt: float) -> int:
        """The seq a new screen's frames start from: the window SNAPSHOT_BEHIND_S before the
        shared virtual time ``vt`` (never past the frames sent)."""
        window = max(0, math.floor((vt - SNAPSHOT_BEHIND_S) / self.playback.window_s))
        return min(window * self.streams, len(self.history) - len(self.history) % self.streams)

    def snapshot(self, start: int) -> str:
        """``sim.snapshot``: where the frames sent start and what the frames before it leave
        standing (encoded once per start: every screen arriving in the same window shares it)."""
        found = self.snapshots.get(start)
        if found is None:
            base = self.base.copy() if start >= self.packed else _Base()
            for seq in range(self.packed if start >= self.packed else 0, start):
                base.fold(json.loads(self.text(seq)))
            window = start // self.streams
            message = {
                "from": {"seq": start, "t": window * self.playback.window_s, "window": window},
                "most": max(1, OLDER_MAX_FRAMES // self.streams),
                "base": base.as_dict(),
            }
            if len(self.snapshots) >= SNAPSHOTS_KEPT:
                self.snapshots = {}
            found = self.snapshots[start] = _encode(message, "sim.snapshot")
        return found

    def older(self, first: Any, last: Any) -> str:
        """``sim.older``: the frames of windows ``first`` to ``last`` - 1 as they were sent. A
        bad range raises FieldError naming ``from`` or ``to``."""
        windows = len(self.history) // self.streams
        most = max(1, OLDER_MAX_FRAMES // self.streams)
        if not _whole(first) or not 0 <= first < max(1, windows):
            raise FieldError("from", f"expected a whole number from 0 to {max(0, windows - 1)}")
        top = min(windows, first + most)
        if not _whole(last) or not first < last <= top:
            raise FieldError("to", f"expected a whole number from {first + 1} to {top}")
        texts = [self.text(seq) for seq in range(first * self.streams, last * self.streams)]
        head = f'{{"type": "sim.older", "from": {first}, "to": {last}, "frames": ['
        return head + ", ".join(texts) + "]}"

    def resume_from(self, have: Have | None, run: str, log: list[dict[str, Any]]) -> int | None:
        """The seq a screen holding ``have`` goes on from, or None (it needs a snapshot).

        Example: 2 patterns, window_s 1; the screen holds seqs 0..99 (``seq`` 100) and one
        action of two; the second applies at 42.5 s -> window 42 -> it goes on from seq 84."""
        if have is None or have.run != run or have.actions > len(log):
            return None
        if have.seq > len(self.history):
            return None
        streams = self.streams
        start = have.seq
        if have.actions < len(log):
            earliest = min(float(a["at_s"]) for a in log[have.actions :])
            start = min(start, int(math.floor(earliest / self.playback.window_s)) * streams)
        start -= start % streams
        # Only frames still kept as sent: a screen away longer gets a snapshot.
        if start < self.packed:
            return None
        return start


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Base:
    """What a run's first frames leave standing, per pattern: each diagram element's net state
    change (the class names it last added or removed, at the time of its last change), the
    diagram (the newest ``svg_url`` and the window it came with) and the newest deployments. A
    player that files these before the frames after them shows what one that had every frame
    shows: a state change only adds or removes class names, and the last change of a name wins."""

    def __init__(self) -> None:
        self.patterns: dict[str, dict[str, Any]] = {}

    def copy(self) -> _Base:
        other = _Base()
        other.patterns = {
            p: {
                "states": {el: dict(v) for el, v in d["states"].items()},
                "svg": d["svg"],
                "deployments": d["deployments"],
            }
            for p, d in self.patterns.items()
        }
        return other

    def fold(self, frame: Mapping[str, Any]) -> None:
        part = self.patterns.setdefault(
            str(frame.get("pattern")), {"states": {}, "svg": None, "deployments": None}
        )
        for change in frame.get("states") or []:
            net = part["states"].setdefault(change["el"], {"t": change["t"], "on": {}})
            net["t"] = change["t"]
            for name in change.get("remove") or []:
                net["on"][name] = False
            for name in change.get("add") or []:
                net["on"][name] = True
        if frame.get("svg_url"):
            part["svg"] = {"t": frame["t0"], "url": frame["svg_url"]}
        if frame.get("deployments"):
            part["deployments"] = {"t": frame["t1"], "w": frame["t0"], "list": frame["deployments"]}

    def as_dict(self) -> dict[str, Any]:
        return {
            pattern: {
                "states": sorted(
                    (
                        {
                            "t": net["t"],
                            "el": el,
                            "add": sorted(n for n, on in net["on"].items() if on),
                            "remove": sorted(n for n, on in net["on"].items() if not on),
                        }
                        for el, net in part["states"].items()
                    ),
                    key=lambda change: (change["t"], change["el"]),
                ),
                "svg": part["svg"],
                "deployments": part["deployments"],
            }
            for pattern, part in self.patterns.items()
        }


def _batch(texts: list[str]) -> str:
    """Encoded messages as one ``sim.history`` message (its ``frames`` are handled in order,
    each by its own type), joined from the encodings rather than encoded again."""
    return '{"type": "sim.history", "frames": [' + ", ".join(texts) + "]}"


class SimStreamer:
    def __init__(
        self,
        session_id: int,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.session_id = session_id
        self.clock = clock
        self.sleep = sleep
        self.seq = -1
        self.sim: dict[str, Any] | None = None
        self.views: dict[str, _View] = {}
        self.waiting: dict[Any, str] = {}  # subscribers while no scenario runs: member -> lang
        self.lock = asyncio.Lock()
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.updates: set[asyncio.Future[None]] = set()
        self.switches = 0  # actions served by a view's tail
        self.rebuilds = 0  # actions that replayed the run from the start
        self.resumes = 0  # screens that reconnected and were sent only what they missed

    # ------------------------------------------------------------------ the state

    async def update(self, seq: int, sim: Mapping[str, Any]) -> None:
        """A newer room state (from a hello snapshot or a broadcast); older ones are ignored."""
        async with self.lock:
            if seq <= self.seq:
                return
            self.seq = seq
            before = self.sim
            self.sim = dict(sim)
            if before is None or before.get("run") != sim.get("run"):
                await self._new_run()
            elif before.get("log", []) != sim.get("log", []):
                await self._new_actions(sim.get("log", []))
        self.wake.set()

    def spawn_update(self, seq: int, sim: Mapping[str, Any]) -> None:
        """update() in the background (from the relay's pump); failures are logged."""

        async def run() -> None:
            try:
                await self.update(seq, sim)
            except Exception:  # noqa: BLE001 - the room goes on without the simulation
                logger.exception("study room %s: simulation update failed", self.session_id)

        self.updates.add(asyncio.ensure_future(run()))
        self.updates = {task for task in self.updates if not task.done()}

    async def _new_run(self) -> None:
        members = self.waiting | {m: lang for lang, v in self.views.items() for m in v.subscribers}
        self.views = {}
        self.waiting = {}
        # Every screen of a language starts the new run at the same place: one fan-out each.
        by_lang: dict[str, list[Any]] = {}
        for member, lang in members.items():
            by_lang.setdefault(lang, []).append(member)
        for lang, group in by_lang.items():
            await self._subscribe_all(group, lang)

    async def _new_actions(self, log: list[dict[str, Any]]) -> None:
        """Rewind each language's stream to the window of the earliest new action and take the
        run with the new log there (see :meth:`_replacement`; windows before it are unchanged,
        since an action only changes what happens from its time on). Subscribers get ``sim.log``
        with the window to drop, then the window again with the action in it, at once: frames
        are sent ahead of the shared clock, and the action applies LEAD_WALL_S after it, so the
        new frames arrive before anyone's clock reaches it."""
        assert self.sim is not None
        sim = self.sim
        views = list(self.views.items())
        rewinds: list[int] = []
        for _lang, view in views:
            playback = view.playback
            new = log[len(playback.log) :] if log[: len(playback.log)] == playback.log else log
            earliest = min((float(a["at_s"]) for a in new), default=playback.t)
            rewinds.append(min(playback.window, int(math.floor(earliest / playback.window_s))))
        rebuilt = await asyncio.gather(
            *(
                self._replacement(view, lang, window, log)
                for (lang, view), window in zip(views, rewinds, strict=True)
            )
        )
        now = self.clock()
        for (_lang, view), window, playback in zip(views, rewinds, rebuilt, strict=True):
            sent = view.playback.window
            view.playback = playback
            message: dict[str, Any] = {"branch": 0, "log": log, "applied": log[-1]}
            if window < sent:
                keep = window * len(playback.streams)
                view.rewind(keep)
                message["rewind"] = {"seq": keep, "t": window * playback.window_s}
                view.ended_sent = False
            # The log and the window with the action go out now, as one message a screen (with
            # 300 screens a send costs more than anything else here); the windows after it follow
            # at the pacing task's next turn, right after this.
            batch = [_encode(message, "sim.log")]
            await self._advance(view, sim, now, batch, until=window + 1)
            await self._send(view.subscribers, _batch(batch))
        for lang, view in views:
            self._spawn_tail(view, lang)

    async def _replacement(
        self, view: _View, lang: str, window: int, log: list[dict[str, Any]]
    ) -> Playback:
        """The run with the new log at ``window``: the view's tail (kept a little behind the
        shared clock) brought forward, which costs a few windows; else a rebuild from the start,
        which costs the whole run so far."""
        started = time.perf_counter()
        playback: Playback | None = None
        tail, view.tail = view.tail, None
        if tail is not None and tail.log == view.playback.log and tail.window <= window:

            def bring_forward() -> Playback:
                tail.extend_log(log)
                tail.skip_to_window(window)
                return tail

            try:
                playback = await asyncio.to_thread(bring_forward)
            except PlaybackError:
                logger.exception("study room %s: the tail took no new log", self.session_id)
        if playback is not None:
            self.switches += 1
            path = "the tail"
        else:
            self.rebuilds += 1
            path = "a replay from the start"
            assert self.sim is not None
            playback = await asyncio.to_thread(_rebuild, self.sim, lang, window)
        logger.info(
            "study room %s: action served by %s in %.1f ms",
            self.session_id,
            path,
            (time.perf_counter() - started) * 1000,
        )
        return playback

    def _tail_window(self, view: _View, sim: Mapping[str, Any], now: float) -> int:
        """Where a view's tail waits: TAIL_WALL_S behind the shared clock, never past the head."""
        playback = view.playback
        behind = session_sim.virtual_time(sim, now) - TAIL_WALL_S * float(sim["speed"])
        return max(0, min(playback.window, int(math.floor(behind / playback.window_s))))

    def _spawn_tail(self, view: _View, lang: str) -> None:
        """Build the view's tail in the background (a replay of the run so far, off the path
        of any frame); a tail built for a log that changed meanwhile is built again."""
        if view.tail_job is not None and not view.tail_job.done():
            return

        async def build() -> None:
            while self.views.get(lang) is view and self.sim is not None:
                sim = self.sim
                target = self._tail_window(view, sim, self.clock())
                try:
                    tail = await asyncio.to_thread(_rebuild_gently, sim, lang, target)
                except (PlaybackError, session_sim.SimCommandError):
                    logger.exception("study room %s: cannot build a tail", self.session_id)
                    return
                if self.views.get(lang) is view and tail.log == view.playback.log:
                    view.tail = tail
                    return

        view.tail_job = asyncio.ensure_future(build())
        self.updates.add(view.tail_job)

    # ------------------------------------------------------------------ members

    async def subscribe(self, member: Any, lang: str, have: Have | None = None) -> None:
        async with self.lock:
            await self._subscribe(member, lang, have)
        self._ensure_task()
        self.wake.set()

    async def _subscribe(self, member: Any, lang: str, have: Have | None = None) -> None:
        await self._subscribe_all([member], lang, have)

    async def _subscribe_all(self, members: list[Any], lang: str, have: Have | None = None) -> None:
        """Subscribe screens of one language that hold the same (``have``): each message they
        need goes to all of them as one fan-out."""
        sim = self.sim
        if sim is None or sim.get("run") is None:
            # The room state says no scenario runs (sim.run is null); nothing to send yet.
            for member in members:
                self.waiting[member] = lang
            return
        view = self.views.get(lang)
        if view is None:
            try:
                playback = await asyncio.to_thread(session_sim.build, sim, lang, diagram_topology)
            except (PlaybackError, session_sim.SimCommandError):
                logger.exception("study room %s: cannot build the simulation", self.session_id)
                for member in members:
                    self.waiting[member] = lang
                return
            view = self.views[lang] = _View(playback)
            # A new view (the first screen of this language here, or any after a restart)
            # catches up before anyone subscribes, so every screen gets the past as history.
            await self._advance(view, sim, self.clock())
            self._spawn_tail(view, lang)
        log = list(sim.get("log", []))
        start = view.resume_from(have, str(sim["run"]), log)
        if start is None:
            await self._send(members, view.hello(log))
            start = view.snapshot_start(session_sim.virtual_time(sim, self.clock()))
            if start > 0:
                await self._send(members, view.snapshot(start))
        else:
            self.resumes += len(members)
            playback = view.playback
            at = start // len(playback.streams) * playback.window_s
            resume = {"run": sim["run"], "log": log, "rewind": {"seq": start, "t": at}}
            await self._send(members, _encode(resume, "sim.resume"))
        for text in [*view.batches(start), *view.readouts]:
            await self._send(members, text)
        if view.ended_sent:
            await self._send(members, json.dumps({"type": "sim.status", "state": "ended"}))
        view.subscribers.extend(members)

    async def older(self, member: Any, first: Any, last: Any) -> None:
        """Send ``member`` the frames of windows ``first`` to ``last`` - 1 of its view (a screen
        that joined with a snapshot, scrubbing back); FieldError for a bad range."""
        async with self.lock:
            view = next((v for v in self.views.values() if member in v.subscribers), None)
            if view is None:
                raise FieldError("from", "start a scenario first")
            text = view.older(first, last)
        await self._send([member], text)

    def unsubscribe(self, member: Any) -> None:
        self.waiting.pop(member, None)
        for view in self.views.values():
            if member in view.subscribers:
                view.subscribers.remove(member)

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        for task in self.updates:
            task.cancel()

    def _ensure_task(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())

    async def _send(self, members: list[Any], text: str) -> None:
        await fanout.deliver(members, text)  # a closed socket does not stop the room's stream

    # ------------------------------------------------------------------ pacing

    async def _run(self) -> None:
        while True:
            delay = await self._catch_up()
            self.wake.clear()
            await self._pause(delay)

    async def _pause(self, delay: float) -> None:
        """Until ``delay`` seconds have passed on the clock or a state change wakes us."""
        woken = asyncio.ensure_future(self.wake.wait())
        slept = asyncio.ensure_future(self.sleep(delay))
        try:
            await asyncio.wait({woken, slept}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            slept.cancel()

    async def _catch_up(self) -> float:
        """Send every window that is due (see ``session_sim.windows_to_send``); returns the
        seconds until the next one is (an hour while paused, ended or idle: a state change
        wakes us)."""
        async with self.lock:
            return await self._send_due()

    async def _send_due(self) -> float:
        sim = self.sim
        if sim is None or sim.get("run") is None or not self.views:
            return 3600.0
        now = self.clock()
        for view in self.views.values():
            await self._advance(view, sim, now)
        playback = next(iter(self.views.values())).playback
        if not sim["playing"]:
            return 3600.0
        vt = session_sim.virtual_time(sim, now)
        held = [p[0] for v in self.views.values() for p in v.pending_readouts]
        readouts_in = min(((t - vt) / float(sim["speed"]) for t in held), default=3600.0)
        if playback.ended:
            if all(view.ended_sent for view in self.views.values()):
                return 3600.0
            # Wake once more when the shared clock reaches the end, to say so.
            left = playback.duration_s - vt
            return max(0.0, min(left / float(sim["speed"]), readouts_in)) + 0.005
        window_in = session_sim.next_window_in(sim, now, playback.window, playback.window_s)
        # At most one send a screen every SEND_EVERY_S: played fast (10x: a window every 0.1 s)
        # the windows due meanwhile go out together, still ahead of the clock (AHEAD_WALL_S).
        return max(SEND_EVERY_S, min(window_in, readouts_in)) + 0.005

    async def _send_readouts_due(self, view: _View, vt: float) -> None:
        """Send the newest readouts the shared clock has reached (older ones it supersedes)."""
        due = [p for p in view.pending_readouts if vt >= p[0] - 1e-9]
        if not due:
            return
        view.pending_readouts = view.pending_readouts[len(due) :]
        view.readouts = due[-1][1]
        for text in view.readouts:
            await self._send(view.subscribers, text)

    async def _read_readouts(self, view: _View, vt: float, last: bool) -> None:
        """After a window is stepped: the engine's readouts there when they are due (as the
        playground's, from the first window on, and at the head of a view with none yet). They
        are computed where the frames are, ahead of the shared clock, and held until the clock
        gets there: no screen shows a number about a moment it has not shown yet. While a
        catch-up steps windows the clock has already passed, only the last of those is read
        (a later reading supersedes the ones before it)."""
        playback = view.playback
        superseded = not last and playback.t + playback.window_s <= vt
        if superseded or not _readouts_due(view, playback):
            return
        readouts = await asyncio.to_thread(playback.readouts)
        view.pending_readouts.append(
            (playback.t, [_encode({**r, "t": playback.t}, "sim.readouts") for r in readouts])
        )

    async def _advance(
        self,
        view: _View,
        sim: Mapping[str, Any],
        now: float,
        batch: list[str] | None = None,
        until: int | None = None,
    ) -> None:
        """Step one view to the windows due at ``now`` (at most to window ``until``), sending
        each frame to its subscribers, or adding it to ``batch`` for the caller to send."""
        playback = view.playback
        due = session_sim.windows_to_send(sim, now, playback.duration_s, playback.window_s)
        if until is not None:
            due = min(due, until)
        vt = session_sim.virtual_time(sim, now)
        # Frames due together (a catch-up, or windows of a fast run) go as one message.
        out: list[str] = [] if batch is None else batch
        while playback.window < due:
            frames = await asyncio.to_thread(playback.step)
            for frame in frames:
                out.append(view.add(frame))
            await self._read_readouts(view, vt, last=playback.window >= due)
        if batch is None and out:
            await self._send(view.subscribers, out[0] if len(out) == 1 else _batch(out))
        tail = view.tail
        if tail is not None:
            target = self._tail_window(view, sim, now)
            if tail.window < target:
                await asyncio.to_thread(tail.skip_to_window, target)
        await self._send_readouts_due(view, vt)
        # "ended" once the shared clock (not only the frames sent ahead) reaches the end.
        over = session_sim.virtual_time(sim, now) >= playback.duration_s
        if playback.ended and over and not view.ended_sent:
            view.ended_sent = True
            ended = {"type": "sim.status", "state": "ended", "t": playback.t}
            await self._send(view.subscribers, json.dumps(ended))
