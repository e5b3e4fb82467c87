"""Set-up and checks of ``benchmarks.load_production``: the synchronous Django ORM side
(stations and packages, masters to transcode, the page to edit), run outside the event loop,
and the "nothing lost" checks afterwards; plus the CPU time of the stack's parts."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks import stations_bench as bench
from benchmarks.load_clients import StationResult
from devstack.processes import postmaster
from devstack.stack import Stack

LOCALES = ("vi", "km", "en", "hmn", "cjm")


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
            renditions.schedule_renditions(master)
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
