"""300 stations polling their package list, through nginx to gunicorn.

Each simulated station (one asyncio task, so the load generator itself stays cheap on the
same machine) has its own token and polls ``/api/stations/v1/packages`` a few times
the way the sync client's ``--watch`` loop does (following ``next_cursor``). Two patterns:

* burst (default): all stations connect, then start at the same instant and poll back to back, the
  worst case (every station restarted at once);
* ``--interval S``: each station polls every S seconds from a random start offset, like 300
  sync clients in emergency mode (``--emergency-interval 15``).

The server is warmed up first (unmeasured requests with other tokens), as a running server
is. Reports p50/p95/max latency, the error rate, the load average and the CPU time used by
gunicorn, nginx, PostgreSQL and the load generator. Loopback only; every
request has a 30 s timeout. ``--cache db`` uses the database cache as in production
(``manage.py createcachetable``), the default is the per-process local memory cache.

Run from the repository root::

    .venv/bin/python -m benchmarks.stations_polling [stations] [polls_each] [--interval S]
        [--cache locmem|db] [--workers 2] [--threads 8]
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import os
import random
import statistics
import time

import psutil

from benchmarks import stations_bench as bench
from devstack.processes import postmaster


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str,
                token: str) -> tuple[int, bytes]:  # fmt: skip
    """One keep-alive HTTP/1.1 GET (Content-Length or chunked body)."""
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Connection: keep-alive\r\n\r\n".encode()
    )
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _sep, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    body = b""
    while size := int((await reader.readline()).strip() or b"0", 16):
        body += (await reader.readexactly(size + 2))[:-2]  # the chunk without its CRLF
    await reader.readline()
    return status, body


async def station(
    port: int,
    token: str,
    polls: int,
    interval: float,
    start: asyncio.Event,
    latencies: list[float],
    errors: list[str],
    timeout: float = 30,
) -> None:
    """A sync client's watch loop: poll, follow ``next_cursor``, wait ``interval``."""
    await start.wait()
    if interval:
        await asyncio.sleep(random.uniform(0, interval))
    cursor = ""
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    for n in range(polls):
        started = time.perf_counter()
        try:
            if connection is None:
                connection = await asyncio.open_connection("127.0.0.1", port)
            query = f"?since={cursor}" if cursor else ""
            status, body = await asyncio.wait_for(
                fetch(*connection, f"/api/stations/v1/packages{query}", token), timeout
            )
            if status != 200:
                errors.append(str(status))
            else:
                cursor = json.loads(body)["next_cursor"] or ""
        except Exception as error:
            errors.append(type(error).__name__)
            if connection is not None:
                connection[1].close()
            connection = None
        elapsed = time.perf_counter() - started
        latencies.append(elapsed)
        if interval and n < polls - 1:
            await asyncio.sleep(max(0.0, interval - elapsed))
    if connection is not None:
        connection[1].close()


async def run_stations(
    port: int,
    tokens: list[str],
    polls: int,
    interval: float,
    latencies: list[float],
    errors: list[str],
    timeout: float = 30,
) -> None:
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(station(port, t, polls, interval, start, latencies, errors, timeout))
        for t in tokens
    ]
    await asyncio.sleep(0.5)  # every station is connected and waiting: start together
    start.set()
    await asyncio.gather(*tasks)


def tree_cpu(root: psutil.Process, children: bool = True) -> dict[int, float]:
    """CPU seconds (user + system) of a process and its children, by pid."""
    found: dict[int, float] = {}
    for process in [root, *(root.children(recursive=True) if children else [])]:
        try:
            times = process.cpu_times()
            found[process.pid] = times.user + times.system
        except psutil.Error:
            pass
    return found


def cpu_snapshot(roots: dict[str, psutil.Process | None]) -> dict[str, dict[int, float]]:
    # The load generator is this process alone (gunicorn and nginx are its children).
    return {
        name: tree_cpu(root, children=name != "load generator") if root else {}
        for name, root in roots.items()
    }


def cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> str:
    parts = []
    for name, now in after.items():
        seconds = sum(value - before[name].get(pid, 0.0) for pid, value in now.items())
        parts.append(f"{name} {seconds:.1f} s")
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stations", type=int, nargs="?", default=300)
    parser.add_argument("polls", type=int, nargs="?", default=5)
    parser.add_argument("--interval", type=float, default=0.0)
    parser.add_argument("--cache", choices=["locmem", "db"], default="locmem")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    atexit.register(bench.PROCESSES.stop_all)
    os.environ["BENCH_CACHE"] = bench.env()["BENCH_CACHE"] = args.cache
    bench.setup_django()
    data = bench.make_stations(args.stations + 32, {"bulletin": 64 * 1024})
    app_port, gunicorn = bench.start_gunicorn(
        accel=True, workers=args.workers, threads=args.threads
    )
    nginx = bench.start_nginx(app_port)
    roots = {
        "gunicorn": psutil.Process(gunicorn.pid),
        "nginx": psutil.Process(bench.PROCESSES[-1].pid),
        "postgres": postmaster(bench.PG.rsplit(":", 1)[1]),
        "load generator": psutil.Process(),
    }
    # Warm up first (both workers import the URL configuration, templates and so on at
    # their first requests, seconds of CPU that a running server has long paid): 32
    # connections x 5 requests, not measured, with tokens the measured stations do not use.
    warm_errors: list[str] = []
    asyncio.run(run_stations(nginx, data["tokens"][-1:], 1, 0.0, [], warm_errors, timeout=300))
    asyncio.run(run_stations(nginx, data["tokens"][-32:], 5, 0.0, [], warm_errors, 300))
    assert not warm_errors, warm_errors
    tokens = data["tokens"][: args.stations]
    latencies: list[float] = []
    errors: list[str] = []
    load_before = os.getloadavg()[0]
    cpu_before = cpu_snapshot(roots)
    started = time.perf_counter()
    asyncio.run(run_stations(nginx, tokens, args.polls, args.interval, latencies, errors))
    elapsed = time.perf_counter() - started - 0.5  # the connection set-up before the start
    cpu_after = cpu_snapshot(roots)
    latencies.sort()
    total = len(latencies)
    p95 = latencies[int(0.95 * (total - 1))]
    quantiles = statistics.quantiles(latencies, n=20)
    pattern = f"every {args.interval:g} s" if args.interval else "burst"
    print(
        f"machine: {psutil.cpu_count()} cores; gunicorn {args.workers} workers x {args.threads} "
        f"threads behind nginx; cache {args.cache}; pattern {pattern}; "
        f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{args.stations} stations x {args.polls} polls = {total} requests in {elapsed:.1f} s "
        f"({total / elapsed:.0f} req/s); latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
        f"errors {len(errors)} ({100 * len(errors) / total:.2f} %) {sorted(set(errors))}"
    )
    print(
        "latency p25/p75/p90 "
        + "/".join(f"{quantiles[i] * 1000:.0f}" for i in (4, 14, 17))
        + f" ms; CPU used: {cpu_used(cpu_before, cpu_after)}"
        + f"; server CPU per request {server_ms(cpu_before, cpu_after, total):.1f} ms"
    )


def server_ms(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]],
              requests: int) -> float:  # fmt: skip
    seconds = sum(
        value - before[name].get(pid, 0.0)
        for name in ("gunicorn", "nginx", "postgres")
        for pid, value in after[name].items()
    )
    return 1000 * seconds / requests


if __name__ == "__main__":
    main()
