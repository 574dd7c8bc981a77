"""Diagram benchmark: the sample system's SVG, first render (graphviz) and from cache, per pattern.

Bars (issue 4): served from cache < 5 ms median, first render < 100 ms. The baseline, measured in
the same run, is graphviz rendering a trivial two-node DOT, so the ratios show how much of a first
render is the process start every ``dot`` call pays.

    .venv/bin/python bench/diagram_bench.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumoben.settings_test")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from patterns import diagrams  # noqa: E402
from patterns.sim import PATTERNS, load_scenario  # noqa: E402

TRIVIAL = "digraph g { a -> b }\n"


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def _time(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    topology = diagrams.topology_from_scenario(load_scenario("steady").to_dict())
    token = diagrams.topology_token(topology)
    client = Client()

    baseline = _median_ms(_time(lambda: diagrams.run_dot(TRIVIAL, "svg"), args.repeat))
    print(f"baseline: dot -Tsvg of a 2-node graph  median {baseline:7.2f} ms")
    failed = False
    for pattern in PATTERNS:
        dot = diagrams.build_dot(topology, pattern)

        def first(dot: str = dot) -> None:
            diagrams.clear_cache()
            diagrams.render_svg(dot)

        def served(pattern: str = pattern) -> None:
            response = client.get(f"/diagrams/{pattern}.svg", {"t": token})
            assert response.status_code == 200

        first_ms = _median_ms(_time(first, args.repeat))
        served(pattern)  # warm the cache
        cached_ms = _median_ms(_time(served, args.repeat * 10))
        ok = first_ms < 100.0 and cached_ms < 5.0
        failed |= not ok
        print(
            f"{pattern:18s} first render median {first_ms:7.2f} ms ({first_ms / baseline:4.1f}x baseline, bar 100 ms)"
            f" | served from cache median {cached_ms:6.2f} ms ({cached_ms / baseline:4.2f}x baseline, bar 5 ms)"
            f" {'OK' if ok else 'OVER'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
