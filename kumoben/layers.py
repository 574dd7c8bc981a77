"""The single-process channel layer, with its expiry sweep done once a second.

Channels' ``InMemoryChannelLayer`` sweeps every channel and group for expired messages and
memberships on each ``receive`` and ``group_send``. Each room socket of a study session has a
channel, so with 2,000 students every join's lobby notice and every relay receive walked 2,000
queues: the joins of a class cost time in the square of its size. Expiry is coarse anyway
(messages live 60 s, memberships a day), so sweeping at most once a second changes nothing a
client can see.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

#: Seconds between two sweeps.
SWEEP_EVERY_S = 1.0


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):  # type: ignore[misc]
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._swept_at = float("-inf")

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_EVERY_S:
            return
        self._swept_at = now
        super()._clean_expired()
