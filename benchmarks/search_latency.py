"""Archive search and report latency with 100,000 items in PostgreSQL.

    DATABASE_URL=postgres://cms@127.0.0.1:54329/bench \\
        .venv/bin/python -m benchmarks.search_latency [--items 100000] [--runs 20]
        [--keep | --reuse] [--only KIND] [--no-report]

Creates a throwaway test database (``test_<name>``, dropped at the end unless ``--keep``;
``--reuse`` runs against a kept one without loading), migrates it, and bulk-loads index
rows with COPY (no Wagtail pages: the page foreign key is dropped in this throwaway
database). Items are spread over two reporting years in ten languages (10 % Khmer,
written without spaces), with topics, channels and coverage tags. Their words follow a
Zipf distribution (see ``Corpus``), so the typical queries below hit from 0.5 % to 30 % of
the items, the broad ones because folding merges many syllables ("dong" is đồng, động,
đông, dòng...).

Measures, per typical query (a topic word with and without diacritics, a place name, a
two-word phrase, a Khmer word, with and without a filter), the public search as the view
runs it (first page of 20 ranked results with snippets, total and facet counts) and prints
p50/p95 beside a baseline measured in the same run: the same words matched with LIKE over
the folded text (what the SQLite fallback does, here on PostgreSQL without an index). A
stress query (one of the commonest words) is printed apart. Then the year report
(``cms.reports.figures.compute``) against a plain COUNT of the same rows. The load
average is printed before and after: the machine is shared.
Targets: search p95 < 150 ms, report < 1 s (2-core machine).
"""

from __future__ import annotations

import argparse
import datetime
import io
import itertools
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable

import django
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

# A Zipf-distributed corpus (word rank r has frequency ~ 1/r) that looks like the archive:
# common Vietnamese words at the top, a long tail of about 10,000 generated syllables, the
# words of each item's topics and a place name or two. Typical queries then hit from a few
# items (a place) to a few per cent (a topic word), as they do in a real archive.
COMMON_WORDS = (  # noqa: SIM905 - a list of words reads better as text
    "và của có là người được những các trong cho với không đã này một để khi về từ đến "
    "cũng như theo tại nhiều năm sẽ phải ra làm nhà đó nên thì vào lại còn trên hơn bà "
    "con xã thôn bản gia đình nhân dân cán bộ chính quyền địa phương tuyên truyền phát "
    "thanh hoạt động thực hiện tổ chức chương trình cộng đồng vùng cao huyện tỉnh sống "
    "học sinh trường ngày tháng hội nghị ý kiến hướng dẫn kế hoạch vận động chăm lo đời "
    "sống"
).split()
ONSETS = (  # noqa: SIM905 - a list of words reads better as text
    "b c ch d đ g gi h k kh l m n ng nh p ph qu r s t th tr v x"
).split()
RHYMES = (  # noqa: SIM905 - a list of words reads better as text
    "a ai an ang anh ao au ay ăn ăng âm ân âu ây e em en eo ê ênh êu i ia im in inh iu "
    "iêm iên iêu o oa oai oan oang oanh oi om on ong ô ôi ôm ôn ông ơ ơi ơm ơn u ua uân "
    "uê ui um un ung uô uôi uôn uông uy uyên ư ưa ưi ưng ươi ươn ương"
).split()
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
TOPIC_WORDS = {
    "crc": "quyền trẻ em bảo vệ trẻ em học tập vui chơi chăm sóc sức khỏe trẻ em",
    "cedaw": "phụ nữ xóa bỏ phân biệt đối xử với phụ nữ quyền của phụ nữ",
    "gender-equality": "bình đẳng giới bạo lực gia đình nam nữ bình đẳng",
    "anti-trafficking": "phòng chống mua bán người lừa đảo biên giới việc làm",
    "ethnic-minorities": "dân tộc thiểu số đồng bào tiếng nói chữ viết bản sắc văn hóa",
    "iccpr": "quyền dân sự chính trị tự do ngôn luận báo chí tín ngưỡng tôn giáo",
    "labour-rights-trade": "hiệp định thương mại lao động việc làm công đoàn tiền lương",
    "poverty-social-security": "giảm nghèo an sinh xã hội bảo hiểm hộ nghèo hỗ trợ",
}
PLACES = [
    "Đồng Đăng",
    "Cao Lộc",
    "Lạng Sơn",
    "Trà Vinh",
    "Sóc Trăng",
    "Tịnh Biên",
    "Bắc Hà",
    "Mường Khương",
    "Sa Pa",
    "Điện Biên",
    "Mèo Vạc",
    "Đồng Văn",
    "Bảo Lạc",
    "Hà Quảng",
    "Trùng Khánh",
    "Tây Giang",
    "Nam Giang",
    "A Lưới",
    "Bù Đăng",
    "Lộc Ninh",
    "Châu Đốc",
    "Tri Tôn",
    "Cầu Ngang",
    "Vĩnh Châu",
    "Kon Tum",
    "Sìn Hồ",
    "Phong Thổ",
    "Mộc Châu",
]
KM_WORDS = (  # noqa: SIM905 - a list of words reads better as text
    "កុមារ សិទ្ធិ សិក្សា មនុស្ស មូលដ្ឋាន សមភាព យេនឌ័រ គ្រួសារ ការពារ ប្រព័ន្ធ អ៊ីនធឺណិត "
    "ជនជាតិ ភាគតិច ភូមិ ឃុំ ស្ត្រី ការងារ សុខភាព សាលារៀន ច្បាប់ សហគមន៍ វប្បធម៌ ភាសា"
).split()
LANGUAGES = ["vi"] * 55 + ["km"] * 10 + ["tyz"] * 8 + ["hmn"] * 7 + ["en"] * 10 + ["nut"] * 5
LANGUAGES += ["cjm"] * 2 + ["ktv"] * 1 + ["sti"] * 1 + ["zh-hans"] * 1
TOPICS = list(TOPIC_WORDS)
CHANNELS = ["commune-loudspeaker", "web-portal", "digital-board", "social-media", "print"]
TYPES = ["radio_report", "radio_drama", "skit", "bulletin", "video", "exhibition"]
UNITS = ["so-vhttdl", "so-tu-phap", "so-noi-vu", "dai-ptth", "ubnd-xa"]

