"""Push to stations (nginx nchan) against polling: how soon a station hears of a package,
how soon its bag is verified on disk, and what the idle connections cost nginx.

Everything on 127.0.0.1: PostgreSQL, gunicorn (the site, X-Accel-Redirect), nginx with the
production push locations of deploy/nginx/cms.conf (``devstack/nginx.py``), and the sync client's
own code (``station_sync``) in threads of this process. Bounded: every wait has a deadline.

1. notified: ``STATIONS`` (1,000) ``station_sync.push.Listener``s hold an SSE connection each;
   a package for all of them becomes available (``distribution.mark_available``, which
   publishes after commit, as a finished build does); time from that call to each listener's
   message, over ``ROUNDS`` packages. nginx workers' RSS with the idle connections, minus
   before any, per 100 stations.
2. on disk (push): ``DISK_STATIONS`` (100) real ``station_sync`` watch loops (``cli.main``
   with ``--interval 3600``, push on by default) wait after their first pass; a 2 MB emergency
   bag becomes available; time from that to the bag verified and moved into place in each
   station's folder.
3. baseline, same run: the same 100 stations with ``--push off`` polling every
   ``--baseline-interval`` seconds (default 20; real stations default to 300), started at
   random phases; the same measurement. Polling latency grows with the interval (about
   ``interval / 2`` on average): at 300 s it is 15 times the figure measured at 20 s.

Release here is the moment the build is ready (building the bag takes the same time whichever
way stations hear of it). Run from the repository root, with a PostgreSQL (the test one)::

    BENCH_PG=postgres://cms@127.0.0.1:55101 .venv/bin/python -m benchmarks.stations_push_bench \
        [--stations 1000] [--disk-stations 100] [--rounds 3] [--baseline-interval 20]
"""

from __future__ import annotations

import argparse
import atexit
import faulthandler
import getpass
import os
import platform
import queue
import random
import signal
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import stations_bench as bench
from devstack.nginx import Nginx, with_push

DEADLINE = float(os.environ.get("BENCH_DEADLINE", 300))  # seconds, for any one wait


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


BAG_BYTES = 2 * 1024 * 1024


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):7.3f} s  p95 {pct(values, 0.95):7.3f} s  "
        f"max {max(values):7.3f} s  (n={len(values)})"
    )


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.05)


def no_proxy() -> None:
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        os.environ.pop(key, None)
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"


def warm_up(base: str) -> None:
    """Until the app answers through nginx (gunicorn binds before its workers are ready)."""
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def answers() -> bool:
        try:
            with opener.open(f"{base}/api/stations/v1/openapi.json", timeout=30) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    wait_for(answers, "the app behind nginx")
    progress("app answering")


def make_bag_build(stations: list[Any], title: str, size: int) -> Any:
    """A ready build of a real BagIt bag (one ``size`` byte file) for ``stations``, not yet
    available (deliveries without ``available_at``), as a build worker leaves it just before
    ``mark_available``."""
    import bagit

    from cms.stations import integrity, packaging
    from cms.stations.models import (
        BroadcastPackage,
        BuildStatus,
        PackageBuild,
        PackageDelivery,
    )

    package = BroadcastPackage.objects.create(title=title, bulletin_class="emergency")
    name = f"goi-{package.pk}-bench"
    folder = f"stations/packages/{package.pk}/bench"
    bag_dir = bench.media() / folder / name
    bench.write_file(bag_dir / "data" / "vi" / "canh-bao-lu.mp3", size)
    bag = bagit.make_bag(str(bag_dir), {"External-Identifier": name}, checksums=["sha256"])
    files = packaging.bag_files(bag_dir, bag)
    for entry in files:
        entry["storage_name"] = f"{folder}/{name}/{entry['path']}"
        integrity.remember(entry["storage_name"], entry["sha256"])
    tag = next(e["sha256"] for e in files if e["path"] == "tagmanifest-sha256.txt")
    build = PackageBuild.objects.create(
        package=package, variant_key=name, status=BuildStatus.READY, bag_name=name,
        folder=folder, zip_size=0, zip_sha256="", bag_sha256=tag, files=files, manifest={},
    )  # fmt: skip
    PackageDelivery.objects.bulk_create(
        [PackageDelivery(package=package, station=s, build=build) for s in stations]
    )
    return build


