from __future__ import annotations

import pytest
from channels.layers import channel_layers
from django.test import AsyncClient, override_settings

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.mark.asyncio
async def test_healthz_is_200_when_database_and_layer_work() -> None:
    response = await AsyncClient().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


@pytest.mark.asyncio
async def test_healthz_is_503_when_redis_is_unreachable() -> None:
    closed = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }

    with override_settings(CHANNEL_LAYERS=closed):
        channel_layers.backends.clear()
        response = await AsyncClient().get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "ok"
    assert response.json()["channel_layer"].startswith("error: ")
