"""patterns/player/PROTOCOL.md against the code: every message the three producers really send
(the playground socket, the instant-run endpoint, a study session's stream) has exactly the keys
the document lists for its type, and every documented key is sent by some producer."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from kumoben.asgi import application
from patterns import player
from patterns.playground.consumers import ALLOWED_TYPES
from patterns.sessions import shared_run as session_sim
from patterns.sessions.stream import Have, SimStreamer
from tests.playground.sockets import until
from tests.scenarios import TINY

DOC = Path(player.__file__).parent / "PROTOCOL.md"
ORIGIN = [(b"origin", b"http://127.0.0.1")]
KILL = {"do": "kill_task", "task": "back-1"}  # ECS replaces the task: the diagram changes
DEPLOY = {"do": "deploy", "service": "back", "strategy": "blue_green", "bake_time_min": 0}


# --------------------------------------------------------------------------- the document


def _sections(text: str) -> dict[str, list[list[str]]]:
    """Table rows (cells, stripped) under each ``## `` heading, without header and rule rows."""
    sections: dict[str, list[list[str]]] = defaultdict(list)
    heading = ""
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
        elif line.startswith("|") and not re.fullmatch(r"\|[-| ]+\|", line.strip()):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if cells[0] != "type":
                sections[heading].append(cells)
    return sections


def _name(cell: str) -> str:
    match = re.fullmatch(r"`([a-z._]+)`", cell)
    assert match, f"not a message type: {cell!r}"
    return match.group(1)


def documented_messages(text: str) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """type -> (keys always sent, with ``type``; keys marked ``?``, sent only sometimes)."""
    rows = [
        *_sections(text)["Server → client"],
        *_sections(text)["A study session's shared run"],
    ]
    messages: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for kind, keys, *_meaning in rows:
        same = re.fullmatch(r"as `([a-z._]+)`", keys)
        if same:
            messages[_name(kind)] = messages[same.group(1)]
            continue
        names = [n.strip() for n in keys.split(",")]
        assert all(re.fullmatch(r"`[a-z_0-9]+\??`", n) for n in names), keys
        required = {n.strip("`") for n in names if not n.endswith("?`")}
        optional = {n.strip("`").rstrip("?") for n in names if n.endswith("?`")}
        messages[_name(kind)] = (frozenset({"type", *required}), frozenset(optional))
    return messages


def documented_client_types(text: str) -> set[str]:
    return {_name(cells[0]) for cells in _sections(text)["Client → server (playground socket)"]}


DOCUMENTED = documented_messages(DOC.read_text())


def _keys_problems(messages: Iterable[dict[str, Any]]) -> list[str]:
    problems = []
    for message in messages:
        kind = message.get("type")
        if kind not in DOCUMENTED:
            problems.append(f"undocumented type {kind!r}")
            continue
        required, optional = DOCUMENTED[kind]
        keys = set(message)
        if missing := required - keys:
            problems.append(f"{kind} lacks {sorted(missing)}")
        if extra := keys - required - optional:
            problems.append(f"{kind} sends undocumented {sorted(extra)}")
    return problems