def release(build: Any) -> float:
    """Make ``build`` available (publishes to nchan after commit); returns when it started."""
    from cms.stations import distribution

    began = time.time()
    distribution.mark_available(build)
    return began


# --- 1. notified, memory ------------------------------------------------------------------
def notified(server: Nginx, stations: list[Any], secrets: list[str], rounds: int) -> dict:
    from station_sync.client import Client, Config
    from station_sync.push import Event, Listener

    threading.stack_size(256 * 1024)
    idle_before = server.workers_rss()
    heard: dict[int, list[float]] = {}
    lock = threading.Lock()
    listeners = []
    for station, secret in zip(stations, secrets, strict=True):
        config = Config(url=server.url, token=secret, dest=bench.work() / "unused")

        def record(event: Event, pk: int = station.pk) -> None:
            with lock:
                heard.setdefault(pk, []).append(event.at)

        listener = Listener(
            Client(config), f"/api/stations/v1/push/{station.pk}", queue.Queue(),
            read_timeout=120, on_message=record,
        )  # fmt: skip
        listener.start()
        listeners.append(listener)
    began = time.monotonic()
    progress(f"{len(listeners)} listeners started")
    wait_for(lambda: all(x.connected.is_set() for x in listeners), "all subscribers")
    progress("all connected")
    connect_seconds = time.monotonic() - began
    time.sleep(2)  # idle
    idle_after = server.workers_rss()
    latencies: list[float] = []
    for number in range(rounds):
        build = make_bag_build(stations, f"Khẩn cấp {number}", 1024)
        with lock:
            heard.clear()
        t0 = release(build)
        wait_for(lambda: len(heard) == len(stations), "every station notified")
        progress(f"round {number + 1}: every station notified")
        with lock:
            latencies += [times[0] - t0 for times in heard.values()]
    for listener in listeners:
        listener.close()
    return {
        "latencies": latencies,
        "connect_seconds": connect_seconds,
        "rss_before": idle_before,
        "rss_after": idle_after,
    }


