"""The simulated clients of ``benchmarks.load_production``: asyncio tasks, one keep-alive
connection each (``devstack.http``), timing every request into :class:`Stats`.

* public pages: GETs, cached (the nginx micro-cache must answer) or busted (a MISS);
* stations: poll the station API, download each new package through the app's redirect to
  the object store, check its SHA-256, confirm receipt;
* editor: open a page's edit form and save it, again and again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import ssl
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from benchmarks.html_forms import FormFields
from devstack.http import Browser, Connection, Response

API = "/api/stations/v1"


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


@dataclass
class Phase:
    seconds: float = 0.0
    stats: dict[str, Stats] = field(default_factory=dict)

    def get(self, name: str) -> Stats:
        return self.stats.setdefault(name, Stats(name))


def print_phase(title: str, phase: Phase) -> None:
    print(f"\n{title} ({phase.seconds:.0f} s)\n{HEADER}")
    for stats in phase.stats.values():
        print(stats.row(phase.seconds))
        if stats.name.startswith("public"):
            print(f"{'':36}X-Cache-Status: {stats.notes}")
