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
import contextlib
import hashlib
import json
import os
import random
import ssl
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import psutil

from benchmarks import stations_bench as bench
from benchmarks.html_forms import FormFields
from devstack.http import Browser, Connection, Response
from devstack.processes import postmaster
from devstack.stack import Stack

API = "/api/stations/v1"
LOCALES = ("vi", "km", "en", "hmn", "cjm")


# --- figures ------------------------------------------------------------------------------


@dataclass
class Stats:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)

    def add(self, seconds: float, error: str | None = None) -> None:
        self.latencies.append(seconds)
        if error:
            self.errors.append(error)

    def note(self, key: str) -> None:
        self.notes[key] = self.notes.get(key, 0) + 1

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def row(self, seconds: float) -> str:
        n = len(self.latencies)
        rate = 100 * len(self.errors) / n if n else 0.0
        kinds = f" {sorted(set(self.errors))[:4]}" if self.errors else ""
        return (
            f"{self.name:34} {n:7d} {n / seconds:8.1f} {self.quantile(0.5) * 1000:8.0f} "
            f"{self.quantile(0.95) * 1000:8.0f} {rate:7.2f} %{kinds}"
        )


HEADER = f"{'scenario':34} {'requests':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>9}"


async def timed(stats: Stats, call: Any, check: Any) -> Response | None:
    started = time.perf_counter()
    try:
        response = await call
    except Exception as error:
        stats.add(time.perf_counter() - started, type(error).__name__)
        return None
    problem = check(response)
    stats.add(time.perf_counter() - started, problem)
    return response


# --- public pages -------------------------------------------------------------------------


async def public_client(
    base: str,
    context: ssl.SSLContext,
    urls: list[str],
    stats: Stats,
    end: float,
    bust: bool,
    rate: float = 0.0,
) -> None:
    """Back-to-back GETs, or ``rate`` requests per second at most (0: as fast as it can)."""
    connection = Connection(base, context)
    order = random.sample(urls, len(urls))
    n = 0
    next_at = time.monotonic() + (random.uniform(0, 1 / rate) if rate else 0.0)
    while time.monotonic() < end:
        if rate:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at += 1 / rate
        url = order[n % len(order)]
        n += 1
        if bust:
            url += f"?v={uuid.uuid4().hex}"
        # Served from the cache: HIT, or STALE/UPDATING while one request refreshes an
        # expired entry (proxy_cache_background_update). A busted URL must be a MISS.
        expected = {"MISS"} if bust else {"HIT", "STALE", "UPDATING", "REVALIDATED"}

        def check(response: Response, expected: set[str] = expected) -> str | None:
            cache = response.header("x-cache-status")
            stats.note(cache or "none")
            if response.status != 200:
                return str(response.status)
            return None if cache in expected else f"cache {cache or 'none'}"

        await timed(stats, connection.request("GET", url), check)
    connection.close()


# --- stations -----------------------------------------------------------------------------


@dataclass
class StationResult:
    downloads: dict[int, str] = field(default_factory=dict)  # package id -> sha256 seen
    confirmed: set[int] = field(default_factory=set)


async def station_client(
    base: str,
    context: ssl.SSLContext,
    token: str,
    interval: float,
    end: float,
    stats: dict[str, Stats],
    result: StationResult,
) -> None:
    api = Connection(base, context)
    store: Connection | None = None
    auth = {"Authorization": f"Bearer {token}"}
    cursor = ""
    await asyncio.sleep(random.uniform(0, interval))
    while time.monotonic() < end:
        started = time.monotonic()
        while True:  # one poll: follow next_cursor while has_more
            query = f"?{urlencode({'since': cursor})}" if cursor else ""
            response = await timed(
                stats["poll"],
                api.request("GET", f"{API}/packages{query}", auth),
                lambda r: None if r.status == 200 else str(r.status),
            )
            if response is None or response.status != 200:
                break
            document = json.loads(response.body)
            cursor = document["next_cursor"] or ""
            for package in document["packages"]:
                if package["id"] in result.confirmed:
                    continue
                store = await download(api, store, context, package, auth, stats, result)
            if not document["has_more"]:
                break
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
    api.close()
    if store is not None:
        store.close()


