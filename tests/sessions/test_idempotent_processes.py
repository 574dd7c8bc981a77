"""A screen that reconnects to another server process and resends its click (review D13): two
real daphne processes on one database; the click's id, sent to each, is done once."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.integration.rooms import SETUP, connect, run, until
from tests.servers import DaphneServer, manage, sqlite_env

pytestmark = pytest.mark.unit

CLICK = "next-slide-click-01"
ANSWER = "aya-answer-click-01"


async def _same_ids_on_two_processes(
    first: DaphneServer, second: DaphneServer, ids: list[str]
) -> dict[str, Any]:
    public_id, teacher_key, aya_key, _ben, _chie = ids
    seen: dict[str, Any] = {}
    async with (
        connect(first, public_id, teacher_key) as teacher,
        connect(first, public_id, aya_key) as aya,
    ):
        await until(teacher, "hello")
        await until(aya, "hello")
        await teacher.send(json.dumps({"type": "slide", "slide": 2, "step": 0, "id": CLICK}))
        seen["first"] = await until(teacher, "done")
        await teacher.send(json.dumps({"type": "poll.open", "kind": "numeric", "prompt": "RTT?"}))
        while (state := (await until(aya, "state"))["state"])["poll"] is None:
            pass  # the slide's frame first
        poll = state["poll"]["id"]
        answer = {"type": "answer", "poll": poll, "value": "12", "id": ANSWER}
        await aya.send(json.dumps(answer))
        seen["answered"] = await until(aya, "answered")
    # Both screens come back on the other process and send the same clicks again.
    async with (
        connect(second, public_id, teacher_key) as teacher,
        connect(second, public_id, aya_key) as aya,
    ):
        seen["hello"] = await until(teacher, "hello")
        await until(aya, "hello")
        await teacher.send(json.dumps({"type": "slide", "slide": 2, "step": 0, "id": CLICK}))
        seen["again"] = await until(teacher, "done")
        await aya.send(json.dumps(answer))
        seen["answered_again"] = await until(aya, "answered")
    return seen


def test_a_click_resent_to_another_process_is_done_once(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    ids = manage("shell", "-v0", "-c", SETUP, env=env).stdout.split()
    first = DaphneServer(env, tmp_path / "first.log").start()
    second = DaphneServer(env, tmp_path / "second.log").start()
    try:
        seen = run(_same_ids_on_two_processes(first, second, ids))
    finally:
        first.stop()
        second.stop()

    assert seen["first"] == {"type": "done", "id": CLICK, "seq": 1}
    assert seen["again"] == {"type": "done", "id": CLICK, "seq": 1, "repeat": True}
    assert seen["hello"]["seq"] == 2  # the slide and the poll: nothing more
    assert seen["answered_again"] == {**seen["answered"], "repeat": True}
    with sqlite3.connect(tmp_path / "live.sqlite3") as db:
        kinds = db.execute("SELECT seq, kind FROM patterns_sessioncommand ORDER BY seq").fetchall()
        answers = db.execute("SELECT value, changes FROM patterns_answer").fetchall()
    assert kinds == [(1, "slide"), (2, "poll.open")]
    assert answers == [(12.0, 0)]
