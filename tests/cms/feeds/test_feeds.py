"""Podcast feeds per language and per section (issue 18, part 1), read the way a podcast app
reads them: parsed by feedparser, every enclosure and transcript fetched, the audio measured
with ffprobe. Renditions are made by the real pipeline (ffmpeg) from the sample recordings."""

from __future__ import annotations

import email.utils
import io
import json
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import feedparser
import pytest
from django.test import Client
from PIL import Image
from wagtail.models import Locale, PageViewRestriction

from cms.content.demo import translate
from cms.content.models import RadioSegmentPage, SectionIndexPage
from cms.feeds.build import ITUNES_NS, PODCAST_NS
from cms.media import renditions
from cms.media.models import MediaRendition, RenditionStatus
from tests.cms.conftest import complete_metadata

pytestmark = pytest.mark.django_db

SCRIPT = "Kính thưa bà con,\nhôm nay xã tổ chức tiêm chủng."


def body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def web_audio(master: Any) -> MediaRendition:
    """The master's web_audio rendition, made by the pipeline as the worker would."""
    renditions.schedule_renditions(master)
    rendition = MediaRendition.objects.get(master=master, profile="web_audio")
    assert renditions.run(rendition.pk) == RenditionStatus.DONE
    rendition.refresh_from_db()
    return rendition


def segment(parent: Any, master: Any, title: str, slug: str, publish: bool = True) -> Any:
    page = RadioSegmentPage(title=title, slug=slug, audio=master, script=SCRIPT, live=False)
    parent.add_child(instance=page)
    complete_metadata(page)
    page.save()
    if publish:
        page.save_revision().publish()
    page.refresh_from_db()
    return page


