"""Integration tests against the real PostgreSQL and Redis on 127.0.0.1.

Outside CI a missing server skips these tests with a reason that says how to enable them; with
CI=true it fails them, because CI must prove the scale-out path works.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis

from tests.conftest import in_ci
from tests.servers import DaphneServer, manage, port_open, running_daphne, server_env

POSTGRES_URL = os.environ.get(
    "KUMOBEN_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/kumoben"
)
REDIS_URL = os.environ.get("KUMOBEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")

HOW_TO = {
    "PostgreSQL": "start PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres "
    "(Debian: pg_ctlcluster <version> main start), or set KUMOBEN_TEST_POSTGRES_URL",
    "Redis": "start Redis on 127.0.0.1:6379 (redis-server --daemonize yes), "
    "or set KUMOBEN_TEST_REDIS_URL",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def _require(name: str, port: int) -> None:
    if port_open(port):
        return
    message = f"{name} is not reachable on 127.0.0.1:{port}: {HOW_TO[name]}"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> str:
    _require("PostgreSQL", 5432)
    return POSTGRES_URL


@pytest.fixture
def redis_url() -> str:
    _require("Redis", 6379)
    return REDIS_URL


def _fresh_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop_database(url: str) -> None:
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


@pytest.fixture
def shared_env(postgres_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    # A database and a channel-layer key prefix of this test's own: test runs that share the
    # machine's PostgreSQL and Redis (a developer's and CI's, say) cannot see each other.
    run = f"{os.getpid()}_{secrets.token_hex(4)}"
    database_url = _fresh_database(postgres_url, f"kumoben_scale_out_{run}")
    prefix = f"kumoben-test-{run}"
    env = server_env(DATABASE_URL=database_url, REDIS_URL=redis_url, KUMOBEN_CHANNEL_PREFIX=prefix)
    manage("migrate", "--noinput", "-v0", env=env)
    yield env
    _drop_database(database_url)
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)


@pytest.fixture
def servers(shared_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[DaphneServer, ...]]:
    """Two daphne processes sharing this test's database and channel-layer prefix."""
    with (
        running_daphne(shared_env, tmp_path / "a.log") as a,
        running_daphne(shared_env, tmp_path / "b.log") as b,
    ):
        yield a, b
