"""Lesson page throughput against the smallest Django view, in the same run on the same server.

One daphne process (bench settings: the app plus ``/bench/minimal``) serves both. Each URL gets a
warm-up, then ``--seconds`` of requests from ``--clients`` threads with keep-alive connections;
rounds alternate baseline and lesson pages so drift in the machine's load hits both alike.

Prints requests/s for the baseline and for each lesson page, and each page's ratio to the baseline.
Bar (issue 5): every lesson page answers at >= 50 % of the baseline's requests/s. Exit status 1 if
the bar is missed.

Run: .venv/bin/python bench/lesson_bench.py [--seconds 5] [--clients 4] [--rounds 2]
"""

from __future__ import annotations

import argparse
import http.client
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import DaphneServer, sqlite_env  # noqa: E402

BAR = 0.5
BASELINE = "/bench/minimal"
PAGES = (
    "/lessons/",
    "/lessons/elb/?step=3",  # a server-side diagram in the engine's state
    "/lessons/four-patterns/?step=6",  # a player over all four patterns
    "/lessons/comparison/?step=2",  # the measured comparison rows
    "/lessons/app-mesh/present/",  # every step of the longest lesson
)


def _hammer(port: int, path: str, seconds: float, counts: list[int], index: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    deadline = time.perf_counter() + seconds
    done = 0
    while time.perf_counter() < deadline:
        connection.request("GET", path, headers={"Accept-Language": "en"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        done += 1
    connection.close()
    counts[index] = done


def requests_per_second(port: int, path: str, seconds: float, clients: int) -> float:
    counts = [0] * clients
    threads = [
        threading.Thread(target=_hammer, args=(port, path, seconds, counts, n))
        for n in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = sqlite_env(Path(tmp), DJANGO_SETTINGS_MODULE="bench.settings_bench")
        server = DaphneServer(env, Path(tmp) / "daphne.log").start()
        try:
            for path in (BASELINE, *PAGES):  # warm-up: the first lesson request renders it
                requests_per_second(server.port, path, 0.5, 1)
            rates: dict[str, list[float]] = {path: [] for path in (BASELINE, *PAGES)}
            for _ in range(args.rounds):
                for path in PAGES:
                    rates[BASELINE].append(
                        requests_per_second(server.port, BASELINE, args.seconds, args.clients)
                    )
                    rates[path].append(
                        requests_per_second(server.port, path, args.seconds, args.clients)
                    )
        finally:
            server.stop()

    baseline = sum(rates[BASELINE]) / len(rates[BASELINE])
    print(f"{'minimal view (baseline)':40} {baseline:8.1f} req/s")
    worst = 1.0
    for path in PAGES:
        rate = sum(rates[path]) / len(rates[path])
        ratio = rate / baseline
        worst = min(worst, ratio)
        print(f"{path:40} {rate:8.1f} req/s  ratio {ratio:.2f} (bar {BAR:.2f})")
    print(f"worst ratio {worst:.2f}: {'PASS' if worst >= BAR else 'FAIL'}")
    return 0 if worst >= BAR else 1


if __name__ == "__main__":
    sys.exit(main())