# (kind, query, filters): what visitors and editors type.
QUERIES: list[tuple[str, str, dict[str, object]]] = [
    ("topic, no diacritics", "quyen tre em", {}),
    ("topic, diacritics", "quyền trẻ em", {}),
    ("topic word + filter", "binh dang gioi", {"language": "vi"}),
    ("phrase + topic facet", "bao luc gia dinh", {"topic": "gender-equality"}),
    ("two words + date", "mua ban nguoi", {"date_from": datetime.date(2025, 1, 1)}),
    ("place name", "dong dang", {}),
    ("place name, diacritics", "Mường Khương", {}),
    ("two-word phrase", "hiep dinh thuong mai", {}),
    ("Khmer word", "សិទ្ធិ", {}),
    ("Khmer word + language", "កុមារ", {"language": "km"}),
]
# Not a typical query: one of the commonest words, hitting most of the archive.
STRESS_QUERIES: list[tuple[str, str, dict[str, object]]] = [
    ("stress: very common word", "nguoi", {}),
]


def vocabulary() -> list[str]:
    import unicodedata

    rng = random.Random(61)
    tail = [
        unicodedata.normalize("NFC", onset + rhyme[0] + tone + rhyme[1:])
        for onset in ONSETS
        for rhyme in RHYMES
        for tone in TONES
    ]
    rng.shuffle(tail)
    return list(dict.fromkeys(COMMON_WORDS + tail))


