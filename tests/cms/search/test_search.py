"""Archive search end to end: pages published through Wagtail, the index updated by the
signals, the public view and the admin view queried over HTTP."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.db import connection
from wagtail.models import Page, PageViewRestriction

from cms.content.models import ExhibitionItem, ExhibitionPage, RadioSegmentPage, VideoPage
from cms.search.indexing import rebuild
from cms.search.models import IndexScope, SearchDocument
from cms.search.text import query_terms, tsquery_literal, tsvector_literal
from cms.taxonomy.models import AdministrativeUnit

from .conftest import add_item, translate

pytestmark = pytest.mark.django_db


def titles(response: Any) -> list[str]:
    body = response.content.decode()
    return re.findall(r"<h2><a href=\"[^\"]*\">([^<]*)</a></h2>", body)


def search(client: Any, lang: str = "vi", **params: Any) -> Any:
    response = client.get(f"/{lang}/search/", params)
    assert response.status_code == 200
    return response


@pytest.fixture
def corpus(section: Page, master: Any) -> dict[str, Any]:
    exact = add_item(
        section,
        RadioSegmentPage(
            title="Quyền trẻ em ở thôn bản",
            slug="quyen-tre-em",
            audio=master,
            script="Mọi trẻ em đều có quyền được học tập và vui chơi.",
        ),
    )
    folded_only = add_item(
        section,
        RadioSegmentPage(
            title="Quyển sách tre cho em",  # folds to the same words, other diacritics
            slug="quyen-sach",
            audio=master,
            script="Câu chuyện về quyển sách làm từ tre.",
        ),
        topics=("gender-equality",),
        production_date=datetime.date(2024, 5, 2),
    )
    transcript = add_item(
        section,
        RadioSegmentPage(
            title="Bản tin sáng",
            slug="ban-tin-sang",
            audio=master,
            bulletin_class="emergency",
            script="Phát thanh viên: Cảnh báo lũ quét ở xã Đồng Đăng, bà con di chuyển ngay.",
        ),
        product_type="bulletin",
        topics=("poverty-social-security",),
        units=("C2025-20-dong-dang",),
    )
    other = add_item(
        section,
        RadioSegmentPage(title="Tiếng nói biên cương", slug="bien-cuong", audio=master),
        topics=("anti-trafficking",),
        units=("D-20-180",),
        production_date=datetime.date(2024, 11, 20),
    )
    khmer = translate(
        exact,
        "km",
        title="សិទ្ធិកុមារនៅតាមភូមិ",
        script="អ្នកប្រកាស៖ ជម្រាបសួរបងប្អូន កុមារគ្រប់រូបមានសិទ្ធិសិក្សា លេងកម្សាន្ត។",
    )
    hmong = translate(
        other,
        "hmn",
        title="Lub suab ntawm ciam teb",
        script="Hmoob: Txoj cai ntawm cov menyuam yaus. H'Mông Đông Bắc.",
    )
    tay = translate(
        exact,
        "tyz",
        title="Quyền lục nhỏ tẻo bản",
        script="Slam pì noọng tày: lục nhỏ mì quyền pây học.",
    )
    return {
        "exact": exact,
        "folded_only": folded_only,
        "transcript": transcript,
        "other": other,
        "khmer": khmer,
        "hmong": hmong,
        "tay": tay,
    }


def test_index_follows_publish_and_drafts(corpus: dict[str, Any]) -> None:
    live = SearchDocument.objects.filter(scope=IndexScope.LIVE)
    assert live.count() == 7
    assert set(live.values_list("language", flat=True)) == {"vi", "km", "hmn", "tyz"}
    doc = live.get(page=corpus["khmer"])
    assert doc.item_type == "radio_segment"
    assert doc.producing_unit == "so-tu-phap"
    if connection.vendor == "postgresql":
        assert doc.vector is not None


def test_no_diacritics_finds_vietnamese_and_exact_ranks_first(
    client: Any, corpus: dict[str, Any]
) -> None:
    folded = titles(search(client, q="quyen tre em", language="vi"))
    assert set(folded) == {"Quyền trẻ em ở thôn bản", "Quyển sách tre cho em"}
    exact = titles(search(client, q="quyền trẻ em", language="vi"))
    assert exact == ["Quyền trẻ em ở thôn bản", "Quyển sách tre cho em"]
    other_exact = titles(search(client, q="quyển sách tre", language="vi"))
    assert other_exact[0] == "Quyển sách tre cho em"


def test_visitor_language_ranks_before_other_languages(client: Any, corpus: dict[str, Any]) -> None:
    found = titles(search(client, "tyz", q="quyen"))
    assert found[0] == "Quyền lục nhỏ tẻo bản"
    assert "Quyền trẻ em ở thôn bản" in found


def test_khmer_word_inside_unspaced_sentence(client: Any, corpus: dict[str, Any]) -> None:
    response = search(client, "km", q="សិក្សា")
    assert titles(response) == ["សិទ្ធិកុមារនៅតាមភូមិ"]
    assert "<mark>សិក្សា</mark>" in response.content.decode()
    # A word of the title, which is written without spaces too: the Khmer item comes first.
    found = titles(search(client, "km", q="កុមារ"))
    assert found[0] == "សិទ្ធិកុមារនៅតាមភូមិ"
    # The others are found through their topic, whose Khmer name (សិទ្ធិកុមារ, child rights)
    # is indexed with every item tagged with it: none matches by its own words.
    from cms.taxonomy.models import Topic

    khmer_topic = Topic.objects.get(code="crc", locale__language_code="km").name
    assert "កុមារ" in khmer_topic
    others = Page.objects.filter(title__in=found[1:]).specific()
    assert len(others) == len(found) - 1
    assert all(page.topics.filter(code="crc").exists() for page in others)


def test_latin_minority_folding(client: Any, corpus: dict[str, Any]) -> None:
    assert titles(search(client, "hmn", q="hmong dong bac")) == ["Lub suab ntawm ciam teb"]
    assert titles(search(client, "hmn", q="H'Mông")) == ["Lub suab ntawm ciam teb"]
    assert titles(search(client, "tyz", q="noong tay")) == ["Quyền lục nhỏ tẻo bản"]


def test_transcript_match_shows_highlighted_snippet(client: Any, corpus: dict[str, Any]) -> None:
    response = search(client, q="lu quet dong dang")
    assert titles(response) == ["Bản tin sáng"]
    body = response.content.decode()
    assert "<mark>lũ</mark> <mark>quét</mark>" in body
    assert "<mark>Đồng</mark> <mark>Đăng</mark>" in body


def test_snippet_escapes_html_from_the_text(client: Any, section: Page, master: Any) -> None:
    add_item(
        section,
        RadioSegmentPage(
            title="Thử", slug="thu", audio=master, script="<script>alert(1)</script> an toàn"
        ),
    )
    body = search(client, q="an toan").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>an</mark> <mark>toàn</mark>" in body


def test_topic_name_in_another_language_finds_item(client: Any, corpus: dict[str, Any]) -> None:
    # The topic "crc" is named "Rights of the child (CRC)" in English.
    found = titles(search(client, "en", q="rights of the child", language="vi"))
    assert found == ["Quyền trẻ em ở thôn bản"]


def test_facet_counts(client: Any, corpus: dict[str, Any]) -> None:
    body = search(client, q="").content.decode()  # no query, no filter: nothing run
    assert "data-total" not in body
    body = search(client, item_type="radio_segment").content.decode()
    assert 'data-total="7"' in body
    counts = {label: count for label, (count, _v, _c) in facet_counts_in(body, "language").items()}
    assert counts == {"Tiếng Việt": "4", "ភាសាខ្មែរ": "1", "Hmoob": "1", "Tày": "1"}
    topic_counts = {label: n for label, (n, _v, _c) in facet_counts_in(body, "topic").items()}
    # crc: "exact" and its two translations (km, tyz) -> 3; the H'Mông version
    # copies "anti-trafficking" from its source.
    assert topic_counts["Quyền trẻ em (CRC)"] == "3"
    assert topic_counts["Phòng, chống mua bán người"] == "2"
    assert topic_counts["Bình đẳng giới"] == "1"
    assert facet_counts_in(body, "bulletin_class")["Khẩn cấp"][0] == "1"


def test_filters_combine_with_query(client: Any, corpus: dict[str, Any]) -> None:
    assert titles(search(client, q="quyen", topic="gender-equality")) == ["Quyển sách tre cho em"]
    assert titles(search(client, q="quyen", date_from="2025-01-01", language="vi")) == [
        "Quyền trẻ em ở thôn bản"
    ]
    assert titles(search(client, bulletin_class="emergency")) == ["Bản tin sáng"]
    assert titles(search(client, product_type="bulletin")) == ["Bản tin sáng"]
    bad = search(client, q="quyen", topic="<script>")
    assert "data-total" not in bad.content.decode()


def test_old_units_find_new_tags_and_back(client: Any, corpus: dict[str, Any]) -> None:
    def unit(code: str) -> int:
        return AdministrativeUnit.objects.get(code=code).pk

    # Tagged with the 2025 commune Đồng Đăng; searched by the pre-2025 district Cao Lộc.
    by_district = titles(search(client, unit=unit("D-20-180"), language="vi"))
    assert "Bản tin sáng" in by_district
    # Tagged with the pre-2025 district; searched by its successor commune.
    by_commune = titles(search(client, unit=unit("C2025-20-cao-loc"), language="vi"))
    assert "Tiếng nói biên cương" in by_commune
    # The pre-2025 province Lạng Sơn finds items tagged with the 2025 province.
    by_old_province = titles(search(client, unit=unit("P-20"), language="vi"))
    assert "Quyền trẻ em ở thôn bản" in by_old_province
    # An unrelated province finds none of them.
    assert titles(search(client, unit=unit("P-01"))) == []


def test_unpublish_and_delete_leave_the_public_index(client: Any, corpus: dict[str, Any]) -> None:
    corpus["folded_only"].unpublish()
    assert titles(search(client, q="quyen tre em", language="vi")) == ["Quyền trẻ em ở thôn bản"]
    corpus["transcript"].delete()
    assert not SearchDocument.objects.filter(page_id=corpus["transcript"].pk).exists()
    assert titles(search(client, q="lu quet")) == []


def test_restricted_and_internal_items_are_not_public(
    client: Any, corpus: dict[str, Any], section: Page, master: Any
) -> None:
    add_item(
        section,
        RadioSegmentPage(title="Nội bộ quyền", slug="noi-bo", audio=master),
        access_level="internal",
    )
    PageViewRestriction.objects.create(
        page=corpus["folded_only"], restriction_type=PageViewRestriction.LOGIN
    )
    assert titles(search(client, q="quyen", language="vi")) == ["Quyền trẻ em ở thôn bản"]


def test_admin_search_covers_drafts_for_editors_only(
    client: Any, corpus: dict[str, Any], section: Page, master: Any, make_user: Any
) -> None:
    add_item(
        section,
        VideoPage(title="Bản nháp về quyền trẻ em", slug="nhap", transcript="lời thoại nháp"),
        publish=False,
        product_type="video",
    )
    # A draft change to a live page is searchable in the admin, not in public.
    page = RadioSegmentPage.objects.get(pk=corpus["other"].pk)
    page.title = "Tiếng nói biên cương (sửa đổi)"
    page.save_revision()
    assert titles(search(client, q="sua doi")) == []

    client.force_login(make_user("bientap", "editor"))
    body = client.get("/admin/archive-search/", {"q": "quyen tre em"}).content.decode()
    assert "Bản nháp về quyền trẻ em" in body and "Bản nháp" in body
    body = client.get("/admin/archive-search/", {"q": "sua doi"}).content.decode()
    assert "Tiếng nói biên cương (sửa đổi)" in body

    client.force_login(make_user("khach", None, is_staff=False))
    assert client.get("/admin/archive-search/", {"q": "quyen"}).status_code in (302, 403)


def test_exhibition_captions_and_video_subtitles_are_searchable(
    client: Any, home: Page, section: Page, master_factory: Any, samples: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cms.media.models import CustomDocument, CustomImage

    image = CustomImage.objects.create(
        title="Ảnh",
        file=SimpleUploadedFile("a.jpg", (samples / "photo_3000x2000.jpg").read_bytes()),
    )
    exhibition = ExhibitionPage(title="Triển lãm lưu động", slug="trien-lam")
    exhibition.items.add(
        ExhibitionItem(
            image=image, caption="Nam nữ bình đẳng trong gia đình", locale=section.locale
        )
    )
    add_item(section, exhibition, product_type="exhibition")
    subtitles = CustomDocument.objects.create(
        title="Phụ đề",
        file=SimpleUploadedFile("s.srt", (samples / "vi_report.vi.srt").read_bytes()),
    )
    video = add_item(
        section,
        VideoPage(
            title="Video phụ đề",
            slug="video",
            video=master_factory("silent_no_audio.mp4"),
            subtitles=subtitles,
        ),
        product_type="video",
    )
    assert titles(search(client, q="binh dang gia dinh")) == ["Triển lãm lưu động"]
    # Words of the subtitle file vi_report.vi.srt, not of any field of the page.
    assert titles(search(client, q="kinh chao ba con")) == [video.title]


def test_rebuild_command_restores_the_index(corpus: dict[str, Any]) -> None:
    from django.core.management import call_command

    SearchDocument.objects.all().delete()
    call_command("rebuild_archive_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert SearchDocument.objects.filter(scope=IndexScope.LIVE).count() == 7
    assert rebuild() == 7


def test_postgresql_accepts_literals_with_quotes_and_backslashes() -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    nasty = ["O'Brien", "a\\b", "''", "x'y'z", "\\'", "quyền's", ":*&|!()"]
    for text in nasty:
        vector = tsvector_literal([(text, "A")])
        query = tsquery_literal(query_terms(text), prefix=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::tsvector", [vector])
            if query:
                cursor.execute("SELECT %s::tsvector @@ %s::tsquery", [vector, query])
                assert cursor.fetchone()[0] is True


def facet_counts_in(body: str, facet: str) -> dict[str, tuple[str, str, bool]]:
    """``label -> (count, value, ticked)`` of one filter group's checkboxes."""
    group = re.search(rf'<fieldset data-facet="{facet}">.*?</fieldset>', body, re.S).group(0)
    return {
        html.unescape(label): (count, html.unescape(value), bool(checked))
        for value, checked, label, count in re.findall(
            r'<input type="checkbox" name="[^"]+" value="([^"]*)"( checked)?> '
            r'<span class="label">([^<]+)</span> <span class="count" data-count="(\d+)"',
            group,
        )
    }