def _seen_keys(messages: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = defaultdict(set)
    for message in messages:
        seen[message["type"]] |= set(message)
    return seen


def test_protocol_document_parses_into_every_message_type() -> None:
    assert sorted(DOCUMENTED) == [
        "error",
        "frame",
        "hello",
        "log",
        "readouts",
        "sim.frame",
        "sim.hello",
        "sim.history",
        "sim.log",
        "sim.older",
        "sim.readouts",
        "sim.resume",
        "sim.snapshot",
        "sim.status",
        "status",
    ]
    assert DOCUMENTED["readouts"] == (frozenset({"type", "branch", "pattern", "values"}), set())
    assert DOCUMENTED["sim.frame"] == DOCUMENTED["frame"]
    assert DOCUMENTED["sim.status"] == (frozenset({"type", "state"}), {"t"})


def test_protocol_checker_names_a_missing_and_an_undocumented_key() -> None:
    messages = [
        {"type": "readouts", "pattern": "elb", "values": {}},
        {"type": "error", "field": "x", "reason": "y", "hint": "z"},
        {"type": "surprise"},
    ]

    assert _keys_problems(messages) == [
        "readouts lacks ['branch']",
        "error sends undocumented ['hint']",
        "undocumented type 'surprise'",
    ]


def test_protocol_client_types_are_the_ones_the_socket_accepts() -> None:
    assert documented_client_types(DOC.read_text()) == set(ALLOWED_TYPES)


# --------------------------------------------------------------------------- the producers


async def _playground_messages() -> list[dict[str, Any]]:
    """A run with an action, its end, a fork, a resume, a speed change and a refusal."""
    communicator = WebsocketCommunicator(application, "/ws/playground/", headers=ORIGIN)
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    try:
        await communicator.send_json_to(
            {"type": "start", "scenario": TINY, "speed": 10, "paused": True}
        )
        seen = await until(communicator, "status", state="paused")
        hello = seen[0]
        await communicator.send_json_to({"type": "action", "action": KILL})
        seen += await until(communicator, "log")
        logged = seen[-1]["log"]
        await communicator.send_json_to({"type": "speed", "value": 5})
        seen += await until(communicator, "status", speed=5)
        await communicator.send_json_to({"type": "play"})
        seen += await until(communicator, "status", state="ended")
        await communicator.send_json_to({"type": "fork", "at": 1.0, "action": None})
        seen += await until(communicator, "status", state="ended", branch=1)
        await communicator.send_json_to(
            {
                "type": "resume",
                "run": hello["run"],
                "scenario": hello["scenario"],
                "log": logged,
                "after_seq": 2,
                "speed": 10,
            }
        )
        seen += await until(communicator, "status", state="ended", branch=0)
        await communicator.send_json_to({"type": "start", "scenario": "nope"})
        seen += await until(communicator, "error")
    finally:
        await communicator.disconnect()
    return seen


async def _instant_messages() -> list[dict[str, Any]]:
    client = AsyncClient()
    log = [{**KILL, "at_s": 1.0}]
    run = await client.post(
        "/playground/api/run", {"scenario": TINY, "log": log}, content_type="application/json"
    )
    refused = await client.post(
        "/playground/api/run", {"scenario": 3}, content_type="application/json"
    )
    # A blue/green deployment (bake 0) that runs and ends inside the 5 s: frames with deployments.
    deploy = {**DEPLOY, "at_s": 0.0}
    deployed = await client.post(
        "/playground/api/run",
        {"scenario": TINY, "log": [deploy], "pattern": "service-connect"},
        content_type="application/json",
    )
    assert (run.status_code, refused.status_code, deployed.status_code) == (200, 400, 200)
    return [*run.json()["messages"], refused.json(), *deployed.json()["messages"]]


class _Screen:
    """A room member as the stream sees it: something with ``send(text_data=...)``."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def send(self, text_data: str) -> None:
        self.messages.append(json.loads(text_data))


async def _session_messages() -> list[dict[str, Any]]:
    """A shared run on a fake clock: joined at the start, an action that rewinds windows already
    sent, the end with its readouts, and a screen that joins after the end."""
    now = [100.0]
    streamer = SimStreamer(1, clock=lambda: now[0])
    sim = {
        **session_sim.empty_sim(),
        "run": "s1",
        # with a blue/green deployment, so sim.frame carries deployments too
        "scenario": {**TINY, "actions": [{**DEPLOY, "at_s": 0.5}]},
        "pattern": "elb",
        "seed": 1,
        "playing": True,
        "speed": 1.0,
        "vt": 0.0,
        "since": 100.0,
        "actions": 0,
    }
    early, late, back = _Screen(), _Screen(), _Screen()
    try:
        await streamer.update(1, sim)
        await streamer.subscribe(early, "en")
        now[0] = 102.0  # vt 2: windows up to [3, 4) are out, a second ahead
        await streamer._catch_up()
        action = session_sim.prepare_action(sim, KILL, session_sim.virtual_time(sim, now[0]))
        await streamer.update(2, {**sim, "log": [action["action"]]})
        now[0] = 106.0  # past the end (5 s)
        await streamer._catch_up()
        await streamer.subscribe(late, "en")
        # Its snapshot starts at window 1 (5 s before the shared clock); it asks for window 0.
        await streamer.older(late, 0, 1)
        # A screen back after a drop, holding the first two windows and none of the actions.
        await streamer.subscribe(back, "en", Have("s1", 2, 0))
    finally:
        streamer.stop()
    assert back.messages[0]["type"] == "sim.resume"
    messages = early.messages + late.messages + back.messages
    # A batch holds messages of their own types: frames, and an action's sim.log before the
    # window it sends again.
    nested = [f for m in messages if m["type"] == "sim.history" for f in m["frames"]]
    assert any("rewind" in m for m in nested if m["type"] == "sim.log")
    return messages + nested


@pytest.mark.asyncio
@pytest.mark.django_db
async def test_protocol_every_message_sent_has_exactly_the_documented_keys(
    warm_engine: None,
) -> None:
    messages = [
        *await _playground_messages(),
        *await _instant_messages(),
        *await _session_messages(),
    ]

    assert _keys_problems(messages) == []
    seen = _seen_keys(messages)
    assert {kind: sorted(seen[kind]) for kind in DOCUMENTED} == {
        kind: sorted(required | optional) for kind, (required, optional) in DOCUMENTED.items()
    }