async def download(
    api: Connection,
    store: Connection | None,
    context: ssl.SSLContext,
    package: dict[str, Any],
    auth: dict[str, str],
    stats: dict[str, Stats],
    result: StationResult,
) -> Connection | None:
    """bag.zip: the app's redirect, then the presigned S3 URL; check, then confirm."""
    path = urlsplit(package["bag"]["zip_url"]).path
    started = time.perf_counter()
    try:
        redirect = await api.request("GET", path, auth)
        if redirect.status == 200:
            body = redirect.body
        elif redirect.status in (302, 307):
            target = urlsplit(redirect.header("location"))
            if store is None or store.netloc != target.netloc:
                store = Connection(f"{target.scheme}://{target.netloc}", context)
            fetched = await store.request("GET", f"{target.path}?{target.query}", timeout=300)
            if fetched.status != 200:
                raise ConnectionError(f"store {fetched.status}")
            body = fetched.body
        else:
            raise ConnectionError(f"bag {redirect.status}")
    except Exception as error:
        stats["download"].add(time.perf_counter() - started, str(error)[:40])
        return store
    digest = hashlib.sha256(body).hexdigest()
    good = digest == package["bag"]["zip_sha256"]
    stats["download"].add(time.perf_counter() - started, None if good else "sha256 mismatch")
    result.downloads[package["id"]] = digest
    if not good:
        return store
    receipt_path = f"{API}/packages/{package['id']}/receipt"
    payload = json.dumps({"sha256": digest}).encode()
    headers = {**auth, "Content-Type": "application/json"}
    response = await timed(
        stats["receipt"],
        api.request("POST", receipt_path, headers, payload),
        lambda r: None if r.status == 200 else str(r.status),
    )
    if response is not None and response.status == 200:
        result.confirmed.add(package["id"])
    return store


# --- editor -------------------------------------------------------------------------------


async def editor_client(
    browser: Browser,
    page_id: int,
    title: str,
    end: float,
    pause: float,
    stats: dict[str, Stats],
    saved: list[str],
) -> None:
    path = f"/admin/pages/{page_id}/edit/"
    n = 0
    while time.monotonic() < end:
        form_page = await timed(
            stats["open"],
            browser.send("GET", path),
            lambda r: None if r.status == 200 and b"page-edit-form" in r.body else str(r.status),
        )
        if form_page is None or form_page.status != 200:
            await asyncio.sleep(pause)
            continue
        parser = FormFields("page-edit-form")
        parser.feed(form_page.body.decode("utf-8"))
        n += 1
        new_title = f"{title} · lưu {uuid.uuid4().hex[:8]}"
        form = [(k, new_title if k == "title" else v) for k, v in parser.fields]
        response = await timed(
            stats["save"],
            browser.send("POST", path, form),
            lambda r: None if r.status == 302 else str(r.status),
        )
        if response is not None and response.status == 302:
            saved.append(new_title)
        await asyncio.sleep(pause)


# --- set-up and checks (synchronous Django ORM, outside the event loop) -------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def wait_idle(label: str, timeout: float = 3600) -> None:
    """Until no rendition job is pending or running (the demo's, at start-up)."""
    from cms.media.models import MediaRendition, RenditionStatus

    deadline = time.monotonic() + timeout
    busy = {RenditionStatus.PENDING, RenditionStatus.RUNNING}
    while (count := MediaRendition.objects.filter(status__in=busy).count()) and (
        time.monotonic() < deadline
    ):
        print(f"  waiting for {count} {label} rendition jobs …", flush=True)
        time.sleep(10)


def public_urls() -> tuple[list[str], list[str]]:
    from wagtail.models import Page

    urls, locales = [], set()
    for page in Page.objects.live().public().filter(depth__gt=1).select_related("locale"):
        parts = page.get_url_parts()
        if parts and page.locale.language_code in LOCALES:
            urls.append(parts[2])
            locales.add(page.locale.language_code)
    return sorted(set(urls)), sorted(locales)


