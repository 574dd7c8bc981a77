"""Real servers for tests: daphne in a subprocess, with its own database and environment."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kumoben.settings_test",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


class DaphneServer:
    """One daphne process serving kumoben.asgi on a free port of 127.0.0.1."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None

    def start(self, wait_for_health: bool = True) -> DaphneServer:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "kumoben.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_listening(wait_for_health)
        return self

    def _wait_until_listening(self, wait_for_health: bool) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early; log: {self.log_path.read_text()[-2000:]}")
            if port_open(self.port):
                if not wait_for_health:
                    return
                status, _ = self.get_json("/healthz")
                if status in (200, 503):
                    return
            time.sleep(0.1)
        raise RuntimeError(f"daphne did not start; log: {self.log_path.read_text()[-2000:]}")

    def get_json(self, path: str) -> tuple[int, dict[str, object]]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except (urllib.error.URLError, ConnectionError):
            return 0, {}

    def kill(self) -> None:
        """End the process with SIGKILL, as a crash would: no clean shutdown, sockets just drop.

        ``start()`` brings it back on the same port."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.stop()  # closes the log; the process is already gone

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


@contextlib.contextmanager
def running_daphne(env: dict[str, str], log_path: Path) -> Iterator[DaphneServer]:
    server = DaphneServer(env, log_path).start()
    try:
        yield server
    finally:
        server.stop()


def sqlite_env(tmp_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a server on a fresh, migrated SQLite file."""
    env = server_env(KUMOBEN_SQLITE_PATH=str(tmp_dir / "live.sqlite3"), **extra)
    manage("migrate", "--noinput", "-v0", env=env)
    return env
