"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from channels.layers import channel_layers
from hypothesis import settings as hypothesis_settings

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def fresh_channel_layers() -> Iterator[None]:
    # Each test gets a new in-memory channel layer, so groups never leak between tests.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


# Property tests explore new random cases on developers' machines; CI replays a fixed sequence so
# that a red CI always means a change, not a newly drawn example (found ones get pinned as tests).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if in_ci():
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    # A request or a socket may leave its language active in the thread; each test starts and
    # ends in the site's default language, so a Japanese page never leaks into the next test.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    # tests/integration/test_postgres.py runs the database tests on PostgreSQL. A connection
    # left open by a thread of a test (a consumer's database thread, a run waiting for its
    # slot) makes PostgreSQL refuse to drop the test database at the end ("being accessed by
    # other users"), so before the drop the leftover sessions on it are ended.
    # Still needed (checked 2026-12-07): the session left behind is the connection of asgiref's
    # shared thread-sensitive thread (ThreadPoolExecutor-0_0), last opened there by a
    # database_sync_to_async trip of patterns/sessions/arrivals.py; tests/sessions/test_arrivals.py
    # alone reproduces the refused drop without this fixture. Why close_old_connections after
    # that trip does not close it (CONN_MAX_AGE is 0 in tests) is not yet known.
    @pytest.fixture(scope="session", autouse=True)
    def _end_leftover_connections(
        django_db_setup: None, django_db_blocker: object
    ) -> Iterator[None]:
        yield
        from django.db import connection

        with django_db_blocker.unblock(), connection.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
