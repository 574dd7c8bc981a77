"""The real ASGI stack under daphne: what `make run` serves."""

from __future__ import annotations

from pathlib import Path

from tests.servers import free_port, running_daphne, sqlite_env


def test_healthz_under_daphne_is_200_with_the_defaults(tmp_path: Path) -> None:
    with running_daphne(sqlite_env(tmp_path), tmp_path / "daphne.log") as server:
        status, body = server.get_json("/healthz")

    assert (status, body) == (200, {"status": "ok", "database": "ok", "channel_layer": "ok"})


def test_healthz_under_daphne_is_503_when_redis_url_points_at_a_closed_port(
    tmp_path: Path,
) -> None:
    closed_port = free_port()  # nothing listens there
    env = sqlite_env(tmp_path, REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")

    with running_daphne(env, tmp_path / "daphne.log") as server:
        status, body = server.get_json("/healthz")

    assert status == 503
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert str(body["channel_layer"]).startswith("error: ")
