"""Export throughput for N metadata-only items (default 10,000): items per second.

"Metadata-only": every item is a complete, published radio segment whose master is a tiny
(about 4 KB) recording shared by all of them, so the run measures the archive's own work —
readiness, the record and its schema validation, the fingerprint, the catalogue row, the bag
(``bagit`` with sha256 + sha512), the PREMIS log, the export log — not media copying.

Times, to a directory target on local disk:

(a) the first export run (every item exported, one bag each);
(b) a second run with nothing changed (fingerprints only, nothing written);
(c) baseline: ``bagit.make_bag`` alone on a directory holding the same files as one item's
    bag payload, repeated for a sample of items (the library's floor for the bag itself).

Run: ``DATABASE_URL=postgres://cms@127.0.0.1:54329/archive_bench_export
.venv/bin/python -m benchmarks.archive_export [N]`` from the repository root.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bagit
import django
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

if TYPE_CHECKING:
    from cms.content.models import SectionIndexPage
    from cms.media.models import MediaMaster


def tiny_master(tmp: Path) -> MediaMaster:
    from cms.media.models import MediaMaster
    from cms.media.uploads import check_media_upload

    path = tmp / "tiny.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-b:a", "32k", str(path)],
        check=True,
    )
    upload = SimpleUploadedFile("bản tin ngắn.mp3", path.read_bytes())
    existing = MediaMaster.objects.filter(original_name="bản tin ngắn.mp3").first()
    if existing:  # a previous run's row; its file lived in that run's temporary MEDIA_ROOT
        existing.file.storage.save(existing.file.name, upload)
        existing.sha256 = check_media_upload(upload).sha256
        existing.save()
        return existing
    checked = check_media_upload(upload)
    master = MediaMaster(title="Bản tin ngắn", language="vi", original_name="bản tin ngắn.mp3")
    for attr in (
        "kind",
        "sha256",
        "size",
        "duration",
        "width",
        "height",
        "technical_metadata",
        "warnings",
    ):
        setattr(master, attr, getattr(checked, attr))
    master.file.save(upload.name, upload, save=False)
    master.save()
    return master


def populate(count: int, master: MediaMaster) -> SectionIndexPage:
    from wagtail.models import Locale, Page, Site

    from cms.content.models import HomePage, ItemPage, RadioSegmentPage, SectionIndexPage
    from cms.taxonomy.models import (
        AdministrativeUnit,
        Audience,
        Channel,
        ProducingUnit,
        ProductType,
        Topic,
    )

    vi = Locale.objects.get(language_code="vi")
    home = HomePage.objects.filter(locale=vi).first()
    if home is None:
        home = HomePage(title="Trang chủ", slug="trang-chu", locale=vi)
        Page.get_first_root_node().add_child(instance=home)
        site = Site.objects.get(is_default_site=True)
        site.root_page = home
        site.save()
    section = SectionIndexPage.objects.filter(slug="ban-tin").first()
    if section is None:
        section = SectionIndexPage(title="Bản tin", slug="ban-tin")
        home.add_child(instance=section)
    existing = RadioSegmentPage.objects.count()
    m2m = {
        "topics": list(Topic.objects.filter(code__in=["crc", "ethnic-minorities"], locale=vi)),
        "audiences": list(Audience.objects.filter(code="children", locale=vi)),
        "channels": list(Channel.objects.filter(code="commune-loudspeaker", locale=vi)),
        "coverage": list(AdministrativeUnit.objects.filter(code="P2025-20")),
    }
    product_type = ProductType.objects.get(code="bulletin", locale=vi)
    unit = ProducingUnit.objects.get(code="dai-ptth", locale=vi)
    now = timezone.now()
    started = time.perf_counter()
    for n in range(existing, count):
        page = RadioSegmentPage(
            title=f"Bản tin số {n}: quyền trẻ em ở thôn bản",
            slug=f"ban-tin-{n}",
            audio=master,
            summary="Bản tin phát trên loa truyền thanh xã về quyền được học tập của trẻ em.",
            script="Kính thưa bà con, mọi trẻ em đều có quyền được học tập và vui chơi.",
            keywords="quyền trẻ em, giáo dục",
            product_type=product_type,
            producing_unit=unit,
            funding_source="state_budget",
            rights="cc_by_4",
            retention_period="permanent",
            access_level="public",
            production_date=dt.date(2025, 10, 1),
            live=False,
            first_published_at=now,
            last_published_at=now,
        )
        section.add_child(instance=page)
        if n % 1000 == 999:
            print(f"  created {n + 1} items ({time.perf_counter() - started:.0f} s)", flush=True)
    # Tags in bulk through the relation tables, then published without revisions: what
    # matters here is the export, not Wagtail's editing path.
    for name, values in m2m.items():
        field = ItemPage._meta.get_field(name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        tagged = set(through.objects.values_list(f"{source}_id", flat=True))
        pages = RadioSegmentPage.objects.exclude(pk__in=tagged).values_list("pk", flat=True)
        through.objects.bulk_create(
            [through(**{f"{source}_id": pk, f"{target}_id": v.pk}) for pk in pages for v in values],
            batch_size=5000,
        )
    RadioSegmentPage.objects.update(live=True, has_unpublished_changes=False)
    return section


class QueryCounter:
    """Counts the queries a run makes, and the most frequent ones by table (where the
    per-item cost goes)."""

    def __init__(self) -> None:
        self.count = 0
        self.tables: Counter[str] = Counter()

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        match = re.search(r'(FROM|INTO|UPDATE)\s+"([^"]+)"', sql)
        self.tables[f"{sql.split()[0]} {match.group(2) if match else '?'}"] += 1
        return execute(sql, params, many, context)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    django.setup()
    logging.getLogger("bagit").setLevel(logging.WARNING)
    logging.disable(logging.INFO)
    from cms.archive.exporter import export
    from cms.archive.targets import DirectoryTarget

    call_command("migrate", verbosity=0)
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": False}
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        tmp_path = Path(tmp)
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.CMS_ARCHIVE = {"WORK_DIR": str(tmp_path / "work")}
        master = tiny_master(tmp_path)
        populate(count, master)
        from cms.archive.models import ArchiveItem, ExportLease, ExportRecord, ItemVersion

        ExportLease.objects.all().delete()  # a killed earlier run may still hold it
        ExportRecord.objects.all().delete()
        ItemVersion.objects.all().delete()
        ArchiveItem.objects.all().delete()
        target = DirectoryTarget(tmp_path / "usb")
        first_queries, second_queries = QueryCounter(), QueryCounter()
        start = time.perf_counter()
        with connection.execute_wrapper(first_queries):
            report = export([target])
        first = time.perf_counter() - start
        assert report.count("exported") == count, report.summary()
        start = time.perf_counter()
        with connection.execute_wrapper(second_queries):
            report = export([target])
        second = time.perf_counter() - start
        assert report.count("unchanged") == count, report.summary()

        sample = sorted((tmp_path / "usb" / "items").glob("*/v0001"))[:200]
        start = time.perf_counter()
        for bag_dir in sample:
            copy = tmp_path / "baseline" / bag_dir.parent.name
            shutil.copytree(bag_dir / "data", copy)
            bagit.make_bag(
                str(copy), {"Source-Organization": "bench"}, checksums=["sha256", "sha512"]
            )
        baseline = (time.perf_counter() - start) / len(sample)
        size = sum(p.stat().st_size for p in sample[0].rglob("*") if p.is_file())
    print(f"items: {count}; one bag: {size} bytes")
    print(f"(a) first export:   {first:.1f} s = {count / first:.1f} items/s")
    print(f"(b) unchanged run:  {second:.1f} s = {count / second:.1f} items/s")
    print(f"(c) bagit.make_bag alone (copy + bag, {len(sample)} items): {1 / baseline:.1f} items/s")
    print(f"ratio first export / bagit alone: {(count / first) * baseline:.2f}")
    for label, counter in (("first export", first_queries), ("unchanged run", second_queries)):
        print(f"queries per item, {label}: {counter.count / count:.1f}")
        for shape, n in counter.tables.most_common(8):
            print(f"    {n / count:5.1f}  {shape}")


if __name__ == "__main__":
    main()
