"""Bench-only settings: the test settings plus a minimal view's URL (page_bench's baseline) and,
with ``KUMOBEN_BENCH_GC_LOG`` set, a log of garbage-collector pauses (stream_bench's diagnosis).
Never used by the app itself."""

from __future__ import annotations

import gc
import os
import time
from typing import Any

from kumoben.settings_test import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"

_GC_LOG = os.environ.get("KUMOBEN_BENCH_GC_LOG")
if _GC_LOG:
    _started: dict[str, float] = {}

    def _gc_pause(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            _started["t"] = time.perf_counter()
            return
        pause_ms = (time.perf_counter() - _started.get("t", time.perf_counter())) * 1000.0
        with open(_GC_LOG, "a") as log:
            log.write(f"{time.monotonic():.3f} gen{info['generation']} {pause_ms:.1f}\n")

    gc.callbacks.append(_gc_pause)
