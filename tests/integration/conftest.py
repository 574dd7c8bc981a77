"""Integration tests against the real PostgreSQL and Redis on 127.0.0.1.

Outside CI a missing server skips these tests with a reason that says how to enable them; with
CI=true it fails them, because CI must prove the scale-out path works.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import in_ci
from tests.servers import port_open

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
