from __future__ import annotations

from collections.abc import Iterator

import pytest
from channels.layers import channel_layers


@pytest.fixture(autouse=True)
def fresh_channel_layers() -> Iterator[None]:
    # Each test gets a new in-memory layer, so groups never leak between tests.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
