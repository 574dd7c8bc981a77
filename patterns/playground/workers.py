"""The engine's own processes: heavy runs (an instant run, a resume's skip, a fork's child) are
computed outside the web process, so they hold no lock its pages need (in a thread a run held
the GIL, and a page took 1.1 s instead of 32 ms meanwhile).

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


class WorkerDied(Exception):
    """The worker computing a run stopped (killed, out of memory) before it answered."""


class WorkerFailed(Exception):
    """The run raised in the worker; the text is its ``Type: message``."""


def _serve(conn: Connection) -> None:  # pragma: no cover - runs in the worker process
    import django

    django.setup()
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
        self._started = 0  # workers alive or being started
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

    async def _spawn(self) -> None:
        try:
            worker = await asyncio.to_thread(_Worker)
        except BaseException:
            self._started -= 1
            self._wake_one()
            raise
        self._idle.append(worker)
        self._wake_one()

    async def _acquire(self, on_queued: Callable[[int], Awaitable[None]] | None) -> _Worker:
        told = False
        while True:
            if self._idle:
                return self._idle.pop()
            if self._started < self.size():
                self._started += 1
                # A task of its own: a cancelled asker does not leave a half-started worker.
                asyncio.get_running_loop().create_task(self._spawn())
            elif not told and on_queued is not None:
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
        self._wake_one()

    async def run(
        self,
        function: Callable[..., Any],
        *args: Any,
        on_queued: Callable[[int], Awaitable[None]] | None = None,
    ) -> Any:
        """``function(*args)`` in a worker process (both picklable; the function importable).

        Raises ``WorkerDied`` when the process died under it and ``WorkerFailed`` when the
        function raised; cancelling the caller kills the worker (the run stops with it)."""
        worker = await self._acquire(on_queued)
        self._busy += 1
        try:
            ok, answer = await asyncio.get_running_loop().run_in_executor(
                None, worker.call, function, args
            )
        except asyncio.CancelledError:
            self._retire(worker, kill=True)  # nobody waits for this run any more: stop it
            raise
        except WorkerDied:
            self._retire(worker, kill=True)
            raise
        finally:
            self._busy -= 1
        self._release(worker)
        if not ok:
            raise WorkerFailed(answer)
        return answer

    def close(self) -> None:
        """Stop every idle worker (busy ones stop when their runs are cancelled)."""
        while self._idle:
            worker = self._idle.pop()
            self._started -= 1
            worker.stop(kill=False)


#: This process's engine workers (instant runs, resume and fork rebuilds share them).
ENGINE = EngineWorkers()
