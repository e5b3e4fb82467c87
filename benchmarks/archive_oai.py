"""OAI-PMH ListRecords over 100,000 records: page 1 vs page 500 (keyset paging).

Creates (or reuses) the database named by DATABASE_URL, migrates it, bulk-inserts N catalogue
rows (default 100,000; each with a realistic JSON-LD record and four set memberships), then
times ``ListRecords`` (``oai_dc``, 100 records a page) through Django's test client:

- page 1 (no token) and page 500 (the token a harvester holds after 499 pages);
- the same for a set-restricted harvest (``set=language:km``, every other record);
- baseline: the OFFSET query a naive provider would run for page 500.

Prints medians of REPEAT runs and the ratio page 500 / page 1 (target ≤ 1.5).

Run: ``DATABASE_URL=postgres://cms@127.0.0.1:54329/archive_bench
.venv/bin/python -m benchmarks.archive_oai [N]`` from the repository root.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
import uuid

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test import Client
from lxml import etree

PAGE = 100
REPEAT = 7
NS = {"o": "http://www.openarchives.org/OAI/2.0/"}


def record(n: int, key: uuid.UUID) -> dict:
    return {
        "@id": f"urn:uuid:{key}",
        "dc:title": [
            {"@value": f"Quyền trẻ em ở thôn bản, số {n}", "@language": "vi"},
            {"@value": f"សិទ្ធិកុមារនៅតាមភូមិ {n}", "@language": "km"},
        ],
        "dc:creator": [{"@value": "Sở Tư pháp", "@language": "vi"}],
        "dc:subject": [{"@value": "Quyền trẻ em (CRC)", "@language": "vi"}],
        "dc:description": [
            {
                "@value": "Phóng sự về quyền học tập và vui chơi của trẻ em "
                "vùng cao, phát trên loa truyền thanh xã.",
                "@language": "vi",
            }
        ],
        "dc:publisher": [{"@value": "Sở Tư pháp", "@language": "vi"}],
        "dc:contributor": [{"@value": "Phóng viên: Nguyễn Văn A", "@language": "vi"}],
        "dc:date": ["2025-10-01"],
        "dc:type": [
            {"@id": "http://purl.org/dc/dcmitype/Sound"},
            {"@value": "Phóng sự phát thanh", "@language": "vi"},
        ],
        "dc:format": ["audio/x-wav"],
        "dc:identifier": [
            f"CMS.{key.hex[:12].upper()}",
            f"urn:uuid:{key}",
            {"@id": f"https://tinh.example.vn/vi/phat-thanh/ban-tin-{n}/"},
        ],
        "dc:source": [f"Phóng sự {n}.wav"],
        "dc:language": ["vi", "km"],
        "dc:relation": [{"@id": "https://tinh.example.vn/vi/phat-thanh/"}],
        "dc:coverage": [{"@value": "Lạng Sơn", "@language": "vi"}],
        "dc:rights": [
            {"@value": "CC BY 4.0", "@language": "vi"},
            {"@id": "http://creativecommons.org/licenses/by/4.0/"},
        ],
        "arc:record": {"arc:recordCode": f"CMS.{key.hex[:12].upper()}"},
    }


def populate(count: int) -> None:
    from cms.archive.models import ArchiveItem, ArchiveItemSet

    if ArchiveItem.objects.count() >= count:
        return
    ArchiveItem.objects.all().delete()
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    batch = 5000
    for offset in range(0, count, batch):
        rows = []
        for n in range(offset, min(count, offset + batch)):
            key = uuid.uuid4()
            rows.append(
                ArchiveItem(
                    translation_key=key,
                    record_code=f"CMS.{key.hex[:12].upper()}",
                    title=f"Bản tin {n}",
                    datestamp=start + dt.timedelta(seconds=n // 3),
                    deleted=n % 50 == 0,
                    metadata=record(n, key),
                )
            )
        created = ArchiveItem.objects.bulk_create(rows)
        sets = []
        for n, row in enumerate(created, offset):
            specs = ["topic", "topic:crc", "language", "language:vi"]
            if n % 2:
                specs += ["language:km"]
            sets += [ArchiveItemSet(item=row, spec=s) for s in specs]
        ArchiveItemSet.objects.bulk_create(sets)


def token_after(page_number: int, spec: str | None) -> str:
    """The resumption token a harvester holds after ``page_number - 1`` pages."""
    from cms.archive import oai
    from cms.archive.models import ArchiveItem

    queryset = ArchiveItem.objects.all()
    if spec:
        queryset = queryset.filter(sets__spec=spec)
    total = queryset.count()
    last = queryset.order_by("datestamp", "id").values_list("datestamp", "id")[
        (page_number - 1) * PAGE - 1
    ]
    return oai._encode_token(
        {
            "v": 1,
            "verb": "ListRecords",
            "prefix": "oai_dc",
            "set": spec,
            "from": None,
            "until": dt.datetime.now(dt.UTC).isoformat(),
            "last": [last[0].isoformat(), last[1]],
            "cursor": (page_number - 1) * PAGE,
            "size": total,
        }
    )


def timed(client: Client, params: dict) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get("/oai/", params)
        times.append(time.perf_counter() - start)
        root = etree.fromstring(response.content)
        assert root.find("o:error", NS) is None, response.content[:500]
        assert len(root.findall(".//o:record", NS)) == PAGE
    return statistics.median(times)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    django.setup()
    from cms.archive import oai
    from cms.archive.models import ArchiveItem

    call_command("migrate", verbosity=0)
    settings.CMS_ARCHIVE = {"OAI_PAGE_SIZE": PAGE}
    start = time.perf_counter()
    populate(count)
    with connection.cursor() as cursor:  # what autovacuum does on a live server
        cursor.execute("VACUUM ANALYZE archive_archiveitem")
        cursor.execute("VACUUM ANALYZE archive_archiveitemset")
    print(f"{ArchiveItem.objects.count()} records ({time.perf_counter() - start:.0f} s to load)")
    client = Client()
    for spec in (None, "language:km"):
        base = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
        if spec:
            base["set"] = spec
        first = timed(client, base)
        page500 = timed(client, {"verb": "ListRecords", "resumptionToken": token_after(500, spec)})
        label = spec or "whole repository"
        print(
            f"[{label}] page 1: {first * 1000:.1f} ms; page 500: {page500 * 1000:.1f} ms; "
            f"ratio {page500 / first:.2f} (target <= 1.5)"
        )
        queryset = ArchiveItem.objects.all()
        if spec:
            queryset = queryset.filter(sets__spec=spec)
        offsets = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            list(queryset.order_by("datestamp", "id")[499 * PAGE : 500 * PAGE])
            offsets.append(time.perf_counter() - started)
        keyset_query = []
        token_state = oai._decode_token(token_after(500, spec), "ListRecords")
        last_date, last_id = token_state["last"]
        for _ in range(REPEAT):
            started = time.perf_counter()
            list(
                queryset.filter(datestamp__gte=last_date)
                .filter(Q(datestamp__gt=last_date) | Q(id__gt=last_id))
                .order_by("datestamp", "id")[:PAGE]
            )
            keyset_query.append(time.perf_counter() - started)
        print(
            f"[{label}] query only, page 500: OFFSET {statistics.median(offsets) * 1000:.1f} ms"
            f" vs keyset {statistics.median(keyset_query) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
