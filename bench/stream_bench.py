"""Stream benchmark: one daphne process streams N concurrent playgrounds at 1x over real WebSockets.

Bar (issue 4): with 50 playgrounds the 99th-percentile frame delay stays under 250 ms. A frame's
delay is its arrival time minus its scheduled wall time: the server's ``status`` message says which
host-monotonic instant its pacing anchors virtual time to (client and server share that clock on
one host), and a frame is due at ``anchor + (t1 - anchor_t) / speed``. Start latency (start sent ->
hello) is reported apart, and so is the delay against the client's own start time, which adds the
start latency to every frame. Loopback only; each playground is the sample system (30 requests/s,
every request animated) for ``--seconds`` virtual seconds, patterns mixed round robin, all started
at once. Peak RSS is the server's VmHWM; CPU is the server's share of one core; GC pauses come
from a collector callback that only the bench settings install.

    .venv/bin/python bench/stream_bench.py [--clients 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from patterns.sim import PATTERNS  # noqa: E402
from tests.servers import DaphneServer, sqlite_env  # noqa: E402

BAR_P99_MS = 250.0
SPEED = 1.0


def _percentile(values: list[float], p: float) -> float:
    """Nearest rank, as the engine's percentiles: p99 of 1,500 values is the 1,485th."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def _proc(pid: int) -> tuple[float, float]:
    """(peak RSS MiB, CPU seconds) of a process, from /proc."""
    peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime in clock ticks (100 Hz)
    return peak, cpu


def _gc_pauses(log: Path) -> list[float]:
    if not log.exists():
        return []
    return [float(line.split()[2]) for line in log.read_text().splitlines() if line]


async def _playground(url: str, origin: str, index: int, seconds: int) -> dict[str, Any]:
    out: dict[str, Any] = {"delays": [], "from_start": [], "start": [], "frames": 0}
    async with websockets.connect(url, origin=origin, max_size=2**22) as socket:
        start = {
            "type": "start",
            "scenario": {"name": "bench", "duration_s": seconds},
            "pattern": PATTERNS[index % len(PATTERNS)],
            "seed": index + 1,
            "speed": SPEED,
        }
        sent = time.monotonic()
        await socket.send(json.dumps(start))
        schedule: dict[str, float] | None = None
        async for raw in socket:
            now = time.monotonic()
            message = json.loads(raw)
            kind = message["type"]
            if kind == "hello":
                out["start"].append(now - sent)
            elif kind == "frame":
                assert schedule is not None
                out["frames"] += 1
                due = schedule["monotonic"] + (message["t1"] - schedule["t"]) / SPEED
                out["delays"].append(now - due)
                out["from_start"].append(now - (sent + message["t1"] / SPEED))
            elif kind == "status":
                schedule = message["schedule"]
                if message["state"] == "ended":
                    break
            elif kind == "error":
                raise RuntimeError(f"playground {index}: {message}")
    return out


async def _run(server: DaphneServer, clients: int, seconds: int) -> list[dict[str, Any]]:
    url = f"{server.ws_url}/ws/playground/"
    return await asyncio.gather(*(_playground(url, server.url, i, seconds) for i in range(clients)))


def _ms(results: list[dict[str, Any]], key: str) -> list[float]:
    return [d * 1000.0 for r in results for d in r[key]]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        gc_log = Path(tmp) / "gc.log"
        env = sqlite_env(
            Path(tmp),
            DJANGO_SETTINGS_MODULE="bench.settings_bench",
            KUMOBEN_BENCH_GC_LOG=str(gc_log),
        )
        server = DaphneServer(env, Path(tmp) / "daphne.log").start()
        try:
            assert server.process is not None
            pid = server.process.pid
            _, cpu_before = _proc(pid)
            began = time.monotonic()
            results = asyncio.run(_run(server, args.clients, args.seconds))
            wall = time.monotonic() - began
            peak_mib, cpu_after = _proc(pid)
            pauses = _gc_pauses(gc_log)
        finally:
            server.stop()
    delays, from_start, starts = (_ms(results, k) for k in ("delays", "from_start", "start"))
    frames = sum(int(r["frames"]) for r in results)
    expected = args.clients * args.seconds
    p50, p99 = statistics.median(delays), _percentile(delays, 99)
    cpu = cpu_after - cpu_before
    print(f"playgrounds: {args.clients} at 1x, {args.seconds} virtual s each, one daphne process")
    print(f"frames received: {frames} of {expected} expected, wall {wall:.1f} s")
    print(
        f"frame delay vs the server's schedule: p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
        f"  max {max(delays):6.1f} ms"
    )
    print(
        f"start latency (start sent -> hello):  p50 {statistics.median(starts):6.1f} ms"
        f"  max {max(starts):6.1f} ms"
    )
    print(
        f"frame delay vs the client's start:    p50 {statistics.median(from_start):6.1f} ms"
        f"  p99 {_percentile(from_start, 99):6.1f} ms"
    )
    print(
        f"server peak RSS {peak_mib:.1f} MiB, CPU {cpu:.1f} s ({100.0 * cpu / wall:.0f} % of a core)"
    )
    print(
        f"server GC pauses over 10 ms: {sum(1 for p in pauses if p > 10)}, "
        f"longest {max(pauses, default=0.0):.1f} ms"
    )
    ok = p99 < BAR_P99_MS and frames == expected
    print(f"bar p99 < {BAR_P99_MS:.0f} ms: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
