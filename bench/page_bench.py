"""Page benchmark: requests/s of the playground page's HTML vs a minimal Django view.

Bar (issue 4): the playground page answers at no less than 50 % of the requests/s of a minimal
Django view served by the same server in the same run. Both are served by one daphne process with
the bench-only settings (``bench/settings_bench.py``), whose URLconf adds ``/bench/minimal`` (a view
returning "ok"); the app itself has no such view. The load comes from ``--threads`` keep-alive
HTTP/1.1 clients on loopback; rounds alternate minimal, page, minimal, page... so drift on a shared
machine hits both alike, and each figure is the median of its rounds.

    .venv/bin/python bench/page_bench.py [--threads 8] [--seconds 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import page_latencies  # noqa: E402
from tests.servers import DaphneServer, sqlite_env  # noqa: E402

BAR_RATIO = 0.5
MINIMAL = "/bench/minimal"
PAGE = "/playground/"


def _get(connection: http.client.HTTPConnection, path: str) -> int:
    connection.request("GET", path, headers={"Accept-Language": "en"})
    response = connection.getresponse()
    response.read()
    return response.status


def _round(port: int, path: str, threads: int, seconds: float) -> float:
    """Requests/s over ``seconds`` from ``threads`` keep-alive clients (non-200 answers fail)."""
    counts = [0] * threads
    failures: list[str] = []

    def client(slot: int) -> None:
        try:
            counts[slot] = len(page_latencies(port, path, seconds))
        except RuntimeError as failed:
            failures.append(str(failed))

    began = time.monotonic()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise RuntimeError(failures[0])
    return sum(counts) / (time.monotonic() - began)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = sqlite_env(Path(tmp), DJANGO_SETTINGS_MODULE="bench.settings_bench")
        server = DaphneServer(env, Path(tmp) / "daphne.log").start()
        try:
            warm = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            page_bytes = 0
            for _ in range(5):  # templates compiled, caches filled
                _get(warm, MINIMAL)
                warm.request("GET", PAGE, headers={"Accept-Language": "en"})
                response = warm.getresponse()
                page_bytes = len(response.read())
                if response.status != 200:
                    raise RuntimeError(f"{PAGE}: HTTP {response.status}")
            warm.close()
            minimal, page = [], []
            for _ in range(args.rounds):
                minimal.append(_round(server.port, MINIMAL, args.threads, args.seconds))
                page.append(_round(server.port, PAGE, args.threads, args.seconds))
        finally:
            server.stop()
    base, measured = statistics.median(minimal), statistics.median(page)
    ratio = measured / base
    print(
        f"one daphne process, {args.threads} keep-alive clients, {args.rounds} rounds of {args.seconds:g} s"
    )
    print(
        f"minimal Django view  {MINIMAL:<16} {base:8.1f} req/s  rounds {[round(x) for x in minimal]}"
    )
    print(
        f"playground page      {PAGE:<16} {measured:8.1f} req/s  rounds {[round(x) for x in page]}"
    )
    print(f"page HTML size {page_bytes:,} bytes")
    print(
        f"ratio {100.0 * ratio:.0f} % (bar >= {100.0 * BAR_RATIO:.0f} %): {'PASS' if ratio >= BAR_RATIO else 'FAIL'}"
    )
    return 0 if ratio >= BAR_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
