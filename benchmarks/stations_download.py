"""Download throughput of a package zip and memory of app-served streaming.

Measured with curl over loopback (the same client for every path):

* nginx serving the file directly (baseline),
* the production path: the app checks the token and answers X-Accel-Redirect, nginx sends,
* the app streaming the file itself (gunicorn, one sync worker, no nginx),

and the peak RSS of that gunicorn worker while it serves a small and a large file.

Run from the repository root (PostgreSQL from ``scripts/test-postgres.sh start``)::

    .venv/bin/python -m benchmarks.stations_download [large_mb] [small_mb]
"""

from __future__ import annotations

import atexit
import statistics
import subprocess
import sys
import threading
import time

import psutil

from benchmarks import stations_bench as bench

RUNS = 5


def curl(url: str, token: str | None = None, first_byte: int | None = None) -> float:
    """Bytes per second of one download, as curl measures it."""
    out = "%{http_code} %{speed_download} %{size_download}"
    args = ["curl", "-s", "-o", "/dev/null", "-w", out, "--noproxy", "*", url]
    if token:
        args[1:1] = ["-H", f"Authorization: Bearer {token}"]
    if first_byte is not None:
        args[1:1] = ["-H", f"Range: bytes={first_byte}-"]
    code, speed, _size = subprocess.run(
        args, capture_output=True, text=True, check=True, timeout=600
    ).stdout.split()
    assert code == ("206" if first_byte is not None else "200"), (url, code)
    return float(speed)


def interleaved(runs: dict[str, tuple[str, str | None, int | None]]) -> dict[str, float]:
    """Median speed per path, the paths taken in turn so background load hits all alike."""
    speeds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(RUNS):
        for name, (url, token, first_byte) in runs.items():
            speeds[name].append(curl(url, token, first_byte))
    return {name: statistics.median(values) for name, values in speeds.items()}


def peak_rss_during(process: psutil.Process, action: callable) -> tuple[int, int]:
    """(RSS before, peak RSS during) of ``process`` and its children, sampled every 5 ms."""
    procs = [process, *process.children(recursive=True)]
    worker = procs[-1]  # gunicorn: the master's only child is the worker
    before = worker.memory_info().rss
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, worker.memory_info().rss)
            time.sleep(0.005)

    thread = threading.Thread(target=sample)
    thread.start()
    try:
        action()
    finally:
        done.set()
        thread.join()
    return before, peak


def main() -> None:
    large_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    small_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    atexit.register(bench.PROCESSES.stop_all)
    bench.setup_django()
    data = bench.make_stations(1, {"small": small_mb * 1024**2, "large": large_mb * 1024**2})
    token = data["tokens"][0]
    accel_port, _ = bench.start_gunicorn(accel=True, workers=1)
    nginx = bench.start_nginx(accel_port)
    app_port, app_process = bench.start_gunicorn(accel=False, workers=1)

    print(f"machine: {psutil.cpu_count()} cores; large file {large_mb} MB, small {small_mb} MB")
    results = {}
    for name in ("small", "large"):
        package = data["packages"][name]
        direct = f"http://127.0.0.1:{nginx}/direct/{package['folder']}/{name}.zip"
        accel = f"http://127.0.0.1:{nginx}/api/stations/v1/packages/{package['id']}/bag.zip"
        app = f"http://127.0.0.1:{app_port}/api/stations/v1/packages/{package['id']}/bag.zip"
        curl(direct)  # warm the page cache
        speeds = interleaved(
            {
                "direct": (direct, None, None),
                "accel": (accel, token, None),
                "app": (app, token, None),
                "app_range": (app, token, 1),
            }
        )
        base = speeds["direct"]
        worker = psutil.Process(app_process.pid)
        # The Range path streams through the Python generator (no sendfile): the RSS to watch.
        before, peak = peak_rss_during(worker, lambda url=app: curl(url, token, 1))
        results[name] = (before, peak)
        print(
            f"{name:5} nginx direct {base / 1e6:7.1f} MB/s | X-Accel {speeds['accel'] / 1e6:7.1f}"
            f" MB/s ratio {speeds['accel'] / base:.2f} | app whole file (FileResponse) "
            f"{speeds['app'] / 1e6:7.1f} MB/s ratio {speeds['app'] / base:.2f} | app Range "
            f"stream {speeds['app_range'] / 1e6:7.1f} MB/s ratio {speeds['app_range'] / base:.2f}"
            f" | worker RSS {before / 1e6:.1f} -> {peak / 1e6:.1f} MB"
        )
    growth_small = results["small"][1] - results["small"][0]
    growth_large = results["large"][1] - results["large"][0]
    print(
        f"app-served peak RSS growth: small {growth_small / 1e6:.1f} MB, large "
        f"{growth_large / 1e6:.1f} MB, difference {(growth_large - growth_small) / 1e6:.1f} MB "
        f"(target within 20 MB)"
    )


if __name__ == "__main__":
    main()
