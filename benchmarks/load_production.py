"""Load on the production setup (``devstack.stack``, as ``make prod-local``): public site,
stations, editor.

Everything goes through nginx (HTTPS, the real ``deploy/nginx/cms.conf``) to gunicorn
(``deploy/gunicorn.conf.py``), PostgreSQL, moto S3 and two ``db_worker`` processes, all with
``cms.settings.production``. Scenarios, first each alone on an idle stack (the baseline),
then all at once (loaded):

* public pages, cached: anonymous GETs of every live page in several locales (the nginx
  micro-cache answers; ``X-Cache-Status: HIT`` is checked);
* public pages, uncached: the same pages with a distinct query string per request, so each
  one is a cache MISS rendered by the app (checked);
* stations: each polls the station API every ``--interval`` s (following ``next_cursor``),
  downloads every new package (the app redirects to a presigned S3 URL; the bytes come
  from the object store), checks its SHA-256 and confirms receipt;
* editor: signed in to the Wagtail admin (password + TOTP code, as production requires),
  opens a page's edit form and saves it (POST with the form's CSRF token) again and again;
* transcoding (loaded phase only): masters made with ffmpeg test sources (1080p video with
  a tone, and speech-band audio) stored through the upload code path on S3; the stack's 2
  workers render them (real ffmpeg) while the other scenarios run.

Afterwards, "nothing lost": every successful save is a revision, every transcode job is
DONE with its file in S3, every station download's SHA-256 matched and every confirmation
is recorded. The clients are asyncio tasks with a small HTTP/1.1 keep-alive client (no
extra dependency), one connection per simulated client. No timed assertions.

The clients are in :mod:`benchmarks.load_clients`, the set-up and the checks in
:mod:`benchmarks.load_setup`.

Run from the repository root::

    .venv/bin/python -m benchmarks.load_production            # quick (small) run
    .venv/bin/python -m benchmarks.load_production --full     # 300 stations, 60 s phases
    .venv/bin/python -m benchmarks.load_production --attach /tmp/cms-prod-local  # running stack

Without ``--attach`` it starts its own stack (PostgreSQL on ``--pg-port``, default 54341)
and stops it at the end. Station and package rows of a previous run are replaced (with
``--attach`` the demo's packages too).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks.load_clients import (
    Phase,
    StationResult,
    editor_client,
    print_phase,
    public_client,
    station_client,
)
from benchmarks.load_setup import (
    check_saves,
    check_stations,
    check_transcodes,
    cpu_seconds,
    editor_page,
    make_masters,
    make_stations,
    public_urls,
    setup_django,
    store_masters,
    wait_idle,
)
from devstack.http import Browser, Connection
from devstack.stack import Stack


async def run_phase(
    args: argparse.Namespace,
    base: str,
    context: ssl.SSLContext,
    seconds: float,
    *,
    urls: list[str],
    cached: int,
    uncached: int,
    tokens: list[str],
    results: list[StationResult],
    browser: Browser | None,
    page: tuple[int, str, Any] | None,
    saved: list[str],
    public_rate: float = 0.0,
) -> Phase:
    phase = Phase(seconds)
    end = time.monotonic() + seconds
    tasks = []
    rate = public_rate / cached if public_rate and cached else 0.0
    for _ in range(cached):
        tasks.append(
            public_client(base, context, urls, phase.get("public cached"), end, False, rate)
        )
    for _ in range(uncached):
        tasks.append(public_client(base, context, urls, phase.get("public uncached"), end, True))
    if tokens:
        station_stats = {k: phase.get(f"stations {k}") for k in ("poll", "download", "receipt")}
        for token, result in zip(tokens, results, strict=True):
            tasks.append(
                station_client(base, context, token, args.interval, end, station_stats, result)
            )
    if browser is not None and page is not None:
        editor_stats = {"open": phase.get("editor open form"), "save": phase.get("editor save")}
        tasks.append(editor_client(browser, page[0], page[1], end, 0.5, editor_stats, saved))
    started = time.monotonic()
    await asyncio.gather(*tasks)
    phase.seconds = time.monotonic() - started
    return phase


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="300 stations, 60 s phases")
    parser.add_argument("--stations", type=int)
    parser.add_argument("--seconds", type=float, help="length of the loaded phase")
    parser.add_argument("--idle-seconds", type=float)
    parser.add_argument("--interval", type=float, help="station poll interval (s)")
    parser.add_argument("--cached-clients", type=int)
    parser.add_argument("--uncached-clients", type=int)
    parser.add_argument("--masters", type=int)
    parser.add_argument("--master-seconds", type=int)
    parser.add_argument("--package-mb", type=float, default=1.0)
    parser.add_argument(
        "--public-rate",
        type=float,
        default=0.0,
        help="cap on the cached public requests per second in the loaded phase (0: none)",
    )
    parser.add_argument("--attach", type=Path, help="work dir of a running prod_local stack")
    parser.add_argument("--pg-port", type=int, default=54341)
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=10,
        help="run the workers (and ffmpeg) under nice -n N (10 as in cms-worker@.service)",
    )
    args = parser.parse_args()
    full = {
        "stations": 300,
        "seconds": 60.0,
        "idle_seconds": 20.0,
        "interval": 15.0,
        "cached_clients": 16,
        "uncached_clients": 4,
        "masters": 4,
        "master_seconds": 60,
    }
    quick = {
        "stations": 30,
        "seconds": 20.0,
        "idle_seconds": 8.0,
        "interval": 5.0,
        "cached_clients": 4,
        "uncached_clients": 2,
        "masters": 2,
        "master_seconds": 10,
    }
    for key, value in (full if args.full else quick).items():
        if getattr(args, key) is None:
            setattr(args, key, value)

    load_start = os.getloadavg()
    stack: Stack | None = None
    if args.attach:
        state = json.loads((args.attach / "stack.json").read_text(encoding="utf-8"))
    else:
        print("starting the production stack (devstack.stack) …", flush=True)
        stack = Stack(
            work=Path(f"/tmp/cms-load-{args.pg_port}"),
            pg_port=args.pg_port,
            worker_nice=args.worker_nice,
            quiet=True,
        ).start()
        state = json.loads((stack.work / "stack.json").read_text(encoding="utf-8"))
    try:
        measure(args, state, load_start, stack)
    finally:
        if stack is not None:
            stack.stop()


def measure(
    args: argparse.Namespace,
    state: dict[str, Any],
    load_start: tuple[float, ...],
    stack: Stack | None,
) -> None:
    base = state["base_url"]
    context = ssl.create_default_context(cafile=state["cert"])
    setup_django(state["env"])
    wait_idle("demo")
    urls, locales = public_urls()
    idle_count = min(args.stations, 30)
    data = make_stations(args.stations + idle_count, int(args.package_mb * 1024 * 1024))
    tokens = data["tokens"]
    page = editor_page()
    with tempfile.TemporaryDirectory(prefix="load-masters-") as tmp:
        masters = make_masters(args.masters, args.master_seconds, Path(tmp))
        browser = Browser(base, context)
        asyncio.run(browser.login("admin", state["admin_password"], state["totp_key"]))
        # Warm-up: every page once (fills the micro-cache), the admin form once.
        warm = Phase()
        asyncio.run(_warm(base, context, urls, browser, page, warm))
        load_before = os.getloadavg()
        print(
            f"machine: {psutil.cpu_count()} cores; {len(urls)} public pages in {len(locales)} "
            f"locales ({', '.join(locales)}); load average at start {load_start[0]:.1f}, "
            f"before measuring {load_before[0]:.1f}/{load_before[1]:.1f}/{load_before[2]:.1f}"
        )
        saved: list[str] = []
        common: dict[str, Any] = {"urls": urls, "browser": None, "page": None, "saved": saved}
        idle: dict[str, Phase] = {}
        alone: tuple[tuple[str, dict[str, Any]], ...] = (
            ("cached", {"cached": args.cached_clients, "uncached": 0}),
            ("uncached", {"cached": 0, "uncached": args.uncached_clients}),
        )
        for name, kwargs in alone:
            idle[name] = asyncio.run(
                run_phase(
                    args,
                    base,
                    context,
                    args.idle_seconds,
                    tokens=[],
                    results=[],
                    **kwargs,
                    **common,
                )
            )
        idle_results = [StationResult() for _ in range(idle_count)]
        idle["stations"] = asyncio.run(
            run_phase(
                args,
                base,
                context,
                max(args.idle_seconds, args.interval * 2),
                cached=0,
                uncached=0,
                tokens=tokens[args.stations :],
                results=idle_results,
                **common,
            )
        )
        idle["editor"] = asyncio.run(
            run_phase(
                args,
                base,
                context,
                args.idle_seconds,
                cached=0,
                uncached=0,
                tokens=[],
                results=[],
                **{**common, "browser": browser, "page": page},
            )
        )
        for name, phase in idle.items():
            print_phase(f"idle baseline: {name} alone", phase)

        print(f"\nstoring {len(masters)} masters ({args.master_seconds} s each) …", flush=True)
        transcode_start = time.time()
        master_ids = store_masters(masters)
    results = [StationResult() for _ in range(args.stations)]
    cpu_before = cpu_seconds(stack)
    loaded = asyncio.run(
        run_phase(
            args,
            base,
            context,
            args.seconds,
            cached=args.cached_clients,
            uncached=args.uncached_clients,
            tokens=tokens[: args.stations],
            results=results,
            browser=browser,
            page=page,
            urls=urls,
            saved=saved,
            public_rate=args.public_rate,
        )
    )
    loaded_end = time.time()
    load_loaded = os.getloadavg()
    cpu_after = cpu_seconds(stack)
    cap = f"capped at {args.public_rate:g} req/s" if args.public_rate else "as fast as they can"
    cap += f", workers under nice -n {args.worker_nice}" if args.worker_nice else ""
    print_phase(
        f"loaded: everything at once, {args.stations} stations polling every "
        f"{args.interval:g} s, 2 workers transcoding, cached public clients {cap}",
        loaded,
    )
    if cpu_after:
        used = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
        print(
            f"CPU seconds used in the loaded phase ({loaded.seconds:.0f} s × 2 cores = "
            f"{2 * loaded.seconds:.0f} available): "
            + ", ".join(f"{name} {seconds:.0f}" for name, seconds in used.items())
        )
    print("\nnothing lost:")
    transcodes, last_finished = check_transcodes(master_ids, timeout=3600)
    print(f"  {transcodes}")
    busy_until = last_finished - transcode_start
    phase_length = loaded_end - transcode_start
    media_minutes = sum(
        (2 if n % 2 == 0 else 8) * args.master_seconds / 120 for n in range(args.masters)
    )
    print(
        f"  (2 workers rendered {args.masters} masters, {media_minutes:.0f} min of media, in "
        f"{busy_until:.0f} s from storing them; the loaded phase lasted {phase_length:.0f} s: "
        f"workers busy {'throughout' if busy_until >= phase_length else 'for part of it'})"
    )
    print(f"  {check_saves(page[0], page[2], saved)}")
    print(f"  {check_stations(data, results, 0)}")
    print(f"  idle phase: {check_stations(data, idle_results, args.stations)}")
    print("\nratios:")
    cached, uncached = idle["cached"].get("public cached"), idle["uncached"].get("public uncached")
    rate_c = len(cached.latencies) / idle["cached"].seconds
    rate_u = len(uncached.latencies) / idle["uncached"].seconds
    per_client = ratio(rate_c / args.cached_clients, rate_u / args.uncached_clients)
    print(
        f"  idle, cached vs uncached: throughput {ratio(rate_c, rate_u)} (with "
        f"{args.cached_clients} vs {args.uncached_clients} clients; per client {per_client}), "
        f"p95 {ratio(cached.quantile(0.95), uncached.quantile(0.95))}"
    )
    for name, phase_name in (
        ("public cached", "cached"),
        ("public uncached", "uncached"),
        ("stations poll", "stations"),
        ("stations download", "stations"),
        ("editor save", "editor"),
    ):
        before = idle[phase_name].get(name).quantile(0.95)
        after = loaded.get(name).quantile(0.95)
        print(f"  {name}: p95 loaded / idle = {after * 1000:.0f} / {before * 1000:.0f} ms = "
              f"{ratio(after, before)}")  # fmt: skip
    load_end = os.getloadavg()
    print(
        f"\nload average: {load_before[0]:.1f} before measuring, {load_loaded[0]:.1f} at the end "
        f"of the loaded phase, {load_end[0]:.1f} after the transcodes"
    )


async def _warm(
    base: str, context: ssl.SSLContext, urls: list[str], browser: Browser,
    page: tuple[int, str, Any], phase: Phase,
) -> None:  # fmt: skip
    connection = Connection(base, context)
    for url in urls:
        await connection.request("GET", url)
    connection.close()
    await browser.send("GET", f"/admin/pages/{page[0]}/edit/")


if __name__ == "__main__":
    main()
