"""300 stations polling their package list at once, through nginx to gunicorn.

Each simulated station has its own token and polls ``/api/stations/v1/packages`` a few times
(the sync client's ``--watch`` loop); all start together behind a barrier. Reports p50/p95/max
latency and the error rate. Loopback only; every request has a 30 s timeout.

Run from the repository root::

    .venv/bin/python benchmarks/stations_polling.py [stations] [polls_each]
"""

from __future__ import annotations

import http.client
import statistics
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stations_bench as bench


def station(port: int, token: str, polls: int, barrier: threading.Barrier,
            latencies: list[float], errors: list[str]) -> None:  # fmt: skip
    barrier.wait(timeout=60)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cursor = ""
    for _ in range(polls):
        started = time.perf_counter()
        try:
            conn.request("GET", f"/api/stations/v1/packages{cursor}",
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                errors.append(str(response.status))
            elif b"next_cursor" not in body:
                errors.append("body")
        except Exception as error:
            errors.append(type(error).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - started)
    conn.close()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    polls = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    bench.setup_django()
    data = bench.make_stations(count, {"bulletin": 64 * 1024})
    app_port, _ = bench.start_gunicorn(accel=True, workers=2, threads=8)
    nginx = bench.start_nginx(app_port)
    latencies: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(count)
    threads = [
        threading.Thread(target=station, args=(nginx, t, polls, barrier, latencies, errors))
        for t in data["tokens"]
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - started
    latencies.sort()
    total = len(latencies)
    p95 = latencies[int(0.95 * (total - 1))]
    print(f"machine: {psutil.cpu_count()} cores; gunicorn 2 workers x 8 threads behind nginx")
    print(
        f"{count} stations x {polls} polls = {total} requests in {elapsed:.1f} s "
        f"({total / elapsed:.0f} req/s); latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
        f"errors {len(errors)} ({100 * len(errors) / total:.2f} %) {sorted(set(errors))}"
    )


if __name__ == "__main__":
    main()
