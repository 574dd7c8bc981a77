"""The engine's own processes: instant runs are computed outside the web process, so they hold
no lock its pages need (in a thread a run held the GIL, and a page took 1.1 s instead of 32 ms
meanwhile). A resume's or fork's rebuild stays in the web process: a Playback does not survive a
pickle round trip frame for frame (a forked child pickled after its skip streamed other frames),
so it cannot be rebuilt there and handed back.

Unlike a ``ProcessPoolExecutor``, a run whose asker went away stops: when the awaiting task is
cancelled (the page closed, its request was abandoned, its socket disconnected) the worker
computing it is killed and a fresh one takes its place, so the next run does not wait behind
work nobody will see. A run that finds every worker busy waits in line, and its caller is told
(``on_queued``) so the page can say so. KUMOBEN_ENGINE_WORKERS processes at most (default 1:
on a 2-core machine the other core is the pages'); each is replaced after ``RUNS_PER_WORKER``
runs, so what a large run took is given back.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections import deque
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from django.conf import settings

#: A worker process is replaced after this many runs, so what a large run took is given back.
RUNS_PER_WORKER = 50
#: A run nobody waits for any more is stopped (its worker killed and replaced) when its estimated
#: engine time is at least this; a shorter one costs less to finish than a fresh worker's start
#: (``django.setup()`` and the engine's imports: one to two CPU-seconds).
KILL_ABOVE_S = 2.0


class WorkerDied(Exception):
    """The worker computing a run stopped (killed, out of memory) before it answered."""


class WorkerFailed(Exception):
    """The run raised in the worker; the text is its ``Type: message``."""


def _serve(conn: Connection) -> None:  # pragma: no cover - runs in the worker process
    import django

    django.setup()
    import patterns.playground.api  # noqa: F401 - the engine, warm before the first run

    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        function, args = job
        try:
            answer: tuple[bool, Any] = (True, function(*args))
        except BaseException as error:  # noqa: BLE001 - reported to the asker, not raised here
            answer = (False, f"{type(error).__name__}: {error}")
        conn.send(answer)


class _Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child,), daemon=True, name="kumoben-engine"
        )
        self.process.start()
        child.close()
        self.runs = 0

    def call(self, function: Callable[..., Any], args: tuple[Any, ...]) -> tuple[bool, Any]:
        """In a thread: send the job and wait for its answer (EOF: the process died)."""
        try:
            self.conn.send((function, args))
            return self.conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError, BrokenPipeError):
            raise WorkerDied from None

    def stop(self, kill: bool) -> None:
        if kill:
            with contextlib.suppress(Exception):
                self.process.kill()
        else:
            with contextlib.suppress(Exception):
                self.conn.send(None)
        with contextlib.suppress(Exception):
            self.process.join(timeout=5)
        with contextlib.suppress(Exception):
            self.process.kill()
        self.conn.close()


class EngineWorkers:
    def __init__(self, size: int | None = None) -> None:
        self._size = size
        self._idle: list[_Worker] = []
        self._started = 0  # workers alive (warming up, idle or busy)
        self._busy = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    def size(self) -> int:
        if self._size is not None:
            return self._size
        return int(getattr(settings, "KUMOBEN_ENGINE_WORKERS", 1))

    def busy(self) -> bool:
        """Every worker is computing (or runs already wait): a further run would wait."""
        return bool(self._waiters) or (self._busy >= self.size())

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def prestart(self) -> None:
        """Start the workers now (the server's start): each warms up (``django.setup()``, the
        engine's imports: a few CPU-seconds on a busy machine) before a run needs it. Starting
        one costs this process a fork and exec, not the warm-up."""
        while self._started < self.size():
            self._idle.append(_Worker())
            self._started += 1

    async def _acquire(self, on_queued: Callable[[int], Awaitable[None]] | None) -> _Worker:
        told = False
        while True:
            self.prestart()  # a worker that was killed or retired is replaced at once
            if self._idle:
                return self._idle.pop()
            if not told and on_queued is not None:
                told = True
                await on_queued(len(self._waiters) + 1)
                continue  # a worker may have become free meanwhile
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake_one()  # it was this one's turn: pass it on
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
                raise

    def _release(self, worker: _Worker) -> None:
        worker.runs += 1
        if worker.runs >= RUNS_PER_WORKER:
            self._retire(worker, kill=False)
            return
        self._idle.append(worker)
        self._wake_one()

    def _retire(self, worker: _Worker, kill: bool) -> None:
        self._started -= 1
        worker.runs = RUNS_PER_WORKER
        # Joining waits for the process; do it off the event loop.
        asyncio.get_running_loop().run_in_executor(None, worker.stop, kill)
        self.prestart()  # its replacement warms up while nobody waits for it
        self._wake_one()

    async def run(
        self,
        function: Callable[..., Any],
        *args: Any,
        on_queued: Callable[[int], Awaitable[None]] | None = None,
        cost_s: float | None = None,
    ) -> Any:
        """``function(*args)`` in a worker process (both picklable; the function importable).

        Raises ``WorkerDied`` when the process died under it and ``WorkerFailed`` when the
        function raised. Cancelling the caller stops the run: its worker is killed and replaced,
        unless the run's estimated engine time ``cost_s`` is under ``KILL_ABOVE_S`` (less than
        starting a fresh worker costs): that one finishes, unseen, and the worker goes on."""
        worker = await self._acquire(on_queued)
        self._busy += 1
        future = asyncio.get_running_loop().run_in_executor(None, worker.call, function, args)
        try:
            ok, answer = await asyncio.shield(future)
        except asyncio.CancelledError:
            if cost_s is not None and cost_s < KILL_ABOVE_S:
                future.add_done_callback(lambda done: self._abandoned(worker, done))
            else:
                self._busy -= 1
                self._retire(worker, kill=True)  # nobody waits for this run any more: stop it
            raise
        except WorkerDied:
            self._busy -= 1
            self._retire(worker, kill=True)
            raise
        self._busy -= 1
        self._release(worker)
        if not ok:
            raise WorkerFailed(answer)
        return answer

    def _abandoned(self, worker: _Worker, done: asyncio.Future[Any]) -> None:
        """A short run nobody waits for has finished: its worker serves the next one."""
        self._busy -= 1
        if done.cancelled() or done.exception() is not None:
            self._retire(worker, kill=True)
        else:
            self._release(worker)

    def close(self) -> None:
        """Stop every idle worker (busy ones stop when their runs are cancelled)."""
        while self._idle:
            worker = self._idle.pop()
            self._started -= 1
            worker.stop(kill=False)


#: This process's engine workers (the instant runs).
ENGINE = EngineWorkers()
