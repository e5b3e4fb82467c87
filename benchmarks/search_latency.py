"""Archive search and report latency with 100,000 items in PostgreSQL.

    DATABASE_URL=postgres://cms@127.0.0.1:54329/bench \\
        .venv/bin/python benchmarks/search_latency.py [--items 100000] [--runs 30]

Creates a throwaway test database (``test_<name>``, dropped at the end), migrates it,
and bulk-loads index rows with COPY (no Wagtail pages: the page foreign key is dropped in
this throwaway database). Items are spread over two reporting years in ten languages
(10 % Khmer, written without spaces), with topics, channels and coverage tags.

Measures, per typical query, the public search as the view runs it (count, first page of
20 ranked results with snippets, facet counts) and prints p50/p95 against a baseline
measured in the same run: the same words matched with LIKE over the folded text (what the
SQLite fallback does, here on PostgreSQL without an index). Then the year report
(``cms.reports.figures.compute``) against a plain COUNT of the same rows.
Targets: search p95 < 150 ms, report < 1 s (2-core machine).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

VI_TEXT = (
    "quyền trẻ em bình đẳng giới phụ nữ người khuyết tật dân tộc thiểu số tín ngưỡng tôn "
    "giáo tự do ngôn luận báo chí an sinh xã hội giảm nghèo lao động việc làm hiệp định "
    "thương mại mua bán người bạo lực gia đình học tập vui chơi bảo vệ chăm sóc sức khỏe "
    "pháp luật tuyên truyền thôn bản xã phường vùng cao biên giới đồng bào cán bộ nhân dân "
    "chính sách nhà nước trách nhiệm hệ thống chính trị cơ sở phát thanh truyền hình loa"
)
VI_WORDS = VI_TEXT.split()
KM_SENTENCES = [
    "កុមារគ្រប់រូបមានសិទ្ធិសិក្សា",
    "សិទ្ធិមនុស្សនៅមូលដ្ឋាន",
    "សមភាពយេនឌ័រក្នុងគ្រួសារ",
    "ការការពារកុមារនៅលើប្រព័ន្ធអ៊ីនធឺណិត",
    "ជនជាតិភាគតិចនៅតាមភូមិ",
]
LANGUAGES = ["vi"] * 55 + ["km"] * 10 + ["tyz"] * 8 + ["hmn"] * 7 + ["en"] * 10 + ["nut"] * 5
LANGUAGES += ["cjm"] * 2 + ["ktv"] * 1 + ["sti"] * 1 + ["zh-hans"] * 1
TOPICS = ["crc", "cedaw", "gender-equality", "anti-trafficking", "ethnic-minorities", "iccpr"]
CHANNELS = ["commune-loudspeaker", "web-portal", "digital-board", "social-media", "print"]
TYPES = ["radio_report", "radio_drama", "skit", "bulletin", "video", "exhibition"]
UNITS = ["so-vhttdl", "so-tu-phap", "so-noi-vu", "dai-ptth", "ubnd-xa"]

QUERIES: list[tuple[str, dict[str, object]]] = [
    ("quyen tre em", {}),
    ("quyền trẻ em", {}),
    ("binh dang gioi", {"language": "vi"}),
    ("bao luc gia dinh", {"topic": "gender-equality"}),
    ("tuyen truyen phap luat", {"date_from": datetime.date(2025, 1, 1)}),
    ("សិទ្ធិ", {}),
    ("hiep dinh thuong mai lao dong", {}),
    ("loa", {}),
]


def text(rng: random.Random, language: str, words: int) -> str:
    if language == "km":
        return " ".join(
            "".join(rng.choice(KM_SENTENCES) for _ in range(2)) for _ in range(words // 8)
        )
    return " ".join(rng.choice(VI_WORDS) for _ in range(words))


def load(items: int, seed: int = 6) -> None:
    from cms.search.text import nfc, term_text, tsvector_literal
    from cms.taxonomy.models import AdministrativeUnit

    rng = random.Random(seed)
    unit_ids = list(AdministrativeUnit.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = "
            "'archive_search_searchdocument'::regclass AND contype IN ('f', 'u')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE archive_search_searchdocument DROP CONSTRAINT "{name}"')
    documents = io.StringIO()
    tags = io.StringIO()
    start_day = datetime.date(2024, 12, 15)
    now = datetime.datetime.now(datetime.UTC).isoformat()
    for pk in range(1, items + 1):
        language = rng.choice(LANGUAGES)
        title = nfc(text(rng, language, 6))
        summary = nfc(text(rng, language, 20))
        body = nfc(text(rng, language, 80))
        weighted = [(title, "A"), (summary, "B"), (body, "D")]
        day = start_day + datetime.timedelta(days=rng.randrange(730))
        row = [
            str(pk),
            str(pk),
            "live",
            str(uuid.UUID(int=rng.getrandbits(128))),
            language,
            rng.choice(["radio_segment", "video", "exhibition"]),
            rng.choice(TYPES),
            rng.choice(UNITS),
            "normal",
            "public",
            "t",
            day.isoformat(),
            now,
            title[:255],
            summary,
            body,
            term_text(t for t, _w in weighted),
            term_text((t for t, _w in weighted), folded=False),
            tsvector_literal(weighted),
            tsvector_literal(weighted, folded=False),
            now,
        ]
        documents.write("\t".join(value.replace("\\", "\\\\") for value in row) + "\n")
        for topic in rng.sample(TOPICS, rng.randint(1, 2)):
            tags.write(f"{pk}\ttopic\t{topic}\n")
        for channel in rng.sample(CHANNELS, rng.randint(1, 3)):
            tags.write(f"{pk}\tchannel\t{channel}\n")
        tags.write(f"{pk}\tunit\t{rng.choice(unit_ids)}\n")
    columns = (
        "id, page_id, scope, translation_key, language, item_type, product_type, "
        "producing_unit, bulletin_class, access_level, live, date, published_at, title, "
        "summary, body, folded_terms, exact_terms, vector, exact_vector, updated_at"
    )
    raw = connection.connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY archive_search_searchdocument ({columns}) FROM STDIN") as copy:
            copy.write(documents.getvalue())
        with cursor.copy(
            "COPY archive_search_searchtag (document_id, facet, value) FROM STDIN"
        ) as copy:
            copy.write(tags.getvalue())
        cursor.execute("ANALYZE archive_search_searchdocument")
        cursor.execute("ANALYZE archive_search_searchtag")


def timed(function: Callable[[], object], runs: int) -> list[float]:
    function()  # warm the cache
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "set DATABASE_URL=postgres://..."
    config = setup_databases(verbosity=0, interactive=False)
    try:
        run(args.items, args.runs)
    finally:
        teardown_databases(config, verbosity=0)


def run(items: int, runs: int) -> None:
    from cms.reports.figures import compute, products
    from cms.reports.periods import annual
    from cms.search.models import SearchDocument
    from cms.search.query import SearchForm, public_documents, run_search
    from cms.search.text import query_terms

    started = time.perf_counter()
    load(items)
    print(f"loaded {items} items in {time.perf_counter() - started:.1f} s (2 cores)")
    names = SearchForm(language="vi").names
    all_p95: list[float] = []
    print(f"{'query':42} {'hits':>6} {'p50 ms':>8} {'p95 ms':>8} {'LIKE p95':>9} {'ratio':>6}")
    for query, filters in QUERIES:
        data = {"q": query, **filters}
        result = run_search(public_documents(), data, names, language="vi")
        samples = timed(
            lambda d=data: run_search(public_documents(), d, names, language="vi"), runs
        )

        def like(q: str = query) -> int:
            qs = SearchDocument.objects.filter(scope="live")
            for term in query_terms(q):
                qs = qs.filter(folded_terms__contains=f" {term}")
            return len(list(qs.order_by("-date")[:20])) + qs.count()

        baseline = timed(like, max(5, runs // 3))
        p95 = percentile(samples, 0.95)
        all_p95.append(p95)
        label = f"{query} {filters or ''}"[:42]
        print(
            f"{label:42} {result.total:>6} {statistics.median(samples):>8.1f} {p95:>8.1f} "
            f"{percentile(baseline, 0.95):>9.1f} {p95 / percentile(baseline, 0.95):>6.2f}"
        )
    print(f"worst search p95: {max(all_p95):.1f} ms (target < 150 ms)")

    period = annual(2025, (12, 14))
    count = products(period).count()
    report = timed(lambda: compute(period), max(5, runs // 3))
    plain = timed(lambda: products(period).count(), max(5, runs // 3))
    ratio = statistics.median(report) / statistics.median(plain)
    print(
        f"year report over {count} products: p50 {statistics.median(report):.0f} ms, "
        f"max {max(report):.0f} ms (target < 1000 ms); plain COUNT p50 "
        f"{statistics.median(plain):.1f} ms; ratio {ratio:.1f}"
    )


if __name__ == "__main__":
    main()
