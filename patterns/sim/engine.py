"""The discrete-event core: a virtual clock and a ``(time, priority, seq, ...)`` heap.

The sequence number breaks ties, so events at equal times and priorities run in the order they were
scheduled, and a replay runs them identically. ``run_until(t)`` runs every event strictly before
``t`` and leaves the clock at ``t``; it can be called again later to resume, so running in 1-second
slices or in one go processes exactly the same events in the same order.

The request path (:mod:`.topology`) schedules two events per request, so it pushes onto ``queue``
itself instead of calling :meth:`Engine.at`: the same tuple with the next ``seq``, one Python call
less per event. Such a push is never into the past (its time is ``now`` plus a delay >= 0).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

#: Priorities for events at the same instant (lower runs first).
PRIO_CONTROL = 0  # lifecycle, health checks, control-plane pushes
PRIO_REQUEST = 1  # request arrivals and completions

Handler = Callable[[Any, int], None]


class Engine:
    """Clock plus event queue. Handlers are called as ``handler(arg, tag)``."""

    __slots__ = ("now", "queue", "seq")

    def __init__(self) -> None:
        self.now = 0.0
        self.queue: list[tuple[float, int, int, Handler, Any, int]] = []
        self.seq = 0  # the sequence number of the last event pushed

    def at(self, t: float, prio: int, handler: Handler, arg: Any = None, tag: int = 0) -> None:
        """Schedule ``handler(arg, tag)`` at virtual time ``t`` (never before now)."""
        if t < self.now:
            t = self.now
        self.seq = seq = self.seq + 1
        heapq.heappush(self.queue, (t, prio, seq, handler, arg, tag))

    def after(
        self, delay: float, prio: int, handler: Handler, arg: Any = None, tag: int = 0
    ) -> None:
        self.at(self.now + delay, prio, handler, arg, tag)

    def run_until(self, until: float) -> None:
        """Run every event with time < ``until``; then the clock reads ``until``."""
        queue = self.queue
        pop = heapq.heappop
        while queue and queue[0][0] < until:
            t, _prio, _seq, handler, arg, tag = pop(queue)
            self.now = t
            handler(arg, tag)
        if until > self.now:
            self.now = until

    def pending(self) -> int:
        return len(self.queue)