def make_stations(count: int, size: int) -> dict[str, Any]:
    """``count`` stations with tokens and one ready package whose zip is in S3."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    bench.media().mkdir(parents=True, exist_ok=True)
    data = bench.make_stations(count, {"load": size})
    package = data["packages"]["load"]
    name = f"{package['folder']}/load.zip"
    if default_storage.exists(name):  # an earlier run's, on an attached stack
        default_storage.delete(name)
    with (bench.media() / name).open("rb") as handle:
        stored = default_storage.save(name, File(handle))
    assert stored == name, (stored, name)
    (bench.media() / name).unlink()
    return data


def make_masters(count: int, seconds: int, folder: Path) -> list[Path]:
    """ffmpeg test sources: 1080p video + tone, and speech-band audio, in turn."""
    paths = []
    for n in range(count):
        if n % 2 == 0:
            path = folder / f"load-video-{n}.mp4"
            inputs = [
                "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={seconds}",
                "-f", "lavfi", "-i", f"sine=frequency={300 + 40 * n}:duration={seconds}",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-shortest",
            ]  # fmt: skip
        else:
            path = folder / f"load-audio-{n}.wav"
            inputs = [
                "-f", "lavfi", "-i",
                f"anoisesrc=color=pink:amplitude=0.2:duration={seconds * 4},"
                f"bandpass=f={800 + 50 * n}:width_type=h:w=2500",
                "-ar", "48000", "-ac", "2",
            ]  # fmt: skip
        subprocess.run(["ffmpeg", "-v", "error", "-y", *inputs, str(path)], check=True)
        paths.append(path)
    return paths


def store_masters(paths: list[Path]) -> list[int]:
    from django.db import transaction

    from cms.media import renditions
    from cms.media.uploads import master_from_file

    ids = []
    with transaction.atomic():
        for n, path in enumerate(paths):
            master = master_from_file(path, f"Tải thử {n + 1}", "vi")
            renditions.plan(master)
            ids.append(master.pk)
    return ids


def editor_page() -> tuple[int, str, Any]:
    from wagtail.models import Page, Revision

    from cms.content.models import SectionIndexPage

    page = SectionIndexPage.objects.filter(locale__language_code="vi").first() or (
        Page.objects.filter(depth=2).first()
    )
    assert page is not None
    latest = Revision.page_revisions.filter(object_id=str(page.pk)).order_by("-pk").first()
    return page.pk, page.title, latest.pk if latest else 0


def check_saves(page_id: int, since_revision: int, saved: list[str]) -> str:
    from wagtail.models import Revision

    revisions = Revision.page_revisions.filter(object_id=str(page_id), pk__gt=since_revision)
    titles = {r.content.get("title") for r in revisions}
    missing = [t for t in saved if t not in titles]
    return (
        f"editor: {len(saved)} saves answered 302, {revisions.count()} new revisions, "
        f"{len(missing)} saved titles missing from the revisions"
    ) + (" — LOST" if missing else " — nothing lost")


def check_transcodes(master_ids: list[int], timeout: float) -> tuple[str, float]:
    from django.core.files.storage import default_storage

    from cms.media.models import MediaRendition, RenditionStatus

    started = time.monotonic()
    jobs = MediaRendition.objects.filter(master_id__in=master_ids)
    busy = (RenditionStatus.PENDING, RenditionStatus.RUNNING)
    while jobs.filter(status__in=busy).exists() and time.monotonic() - started < timeout:
        time.sleep(2)
    total = jobs.count()
    done = list(jobs.filter(status=RenditionStatus.DONE))
    in_s3 = [r for r in done if r.file and default_storage.exists(str(r.file.name))]
    not_done = list(jobs.exclude(status=RenditionStatus.DONE).values_list("profile", "status"))
    finished = max((r.finished_at for r in done if r.finished_at), default=None)
    text = (
        f"transcoding: {total} jobs, {len(done)} DONE, {len(in_s3)} with their file in S3; "
        f"not done: {not_done or 'none'}"
    ) + (" — nothing lost" if len(in_s3) == total == len(done) else " — LOST")
    return text, finished.timestamp() if finished else 0.0


def check_stations(data: dict[str, Any], results: list[StationResult], first: int) -> str:
    """``results[i]`` is station ``bench-{first + i}`` (the order of ``make_stations``)."""
    from cms.stations.models import PackageDelivery

    package = data["packages"]["load"]
    downloads = [r.downloads.get(package["id"]) for r in results]
    good = sum(1 for d in downloads if d == package["sha256"])
    bad = sum(1 for d in downloads if d is not None and d != package["sha256"])
    confirmed = sum(1 for r in results if package["id"] in r.confirmed)
    recorded = PackageDelivery.objects.filter(
        package_id=package["id"],
        received_at__isnull=False,
        station__code__in=[f"bench-{first + i}" for i in range(len(results))],
    ).count()
    lost = bad or recorded != confirmed or good != len(results)
    return (
        f"stations: {len(results)} stations, {good} downloads with the right SHA-256, {bad} "
        f"wrong, {confirmed} confirmations answered 200, {recorded} receipts recorded"
    ) + (" — LOST or incomplete" if lost else " — nothing lost")


def cpu_seconds(stack: Stack | None) -> dict[str, float]:
    """CPU time (user + system) per part of the stack, children included, and of this load
    generator itself (the stack's processes are its children, counted under their parts)."""
    if stack is None:
        return {}

    def tree(process: psutil.Process) -> float:
        total = 0.0
        for member in [process, *process.children(recursive=True)]:
            try:
                t = member.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
        return total

    parts: dict[str, float] = {}
    for name, popen in stack.processes.items():
        group = "workers+ffmpeg" if name.startswith("worker") else name
        with contextlib.suppress(psutil.Error):
            parts[group] = parts.get(group, 0.0) + tree(psutil.Process(popen.pid))
    master = postmaster(str(stack.pg_port))
    if master is not None:
        parts["postgres"] = tree(master)
    me = psutil.Process().cpu_times()
    parts["load generator"] = me.user + me.system
    return parts


# --- phases -------------------------------------------------------------------------------


@dataclass
class Phase:
    seconds: float = 0.0
    stats: dict[str, Stats] = field(default_factory=dict)

    def get(self, name: str) -> Stats:
        return self.stats.setdefault(name, Stats(name))


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


def print_phase(title: str, phase: Phase) -> None:
    print(f"\n{title} ({phase.seconds:.0f} s)\n{HEADER}")
    for stats in phase.stats.values():
        print(stats.row(phase.seconds))
        if stats.name.startswith("public"):
            print(f"{'':36}X-Cache-Status: {stats.notes}")


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
