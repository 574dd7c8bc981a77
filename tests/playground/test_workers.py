"""The engine's worker processes (patterns/playground/workers.py): runs happen in another
process; a run nobody waits for any more is stopped, so the next one does not queue behind it;
a run that has to wait is told so; a worker that dies or raises is reported, not hung on."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from patterns.playground import workers
from patterns.playground.workers import EngineWorkers, WorkerDied, WorkerFailed

pytestmark = [pytest.mark.unit]


@pytest_asyncio.fixture
async def engine() -> AsyncIterator[EngineWorkers]:
    engine = EngineWorkers(size=1)
    yield engine
    engine.close()


def _gone(pid: int) -> bool:
    """The process ended (no entry, or a zombie nobody reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


async def _until(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the condition did not come true"
        await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_a_run_is_computed_in_another_process(engine: EngineWorkers) -> None:
    pid = await engine.run(os.getpid)

    assert isinstance(pid, int) and pid != os.getpid()
    assert await engine.run(os.getpid) == pid  # the warm worker serves the next run


@pytest.mark.asyncio
async def test_a_cancelled_run_stops_and_the_next_run_does_not_wait_for_it(
    engine: EngineWorkers,
) -> None:
    first = await engine.run(os.getpid)
    endless = asyncio.create_task(engine.run(time.sleep, 3600))
    await _until(lambda: engine.busy())

    endless.cancel()  # the page that asked closed
    with pytest.raises(asyncio.CancelledError):
        await endless

    # Behind the hour-long run this would time out; its worker was killed and replaced instead.
    second = await asyncio.wait_for(engine.run(os.getpid), timeout=60)
    assert second != first
    await _until(lambda: _gone(first))


@pytest.mark.asyncio
async def test_a_run_that_finds_the_workers_busy_is_told_it_waits(engine: EngineWorkers) -> None:
    pid = await engine.run(os.getpid)
    told: list[int] = []

    async def queued(ahead: int) -> None:
        told.append(ahead)

    busy = asyncio.create_task(engine.run(time.sleep, 0.5))
    await _until(lambda: engine.busy())
    waiting = asyncio.create_task(engine.run(os.getpid, on_queued=queued))
    await _until(lambda: told != [])

    assert told == [1]
    assert not waiting.done()
    await busy
    assert await waiting == pid
    assert not engine.busy()


@pytest.mark.asyncio
async def test_a_worker_that_dies_is_reported_and_replaced(engine: EngineWorkers) -> None:
    first = await engine.run(os.getpid)

    with pytest.raises(WorkerDied):
        await engine.run(os._exit, 1)

    second = await engine.run(os.getpid)
    assert second != first


@pytest.mark.asyncio
async def test_a_run_that_raises_is_reported_with_its_error(engine: EngineWorkers) -> None:
    with pytest.raises(WorkerFailed) as failed:
        await engine.run(int, "many")

    assert str(failed.value) == "ValueError: invalid literal for int() with base 10: 'many'"
    assert await engine.run(abs, -3) == 3  # the worker goes on serving


@pytest.mark.asyncio
async def test_a_worker_is_replaced_after_its_runs(
    engine: EngineWorkers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "RUNS_PER_WORKER", 2)
    pids = [await engine.run(os.getpid) for _ in range(3)]

    assert pids[0] == pids[1] != pids[2]
    await _until(lambda: _gone(pids[0]))