def read_feed(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert "public" in response["Cache-Control"] and response["ETag"]
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    assert parsed.version == "rss20"
    assert parsed.namespaces.get("itunes") == ITUNES_NS
    assert parsed.namespaces.get("podcast") == PODCAST_NS
    return parsed


def ffprobe_duration(path: str) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


def seconds(hms: str) -> int:
    total = 0
    for part in hms.split(":"):
        total = total * 60 + int(part)
    return total


def guids(parsed: Any) -> list[str]:
    return [entry.id for entry in parsed.entries]


@pytest.fixture
def world(home: Any, section: Any, master_factory: Any) -> dict[str, Any]:
    """A live Vietnamese bulletin and its live Khmer version (its own recording), each with
    a finished web_audio rendition; home and section are translated into Khmer."""
    vi_master = master_factory("vi_speech.ogg", title="Bản tin sáng")
    vi_rendition = web_audio(vi_master)
    vi_page = segment(section, vi_master, 'Bản tin sáng <số 1> & "đặc biệt"', "ban-tin-sang")
    km_home = translate(home, "km", {}, {}, None).specific
    km_section = translate(section, "km", {}, {}, None).specific
    for translated in (km_home, km_section):  # untranslated strings leave them drafts
        translated.title = "ទំព័រដើម" if translated is km_home else "វិទ្យុ"
        translated.save_revision().publish()
        translated.refresh_from_db()
    km_master = master_factory("km_tone_bed.ogg", language="km", title="ព័ត៌មាន")
    km_rendition = web_audio(km_master)
    km_page = vi_page.copy_for_translation(Locale.objects.get(language_code="km"))
    km_page.title = "ព័ត៌មានពេលព្រឹក"
    km_page.audio = km_master
    km_page.script = "សួស្តី បងប្អូន"
    km_page.save_revision().publish()
    km_page.refresh_from_db()
    return {
        "vi": (vi_page, vi_rendition),
        "km": (km_page, km_rendition),
        "km_home": km_home,
        "km_section": km_section,
    }


def test_each_language_has_a_valid_podcast_feed_with_fetchable_enclosures(
    world: dict[str, Any], section: Any
) -> None:
    client = Client()
    for code, expected_language in (("vi", "vi"), ("km", "km")):
        page, rendition = world[code]
        parsed = read_feed(client, f"/{code}/feeds/radio.xml")
        feed = parsed.feed
        assert feed.language == expected_language
        assert feed.title and feed.subtitle  # channel title and description
        assert feed.image.href == "http://testserver/feeds/artwork.png"
        # Apple's current values are "true"/"false" (feedparser knows only yes/clean)
        channel = ElementTree.fromstring(client.get(f"/{code}/feeds/radio.xml").content)[0]
        assert channel.findtext(f"{{{ITUNES_NS}}}explicit") == "false"
        assert channel.find(f"{{{ITUNES_NS}}}image").get("href") == feed.image.href
        assert feed.tags[0].term == "Government"
        assert feed.author_detail.name == "Cổng thông tin tuyên truyền"
        assert feed.publisher_detail.email  # itunes:owner
        assert feed.podcast_guid
        # only this language's item
        assert len(parsed.entries) == 1
        entry = parsed.entries[0]
        assert entry.title == unicodedata.normalize("NFC", page.title)
        assert entry.link == f"http://testserver{page.url}"
        assert entry.guidislink is False and entry.id.startswith("urn:uuid:")
        published = email.utils.parsedate_to_datetime(entry.published)
        assert abs((published - page.first_published_at).total_seconds()) < 1
        # the enclosure: exactly the advertised bytes and type, through /media/
        (enclosure,) = entry.enclosures
        assert enclosure.href.startswith("http://testserver/media/renditions/")
        audio = client.get(enclosure.href.removeprefix("http://testserver"))
        assert audio.status_code == 200
        data = body(audio)
        assert len(data) == int(enclosure.length) == Path(rendition.file.path).stat().st_size
        assert audio["Content-Type"] == enclosure.type == "audio/mp4"
        # the duration is the rendition's, as ffprobe measures it
        assert abs(seconds(entry.itunes_duration) - ffprobe_duration(rendition.file.path)) <= 1
        # the transcript: the item's script as plain text
        transcript = entry.podcast_transcript
        assert transcript["type"] == "text/plain" and transcript["language"] == code
        text = client.get(transcript["url"].removeprefix("http://testserver"))
        assert text.status_code == 200
        assert text["Content-Type"] == "text/plain; charset=utf-8"
        assert text.content.decode().strip() == page.script.strip()
    # the Khmer page's own title, escaped and parsed back
    vi_xml = client.get("/vi/feeds/radio.xml").content.decode()
    assert "&lt;số 1&gt; &amp;" in vi_xml
    km_xml = client.get("/km/feeds/radio.xml").content.decode()
    assert "ព័ត៌មានពេលព្រឹក" in km_xml and "Bản tin sáng" not in km_xml
    assert world["vi"][1].file.name not in km_xml


def test_a_client_with_the_current_feed_gets_304(world: dict[str, Any]) -> None:
    client = Client()
    first = client.get("/vi/feeds/radio.xml")
    again = client.get("/vi/feeds/radio.xml", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_guid_survives_a_new_title_and_slug_and_a_republication(
    world: dict[str, Any],
) -> None:
    client = Client()
    page, _ = world["vi"]
    before = read_feed(client, "/vi/feeds/radio.xml").entries[0]
    page.title = "Bản tin sáng (đã sửa)"
    page.slug = "ban-tin-sang-da-sua"
    page.save_revision().publish()
    page.unpublish()
    assert read_feed(client, "/vi/feeds/radio.xml").entries == []
    page.refresh_from_db()
    page.save_revision().publish()
    after = read_feed(client, "/vi/feeds/radio.xml").entries[0]
    assert after.title == "Bản tin sáng (đã sửa)"
    assert after.link != before.link and "ban-tin-sang-da-sua" in after.link
    assert after.id == before.id
    # the Khmer version of the same item has a GUID of its own
    assert read_feed(client, "/km/feeds/radio.xml").entries[0].id != before.id


def test_only_the_live_revision_of_public_items_is_listed(
    world: dict[str, Any], section: Any, master_factory: Any
) -> None:
    client = Client()
    page, _ = world["vi"]
    # a draft edit of the live page does not leak
    page.title = "Tiêu đề nháp chưa duyệt"
    page.script = "Kịch bản nháp"
    page.save_revision()
    # a draft-only item, an internal item, a password-protected item, a withdrawn item,
    # and a public item whose web audio is not finished yet
    master = master_factory("vi_vbr_44k.mp3", title="Bản khác")
    web_audio(master)
    draft = segment(section, master, "Bản nháp", "ban-nhap", publish=False)
    internal = segment(section, master, "Bản nội bộ", "ban-noi-bo")
    internal.access_level = "internal"
    internal.save_revision().publish()
    protected = segment(section, master, "Bản có mật khẩu", "ban-mat-khau")
    PageViewRestriction.objects.create(
        page=protected, restriction_type=PageViewRestriction.PASSWORD, password="mat-khau-123"
    )
    withdrawn = segment(section, master, "Bản đã gỡ", "ban-da-go")
    withdrawn.unpublish()
    pending_master = master_factory("vi_phone_8k_mono.wav", title="Chưa dựng")
    renditions.schedule_renditions(pending_master)  # rows exist, the job has not run
    pending = segment(section, pending_master, "Bản chưa dựng xong", "ban-chua-dung")

    parsed = read_feed(client, "/vi/feeds/radio.xml")
    assert [entry.title for entry in parsed.entries] == ['Bản tin sáng <số 1> & "đặc biệt"']
    xml = client.get("/vi/feeds/radio.xml").content.decode()
    assert "nháp" not in xml
    transcript = parsed.entries[0].podcast_transcript["url"]
    assert "nháp" not in client.get(transcript.removeprefix("http://testserver")).content.decode()
    for hidden in (draft, internal, protected, withdrawn, pending):
        assert hidden.title not in xml
    for hidden in (draft, internal, protected, withdrawn):
        assert client.get(f"/feeds/transcripts/{hidden.pk}.txt").status_code == 404
    # the pending item is public (its page shows the script): its transcript may be read
    assert client.get(f"/feeds/transcripts/{pending.pk}.txt").status_code == 200
    section_feed = read_feed(client, f"/vi/feeds/sections/{section.pk}.xml")
    assert len(section_feed.entries) == 1


def test_section_feeds_list_their_own_items_in_their_own_language(
    world: dict[str, Any], home: Any, section: Any, master_factory: Any
) -> None:
    client = Client()
    other = SectionIndexPage(title="Phát thanh huyện", slug="phat-thanh-huyen")
    home.add_child(instance=other)
    other.save_revision().publish()
    master = master_factory("vi_vbr_44k.mp3", title="Bản tin huyện")
    web_audio(master)
    segment(other, master, "Bản tin huyện", "ban-tin-huyen")

    titles = [e.title for e in read_feed(client, f"/vi/feeds/sections/{other.pk}.xml").entries]
    assert titles == ["Bản tin huyện"]
    first = read_feed(client, f"/vi/feeds/sections/{section.pk}.xml")
    assert [e.title for e in first.entries] == ['Bản tin sáng <số 1> & "đặc biệt"']
    assert first.feed.title.startswith("Phát thanh")
    assert len(read_feed(client, "/vi/feeds/radio.xml").entries) == 2
    km_section = world["km_section"]
    km = read_feed(client, f"/km/feeds/sections/{km_section.pk}.xml")
    assert [e.title for e in km.entries] == ["ព័ត៌មានពេលព្រឹក"]
    # a section is reached in its own language only; a draft section not at all
    assert client.get(f"/km/feeds/sections/{section.pk}.xml").status_code == 404
    assert client.get(f"/vi/feeds/sections/{km_section.pk}.xml").status_code == 404
    other.unpublish()
    assert client.get(f"/vi/feeds/sections/{other.pk}.xml").status_code == 404
    assert client.post("/vi/feeds/radio.xml").status_code in (403, 405)


def test_a_language_without_items_has_a_valid_empty_feed(home: Any) -> None:
    client = Client()
    for code, bcp47 in (("tyz", "tyz"), ("hmn", "hmn"), ("zh-hans", "zh-Hans"), ("vi", "vi")):
        parsed = read_feed(client, f"/{code}/feeds/radio.xml")
        assert parsed.feed.language == bcp47
        assert parsed.entries == []
        assert parsed.feed.image.href.endswith("/feeds/artwork.png")


def test_the_artwork_is_a_square_rgb_image_apple_accepts() -> None:
    response = Client().get("/feeds/artwork.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.size[0] == image.size[1] and 1400 <= image.size[0] <= 3000


class AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.feeds: dict[str, str] = {}
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "head":
            self.in_head = True
        if (
            self.in_head
            and tag == "link"
            and found.get("rel") == "alternate"
            and found.get("type") == "application/rss+xml"
        ):
            self.feeds[found["href"] or ""] = found.get("title") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def advertised(client: Client, url: str) -> dict[str, str]:
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    parser = AlternateLinks()
    parser.feed(response.content.decode())
    return parser.feeds


def test_every_public_page_advertises_its_languages_feed(
    world: dict[str, Any], home: Any, section: Any
) -> None:
    client = Client()
    vi_page, _ = world["vi"]
    km_page, _ = world["km"]
    assert list(advertised(client, home.url)) == ["/vi/feeds/radio.xml"]
    assert list(advertised(client, vi_page.url)) == ["/vi/feeds/radio.xml"]
    on_section = advertised(client, section.url)
    assert list(on_section) == ["/vi/feeds/radio.xml", f"/vi/feeds/sections/{section.pk}.xml"]
    assert on_section["/vi/feeds/radio.xml"] == "Chương trình phát thanh – Tiếng Việt"
    km_section = world["km_section"]
    assert list(advertised(client, world["km_home"].url)) == ["/km/feeds/radio.xml"]
    assert list(advertised(client, km_page.url)) == ["/km/feeds/radio.xml"]
    on_km_section = advertised(client, km_section.url)
    assert list(on_km_section) == [
        "/km/feeds/radio.xml",
        f"/km/feeds/sections/{km_section.pk}.xml",
    ]
    assert on_km_section["/km/feeds/radio.xml"] == "កម្មវិធីវិទ្យុ – ភាសាខ្មែរ"
    # pages that are not Wagtail pages: search in a language without content
    assert list(advertised(client, "/tyz/search/?q=x")) == ["/tyz/feeds/radio.xml"]
    assert list(advertised(client, "/zh-hans/search/")) == ["/zh-hans/feeds/radio.xml"]


def test_author_owner_and_category_come_from_the_site_settings(home: Any) -> None:
    from wagtail.models import Site

    from cms.feeds.models import PodcastSettings

    client = Client()
    channel = ElementTree.fromstring(client.get("/vi/feeds/radio.xml").content)[0]
    owner = channel.find(f"{{{ITUNES_NS}}}owner")
    assert channel.findtext(f"{{{ITUNES_NS}}}author") == "Cổng thông tin tuyên truyền"
    assert owner.findtext(f"{{{ITUNES_NS}}}email") == "luutru@example.org"  # archive contact
    assert not PodcastSettings.objects.exists()  # reading a feed writes nothing
    PodcastSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={
            "author": "Trung tâm Văn hóa tỉnh",
            "owner_email": "podcast@example.org",
            "category": "News",
        },
    )
    parsed = read_feed(client, "/km/feeds/radio.xml")
    channel = ElementTree.fromstring(client.get("/km/feeds/radio.xml").content)[0]
    assert channel.findtext(f"{{{ITUNES_NS}}}author") == "Trung tâm Văn hóa tỉnh"
    owner = channel.find(f"{{{ITUNES_NS}}}owner")
    assert owner.findtext(f"{{{ITUNES_NS}}}name") == "Trung tâm Văn hóa tỉnh"
    assert owner.findtext(f"{{{ITUNES_NS}}}email") == "podcast@example.org"
    assert parsed.feed.tags[0].term == "News"
