"""Helpers for study-session tests across real daphne processes: the set-up script and sockets."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import websockets

from tests.servers import DaphneServer, manage, sqlite_env

# Run with ``manage shell -c``: an instructor with the permission, a session, three students;
# prints the public id and the session keys (instructor first).
SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from patterns.sessions import joining
user = get_user_model().objects.create_user("instructor", password="unused-pw-123")
user.user_permissions.add(Permission.objects.get(codename="run_study_sessions"))
session = joining.create_session(user, "Scale-out")
client = Client()
client.force_login(user)
keys = [client.cookies["sessionid"].value]
for name in ("Aya", "Ben", "Chie"):
    _participant, token = joining.join(session, name)
    store = SessionStore()
    store["study_tokens"] = {session.public_id: token}
    store.create()
    keys.append(store.session_key)
print(session.public_id, *keys)
"""


def run(coroutine: Any) -> Any:
    # A thread of its own: Playwright's sync API may hold an event loop in this thread when
    # browser tests run in the same pytest process.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def on_one_server(tmp_path: Path, play: Callable[[DaphneServer, list[str]], Any]) -> Any:
    """A fresh SQLite file with SETUP's room, served by one daphne (its log: daphne.log in
    ``tmp_path``): returns what ``play(server, ids)`` gives; the server is stopped after."""
    env = sqlite_env(tmp_path)
    ids = manage("shell", "-v0", "-c", SETUP, env=env).stdout.split()
    server = DaphneServer(env, tmp_path / "daphne.log").start()
    try:
        return run(play(server, ids))
    finally:
        server.stop()


def connect(server: DaphneServer, public_id: str, cookie: str) -> Any:
    return websockets.connect(
        f"{server.ws_url}/ws/sessions/{public_id}/",
        origin=server.url,
        additional_headers={"Cookie": f"sessionid={cookie}"},
    )


async def until(socket: Any, kind: str, timeout: float = 10) -> dict[str, Any]:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] == kind:
            return frame
