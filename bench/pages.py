"""The page-latency sampler the benchmarks share: GETs of one page, one after another over one
keep-alive HTTP/1.1 connection on loopback, each timed from request to the last byte read."""

from __future__ import annotations

import http.client
import time


def page_latencies(port: int, path: str, seconds: float, pause_s: float = 0.0) -> list[float]:
    """The latency (s) of each GET of ``path`` for ``seconds``; a non-200 answer raises."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    stop = time.monotonic() + seconds
    try:
        while time.monotonic() < stop:
            began = time.monotonic()
            connection.request("GET", path, headers={"Accept-Language": "en"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            latencies.append(time.monotonic() - began)
            if pause_s:
                time.sleep(pause_s)
    finally:
        connection.close()
    return latencies