def test_several_values_of_one_facet(client: Any, corpus: dict[str, Any]) -> None:
    response = search(client, item_type="radio_segment", language=["km", "tyz"])
    assert set(titles(response)) == {"សិទ្ធិកុមារនៅតាមភូមិ", "Quyền lục nhỏ tẻo bản"}
    body = response.content.decode()
    assert 'data-total="2"' in body
    languages = facet_counts_in(body, "language")
    # The language facet is counted without its own filter, so more can be added.
    assert languages["Tiếng Việt"] == ("4", "vi", False)
    # The chosen values are ticked (unticking one and applying removes it).
    assert languages["ភាសាខ្មែរ"][1:] == ("km", True) and languages["Tày"][1:] == ("tyz", True)
    # Other facets are counted within the selection (here: the two versions' topic).
    topics = facet_counts_in(body, "topic")
    assert topics["Quyền trẻ em (CRC)"][0] == "2"
    # Values of different facets still combine with AND.
    assert titles(search(client, language=["km", "tyz"], topic="anti-trafficking")) == []


def test_a_result_window_bounds_the_work(
    client: Any, corpus: dict[str, Any], monkeypatch: Any
) -> None:
    from cms.search import query

    monkeypatch.setattr(query, "RESULT_WINDOW", 3)
    body = search(client, item_type="radio_segment").content.decode()
    assert 'data-total="3"' in body and "data-more" in body
    assert "Hơn 3 kết quả" in body
    assert len(titles(search(client, item_type="radio_segment"))) == 3
    languages = facet_counts_in(body, "language")
    assert sum(int(count) for count, _value, _ticked in languages.values()) == 3
    # Under the window, the count is exact and says so.
    body = search(client, q="quyen tre em", language="vi").content.decode()
    assert 'data-total="2"' in body and "data-more" not in body