class Corpus:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary()
        weights = [1 / rank for rank in range(1, len(self.words) + 1)]
        self.cumulative = list(itertools.accumulate(weights))
        km_weights = [1 / rank for rank in range(1, len(KM_WORDS) + 1)]
        self.km_cumulative = list(itertools.accumulate(km_weights))
        place_weights = [1 / rank for rank in range(1, len(PLACES) + 1)]
        self.place_cumulative = list(itertools.accumulate(place_weights))

    def text(self, language: str, count: int, topics: list[str]) -> str:
        rng = self.rng
        if language == "km":
            # Khmer is written without spaces between the words of a sentence.
            picked = rng.choices(KM_WORDS, cum_weights=self.km_cumulative, k=max(2, count // 2))
            return " ".join("".join(picked[i : i + 6]) for i in range(0, len(picked), 6))
        out = rng.choices(self.words, cum_weights=self.cumulative, k=count)
        for topic in topics:
            phrase = TOPIC_WORDS[topic].split()
            start = rng.randrange(len(phrase))
            at = rng.randrange(len(out))
            out[at:at] = phrase[start : start + rng.randint(2, 5)]
        return " ".join(out[: count + 10])

    def place(self) -> str:
        return self.rng.choices(PLACES, cum_weights=self.place_cumulative, k=1)[0]


def load(items: int, seed: int = 6) -> None:
    from cms.search.indexing import facet_keys
    from cms.search.text import nfc, term_text, tsvector_literal
    from cms.taxonomy.models import AdministrativeUnit

    rng = random.Random(seed)
    corpus = Corpus(rng)
    unit_ids = list(AdministrativeUnit.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = "
            "'archive_search_searchdocument'::regclass AND contype IN ('f', 'u')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE archive_search_searchdocument DROP CONSTRAINT "{name}"')
    documents = io.StringIO()
    texts = io.StringIO()
    tags = io.StringIO()
    start_day = datetime.date(2024, 12, 15)
    now = datetime.datetime.now(datetime.UTC).isoformat()
    for pk in range(1, items + 1):
        language = rng.choice(LANGUAGES)
        topics = rng.sample(TOPICS, rng.randint(1, 2))
        title = nfc(corpus.text(language, 6, topics[:1]))
        summary = nfc(corpus.text(language, 20, topics))
        body = corpus.text(language, 80, topics)
        if language != "km":
            body += " " + " ".join(corpus.place() for _ in range(rng.randint(0, 2)))
        body = nfc(body)
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
        ]
        item_tags = [("topic", topic) for topic in topics]
        item_tags += [("channel", c) for c in rng.sample(CHANNELS, rng.randint(1, 3))]
        item_tags.append(("unit", str(rng.choice(unit_ids))))
        fields = dict(zip(("item_type", "product_type", "producing_unit"), row[5:8], strict=True))
        keys = facet_keys({**fields, "language": language, "bulletin_class": "normal"}, item_tags)
        row += [keys, tsvector_literal(weighted), now]
        documents.write("\t".join(escape(value) for value in row) + "\n")
        text_row = [
            str(pk),
            summary,
            body,
            term_text(t for t, _w in weighted),
            term_text((t for t, _w in weighted), folded=False),
            tsvector_literal(weighted, folded=False),
        ]
        texts.write("\t".join(escape(value) for value in text_row) + "\n")
        for facet, value in item_tags:
            tags.write(f"{pk}\t{facet}\t{value}\n")
    columns = (
        "id, page_id, scope, translation_key, language, item_type, product_type, "
        "producing_unit, bulletin_class, access_level, live, date, published_at, title, "
        "facet_keys, vector, updated_at"
    )
    text_columns = "document_id, summary, body, folded_terms, exact_terms, exact_vector"
    raw = connection.connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY archive_search_searchdocument ({columns}) FROM STDIN") as copy:
            copy.write(documents.getvalue())
        with cursor.copy(f"COPY archive_search_searchtext ({text_columns}) FROM STDIN") as copy:
            copy.write(texts.getvalue())
        with cursor.copy(
            "COPY archive_search_searchtag (document_id, facet, value) FROM STDIN"
        ) as copy:
            copy.write(tags.getvalue())
        cursor.execute("ANALYZE archive_search_searchdocument")
        cursor.execute("ANALYZE archive_search_searchtag")
        cursor.execute("ANALYZE archive_search_searchtext")


def escape(value: str) -> str:
    """A value for PostgreSQL's COPY text format."""
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


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
    parser.add_argument(
        "--keep", action="store_true", help="keep the test database (for EXPLAIN ANALYZE)"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database, no load")
    parser.add_argument("--only", default="", help="only the query kinds containing this")
    parser.add_argument("--no-report", action="store_true", help="skip the report timing")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    django.setup()
    assert connection.vendor == "postgresql", "set DATABASE_URL=postgres://..."
    config = setup_databases(verbosity=0, interactive=False, keepdb=args.reuse)
    try:
        run(
            args.items,
            args.runs,
            load_items=not args.reuse,
            only=args.only,
            report=not args.no_report,
        )
    finally:
        if args.keep or args.reuse:
            print(f"kept database {connection.settings_dict['NAME']}")
        else:
            teardown_databases(config, verbosity=0)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run(
    items: int, runs: int, *, load_items: bool = True, only: str = "", report: bool = True
) -> None:
    from cms.reports.figures import compute, products
    from cms.reports.periods import annual
    from cms.search.models import SearchDocument
    from cms.search.query import SearchForm, public_documents, run_search
    from cms.search.text import query_terms

    if load_items:
        started = time.perf_counter()
        load(items)
        print(f"loaded {items} items in {time.perf_counter() - started:.1f} s")
    print(f"load average before: {load_average()}")
    names = SearchForm(language="vi").names
    typical_p95: list[float] = []
    header = f"{'kind':26} {'query':30} {'hits':>6} {'p50 ms':>8} {'p95 ms':>8} {'LIKE p95':>9}"
    print(header)
    for kind, query, filters in [*QUERIES, *STRESS_QUERIES]:
        if only not in kind:
            continue
        data = {"q": query, **filters}
        result = run_search(public_documents(), data, names, language="vi")
        samples = timed(
            lambda d=data: run_search(public_documents(), d, names, language="vi"), runs
        )

        def like(q: str = query) -> int:
            qs = SearchDocument.objects.filter(scope="live")
            for term in query_terms(q):
                qs = qs.filter(text__folded_terms__contains=f" {term}")
            return len(list(qs.order_by("-date")[:20])) + qs.count()

        baseline = timed(like, max(3, runs // 5))
        p95 = percentile(samples, 0.95)
        if not kind.startswith("stress"):
            typical_p95.append(p95)
        label = f"{query} {filters or ''}"[:30]
        print(
            f"{kind:26} {label:30} {result.total:>6} {statistics.median(samples):>8.1f} "
            f"{p95:>8.1f} {percentile(baseline, 0.95):>9.1f}"
        )
    if typical_p95:
        print(f"worst typical search p95: {max(typical_p95):.1f} ms (target < 150 ms)")
    if not report:
        return

    period = annual(2025, (12, 14))
    count = products(period).count()
    report = timed(lambda: compute(period), max(5, runs // 2))
    plain = timed(lambda: products(period).count(), max(5, runs // 2))
    ratio = statistics.median(report) / statistics.median(plain)
    print(
        f"year report over {count} products: p50 {statistics.median(report):.0f} ms, "
        f"max {max(report):.0f} ms (target < 1000 ms); plain COUNT p50 "
        f"{statistics.median(plain):.1f} ms; ratio {ratio:.1f}"
    )
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
