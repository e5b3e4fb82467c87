"""Bulk ingest of a 2,000-row sheet (issue #18 §4): time per row and peak memory.

Each run ingests its own folder of distinct short recordings (WAV, 0.4 s, so every file has
its own SHA-256) listed in a CSV sheet, through the same engine as ``manage.py
ingest_legacy``: the check of every row (ffprobe on each file), then the real run (master
stored, draft page and revision written, search index updated), then the same sheet again
(every row skipped as already ingested).

Baseline, measured in the same run: the same three steps on a 100-row sheet. The ratios say
whether time grows linearly (time per row, large ÷ small ≈ 1) and memory stays flat (peak
Python heap during the run, large ÷ small ≈ 1) as the sheet grows twentyfold. Peak heap is
tracemalloc's (Python allocations); the process's peak RSS is printed too.

Run: ``DATABASE_URL=postgres://cms@127.0.0.1:54329/ingest_bench
.venv/bin/python -m benchmarks.ingest_legacy [ROWS]`` from the repository root (the database
is created if missing; PostgreSQL from ``scripts/test-postgres.sh start``).
"""

from __future__ import annotations

import csv
import logging
import math
import os
import platform
import resource
import struct
import sys
import tempfile
import time
import tracemalloc
import wave
from pathlib import Path
from typing import TYPE_CHECKING

import django
from django.conf import settings
from django.core.management import call_command

if TYPE_CHECKING:
    from cms.ingest.engine import Summary

HEADER = [
    "file",
    "title",
    "language",
    "product_type",
    "produced_on",
    "topics",
    "summary",
    "section",
]


def recordings(folder: Path, count: int, seed: int) -> None:
    rate = 8000
    base = [
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(rate * 0.4))
    ]
    for index in range(count):
        path = folder / f"{1990 + index % 30}" / f"băng {seed}-{index:05d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        frames = list(base)
        frames[0] = struct.pack("<h", index)  # distinct bytes, distinct SHA-256
        frames[1] = struct.pack("<h", seed)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(b"".join(frames))


def sheet(path: Path, count: int, seed: int) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for index in range(count):
            writer.writerow(
                [
                    f"{1990 + index % 30}/băng {seed}-{index:05d}.wav",
                    f"Bản tin lưu trữ số {index} (lượt {seed})",
                    "vi",
                    "bulletin",
                    f"{1 + index % 28:02d}/{1 + index % 12:02d}/{1990 + index % 30}",
                    "crc; ethnic-minorities",
                    "Bản tin số hóa từ băng cát-xét của đài huyện.",
                    "phat-thanh",
                ]
            )
    return path


def tree() -> None:
    from wagtail.models import Locale, Page, Site

    from cms.content.models import HomePage, SectionIndexPage

    vi = Locale.objects.get(language_code="vi")
    home = HomePage.objects.filter(locale=vi).first()
    if home is None:
        home = HomePage(title="Trang chủ", slug="trang-chu", locale=vi)
        Page.get_first_root_node().add_child(instance=home)
        site = Site.objects.get(is_default_site=True)
        site.root_page = home
        site.save()
    if not SectionIndexPage.objects.filter(slug="phat-thanh").exists():
        home.add_child(instance=SectionIndexPage(title="Phát thanh", slug="phat-thanh"))


def measured(label: str, folder: Path, path: Path, dry_run: bool) -> tuple[float, float, Summary]:
    from cms.ingest.engine import LegacyIngest

    tracemalloc.start()
    started = time.perf_counter()
    summary = LegacyIngest(folder, dry_run=dry_run).run(path)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  {label:<28} {summary.rows:>5} rows  {elapsed:8.1f} s  "
        f"{1000 * elapsed / max(summary.rows, 1):6.1f} ms/row  peak heap {peak / 2**20:6.1f} MB  "
        f"(created {summary.created}, would create {summary.would_create}, "
        f"skipped {summary.skipped}, problems {summary.problems})",
        flush=True,
    )
    return elapsed, peak, summary


def scenario(rows: int, seed: int, tmp: Path) -> dict[str, tuple[float, float]]:
    folder = tmp / f"folder-{seed}"
    recordings(folder, rows, seed)
    path = sheet(tmp / f"sheet-{seed}.csv", rows, seed)
    print(f"{rows} rows:", flush=True)
    results = {}
    for label, dry_run in (
        ("check (--dry-run)", True),
        ("ingest", False),
        ("again (all skipped)", False),
    ):
        elapsed, peak, summary = measured(label, folder, path, dry_run)
        assert summary.problems == 0, summary.preview[:3]
        results[label] = (elapsed / rows, peak)
    return results


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    django.setup()
    logging.disable(logging.INFO)
    from cms.content.models import RadioSegmentPage

    call_command("migrate", verbosity=0)
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": False}
    settings.DEBUG = False
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        settings.MEDIA_ROOT = Path(tmp) / "media"
        tree()
        seed = int(time.time()) % 100000
        small = scenario(max(rows // 20, 1), seed, Path(tmp))
        large = scenario(rows, seed + 1, Path(tmp))
    print("ratios (large ÷ small; 1.0 = linear time, flat memory):")
    for label in small:
        time_ratio = large[label][0] / small[label][0]
        memory_ratio = large[label][1] / small[label][1]
        print(f"  {label:<28} time per row ×{time_ratio:4.2f}   peak heap ×{memory_ratio:4.2f}")
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS over the whole run: {peak_rss:.0f} MB")
    print(f"pages now: {RadioSegmentPage.objects.count()}")


if __name__ == "__main__":
    main()