# --- 2./3. on disk ------------------------------------------------------------------------
def on_disk(
    server: Nginx, stations: list[Any], secrets: list[str], push: bool, interval: float
) -> list[float]:
    from cms.stations.models import BroadcastPackage
    from station_sync import cli

    BroadcastPackage.objects.all().delete()  # earlier phases' packages: not fetched here
    run = bench.work() / f"disk-{'push' if push else 'poll'}-{time.monotonic_ns()}"
    build = make_bag_build(stations, "Lũ quét khẩn cấp", BAG_BYTES)
    bags = [run / str(s.pk) / build.bag_name / "tagmanifest-sha256.txt" for s in stations]
    codes: list[int] = []

    def station_loop(secret: str, dest: Path, offset: float, cycles: int) -> None:
        time.sleep(offset)
        argv = ["sync", "--url", server.url, "--token", secret, "--dest", str(dest), "--watch",
                "--quiet", "--backoff", "0.5", "--max-cycles", str(cycles)]  # fmt: skip
        if push:
            argv += ["--interval", "3600", "--emergency-interval", "3600"]
        else:
            argv += ["--push", "off", "--interval", str(interval),
                     "--emergency-interval", str(interval)]  # fmt: skip
        codes.append(cli.main(argv))

    threads = []
    for station, secret in zip(stations, secrets, strict=True):
        # Push: first pass now, the second when pushed. Polling: random phases, and enough
        # passes to cover a whole interval after the release (made 1.2 intervals in).
        offset = 0.0 if push else random.uniform(0, interval)
        thread = threading.Thread(
            target=station_loop,
            args=(secret, run / str(station.pk), offset, 2 if push else 4),
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    if push:
        # nchan's per-channel subscriber counts lag across nginx workers: count this
        # process's open connections to nginx instead (between passes, a client holds only
        # its event stream).
        import psutil

        def listening() -> int:
            return sum(
                1
                for c in psutil.Process().net_connections("tcp")
                if c.status == "ESTABLISHED" and c.raddr and c.raddr.port == server.port
            )

        wait_for(lambda: listening() >= len(stations), "all stations listening")
        progress(f"{len(stations)} stations listening")
    else:
        time.sleep(1.2 * interval)
    t0 = release(build)
    seen: dict[int, float] = {}
    deadline = time.monotonic() + DEADLINE
    while len(seen) < len(bags) and time.monotonic() < deadline:
        now = time.time()
        for index, bag in enumerate(bags):
            if index not in seen and bag.exists():
                seen[index] = now - t0
        time.sleep(0.02)
    progress(f"{len(seen)} of {len(bags)} bags on disk")
    end = time.monotonic() + DEADLINE
    for thread in threads:
        thread.join(timeout=max(0.1, end - time.monotonic()))
    if len(seen) < len(bags):
        raise SystemExit(f"only {len(seen)} of {len(bags)} bags arrived")
    return list(seen.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--disk-stations", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline-interval", type=float, default=20.0)
    args = parser.parse_args()
    no_proxy()
    # Stopped by a signal (timeout, Ctrl+C): still stop gunicorn and nginx (atexit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    faulthandler.register(signal.SIGUSR1)  # kill -USR1: where every thread is
    atexit.register(bench.PROCESSES.stop_all)
    port = bench.free_port()
    publish = f"http://127.0.0.1:{port}/_push/pub/"
    bench.env()["BENCH_PUSH_URL"] = os.environ["BENCH_PUSH_URL"] = publish
    bench.setup_django()
    from cms.stations.models import Station

    made = bench.make_stations(args.stations, {})
    stations = list(Station.objects.filter(code__startswith="bench-").order_by("pk"))
    secrets = made["tokens"]
    upstream, _ = bench.start_gunicorn(accel=True, workers=2, threads=8)
    conf = bench.NGINX_CONF.format(
        tmp=bench.work() / "nginx", port=port, media=bench.media(), upstream=upstream,
        user=getpass.getuser(),
    ).replace("worker_connections 2048", "worker_connections 4096")  # fmt: skip
    server = Nginx(with_push(conf, "http://app"), bench.work() / "nginx", port).start()
    atexit.register(server.stop)
    warm_up(server.url)

    print(f"machine: {platform.node()} {os.cpu_count()} cores, {platform.platform()}")
    first = notified(server, stations, secrets, args.rounds)
    per100 = (first["rss_after"] - first["rss_before"]) / (args.stations / 100)
    progress(f"notified: {summary(first['latencies'])}; RSS per 100 idle: "
             f"{per100 / 2**20:.2f} MiB")  # fmt: skip
    n = args.disk_stations
    pushed = on_disk(server, stations[:n], secrets[:n], push=True, interval=0)
    polled = on_disk(server, stations[:n], secrets[:n], push=False, interval=args.baseline_interval)
    print(f"\n1. release -> station notified, {args.stations} connected stations "
          f"({args.rounds} releases):")  # fmt: skip
    print(f"   push     {summary(first['latencies'])}   target p95 <= 5 s")
    print(f"   ({args.stations} subscribers connected and authorized in "
          f"{first['connect_seconds']:.1f} s)")  # fmt: skip
    print(f"\n2. release -> 2 MB emergency bag verified on disk, {n} stations:")
    print(f"   push     {summary(pushed)}   target p95 <= 30 s")
    print(f"   polling  {summary(polled)}   (--interval {args.baseline_interval:g}, baseline)")
    print(f"   ratio push/polling: p50 {statistics.median(pushed) / statistics.median(polled):.3f}"
          f"  p95 {pct(pushed, 0.95) / pct(polled, 0.95):.3f}"
          f"  max {max(pushed) / max(polled):.3f}")  # fmt: skip
    print(f"   polling at the default --interval 300 waits about {300 / args.baseline_interval:g}"
          " times the baseline (the wait is uniform over the interval)")  # fmt: skip
    print(f"\n3. nginx workers' RSS: {first['rss_before'] / 2**20:.1f} MiB before, "
          f"{first['rss_after'] / 2**20:.1f} MiB with {args.stations} idle subscribers: "
          f"{per100 / 2**20:.2f} MiB per 100 stations   target < 5 MB")  # fmt: skip


if __name__ == "__main__":
    main()
