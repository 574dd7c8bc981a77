"""Attack benchmark (review D4): page latency idle and during a flood of hostile runs from one address.

One daphne process serves the app. A page client fetches ``/lessons/`` one request after another
and records each latency: first with nothing else going on (idle), then while ``--attackers``
clients from the same address (127.0.0.1) send, as fast as they are answered:

- the review's 8 CPU-s instant run (Stale DNS, all four patterns: 20.8 MB when let through),
- the review's 8 KB ``resume`` frame on the anonymous playground socket (45.7 CPU-s when let through),
- the costliest instant run the budget lets through (the lesson player of all four patterns at
  the caps an attacker would pick: the comparison lesson's run, about 3.3 s estimated).

Bar (issue 15): p50 page latency during the flood within 2x of idle. It also prints what the
flood was answered with (refused up front, computed, 429 busy) and the server's CPU time.

``--calibrate`` instead prints the cost estimate (``patterns.sim.cost``) beside the measured CPU
time of instant runs and skips for a spread of scenarios, in this process.

    .venv/bin/python bench/attack_bench.py [--seconds 20] [--attackers 6]
    .venv/bin/python bench/attack_bench.py --calibrate
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import page_latencies  # noqa: E402
from tests.scenarios import at_the_caps  # noqa: E402
from tests.servers import DaphneServer, sqlite_env  # noqa: E402

BAR_RATIO = 2.0
PAGE = "/lessons/"
TOKEN = "c" * 32


RESUME_FRAME = {
    "type": "resume",
    "run": "x",
    "after_seq": 10_000_000,
    "paused": True,
    "pattern": "elb",
    "scenario": at_the_caps(3600),
}


def _costliest_admitted() -> dict[str, Any]:
    """The lesson run with the highest estimate (it must pass the instant budget)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumoben.settings")
    os.environ.setdefault("KUMOBEN_DEBUG", "1")
    import django

    django.setup()
    from patterns.player.playback import INSTANT_LIMITS
    from patterns.player.runs import RunRequest
    from patterns.sim.cost import work_estimate
    from tests.site.shipped_runs import lesson_runs

    best: tuple[float, dict[str, Any]] = (0.0, {})
    for _label, scenario, pattern, seed in lesson_runs():
        body = {"scenario": scenario, "pattern": pattern, "seed": seed}
        run = RunRequest.parse(body).playback(limits=INSTANT_LIMITS, topology_hook=None)
        estimate = work_estimate(run.scenario, patterns=len(run.streams))
        if estimate > best[0]:
            best = (estimate, body)
    print(f"costliest admitted instant run: {best[0]:.2f} s estimated")
    return best[1]


def _page_latencies(port: int, seconds: float) -> list[float]:
    return page_latencies(port, PAGE, seconds, pause_s=0.02)


def _instant_flood(port: int, body: dict[str, Any], stop: float, seen: Counter[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    data = json.dumps(body)
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": TOKEN,
        "Cookie": f"csrftoken={TOKEN}",
        "Origin": f"http://127.0.0.1:{port}",
        "Referer": f"http://127.0.0.1:{port}/playground/",
    }
    try:
        while time.monotonic() < stop:
            connection.request("POST", "/playground/api/run", data, headers)
            response = connection.getresponse()
            response.read()
            seen[f"instant HTTP {response.status}"] += 1
    finally:
        connection.close()


def _resume_flood(port: int, stop: float, seen: Counter[str]) -> None:
    import websockets

    async def flood() -> None:
        origin = f"http://127.0.0.1:{port}"
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/playground/", origin=origin, max_size=None
        ) as socket:
            while time.monotonic() < stop:
                await socket.send(json.dumps(RESUME_FRAME))
                answer = json.loads(await socket.recv())
                kind = answer["type"]
                if kind == "error" and "too many frames" in answer["reason"]:
                    await asyncio.sleep(0.1)
                    kind = "rate-limited"
                elif kind == "error":
                    kind = f"error on {answer['field']}"
                seen[f"resume {kind}"] += 1

    asyncio.run(flood())


def _server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def attack(seconds: float, attackers: int) -> int:
    admitted = _costliest_admitted()
    bodies = [{"scenario": "stale-dns", "pattern": "all"}, admitted]
    with tempfile.TemporaryDirectory() as tmp:
        env = sqlite_env(Path(tmp), KUMOBEN_DEBUG="0", KUMOBEN_CLASSROOM="1")
        server = DaphneServer(env, Path(tmp) / "daphne.log").start()
        try:
            _page_latencies(server.port, 2.0)  # templates compiled, caches filled
            idle = _page_latencies(server.port, seconds)
            seen: Counter[str] = Counter()
            cpu_before = _server_cpu(server.process.pid)
            stop = time.monotonic() + seconds + 1.0
            workers = []
            for i in range(attackers):
                if i % 3 == 2:
                    target: Any = _resume_flood
                    args: tuple[Any, ...] = (server.port, stop, seen)
                else:
                    target, args = _instant_flood, (server.port, bodies[i % 3], stop, seen)
                workers.append(threading.Thread(target=target, args=args, daemon=True))
            for worker in workers:
                worker.start()
            time.sleep(1.0)
            during = _page_latencies(server.port, seconds)
            for worker in workers:
                worker.join(timeout=180)
            cpu = _server_cpu(server.process.pid) - cpu_before
        finally:
            server.stop()
    p50_idle, p50_during = statistics.median(idle), statistics.median(during)
    ratio = p50_during / p50_idle
    print(
        f"one daphne process; page {PAGE}; {attackers} attackers from 127.0.0.1 for {seconds:g} s"
    )
    print(
        f"idle:   p50 {1000 * p50_idle:7.1f} ms  max {1000 * max(idle):7.1f} ms  ({len(idle)} pages)"
    )
    print(
        f"attack: p50 {1000 * p50_during:7.1f} ms  max {1000 * max(during):7.1f} ms  ({len(during)} pages)"
    )
    print(f"server CPU during the attack: {cpu:.1f} s over {seconds + 1:g} s")
    for kind, count in sorted(seen.items()):
        print(f"  {kind}: {count}")
    verdict = "PASS" if ratio <= BAR_RATIO else "FAIL"
    print(f"p50 ratio attack/idle {ratio:.2f} (bar <= {BAR_RATIO:g}): {verdict}")
    return 0 if ratio <= BAR_RATIO else 1


def calibrate() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumoben.settings")
    os.environ.setdefault("KUMOBEN_DEBUG", "1")
    import django

    django.setup()
    from patterns.player.playback import LIVE_LIMITS, Playback, instant_frames
    from patterns.sim.cost import work_estimate
    from tests.scenarios import two_services

    runs = [
        ("4 tasks, 30 rps, 120 s", two_services(duration_s=120, rps=30), "elb"),
        ("4 tasks, 300 rps, 120 s", two_services(duration_s=120, rps=300), "elb"),
        ("4 tasks, 1000 rps, 120 s", two_services(duration_s=120, rps=1000), "elb"),
        ("101 tasks, 30 rps, 120 s", two_services(duration_s=120, rps=30, back_tasks=100), "elb"),
        ("300 rps, 120 s, all four", two_services(duration_s=120, rps=300), "all"),
        ("200 tasks, 1000 rps, 200 s", at_the_caps(200), "elb"),
        ("200 tasks, 1000 rps, 30 s, all traced", at_the_caps(30, 1), "elb"),
    ]
    print(f"{'run':40} {'estimate':>9} {'instant':>8} {'skip':>8}  (CPU seconds)")
    for label, scenario, pattern in runs:
        playback = Playback(scenario, pattern, 1, limits=LIVE_LIMITS, topology_hook=None)
        estimate = work_estimate(playback.scenario, patterns=len(playback.streams))
        began = time.process_time()
        instant_frames(scenario, pattern, 1)
        instant = time.process_time() - began
        began = time.process_time()
        playback.skip_to_window(playback.windows)
        skip = time.process_time() - began
        print(f"{label:40} {estimate:9.2f} {instant:8.2f} {skip:8.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--attackers", type=int, default=6)
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()
    if args.calibrate:
        return calibrate()
    return attack(args.seconds, args.attackers)


if __name__ == "__main__":
    raise SystemExit(main())
