"""Share cards and discovery metadata of item pages (issue 18: 3).

The page head is parsed with lxml: Open Graph and Twitter tags in the page's own language,
the share card fetched and measured with Pillow, ``hreflang`` alternates equal to the
page's public versions, schema.org JSON-LD parsed with ``json`` (durations against
ffprobe of the rendition), and a hostile title that tries to close the script element.
"""

from __future__ import annotations

import json
import subprocess
from io import BytesIO
from typing import Any

import lxml.html
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from wagtail.models import Locale, Page, PageViewRestriction

from cms.content.models import ExhibitionItem, ExhibitionPage, RadioSegmentPage, VideoPage
from cms.media import renditions
from cms.media.models import CustomImage, MediaRendition, RenditionStatus
from cms.sharing import cards
from cms.sharing.meta import iso_duration, trim
from cms.sharing.models import ShareCard, ShareCardStatus
from tests.cms.conftest import complete_metadata

pytestmark = pytest.mark.django_db

VI_TITLE = "Quyền trẻ em ở thôn bản"
VI_SUMMARY = "Phóng sự về quyền được học tập và vui chơi của trẻ em vùng biên giới."
VI_SCRIPT = "Xin chào các em nhỏ. Hôm nay chúng ta nói về quyền trẻ em."
KM_TITLE = "សិទ្ធិកុមារនៅក្នុងភូមិ"
KM_SUMMARY = "របាយការណ៍អំពីសិទ្ធិទទួលបានការអប់រំ និងការលេងកម្សាន្តរបស់កុមារ។"
KM_SCRIPT = "សួស្តីក្មេងៗ។ ថ្ងៃនេះយើងនិយាយអំពីសិទ្ធិកុមារ។"
HOSTILE = '</script><script>alert("x")</script><!-- & \u2028 "Tin" \'nóng\''


def head(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.content).find("head")


def head_of(response: Any) -> Any:
    if response.status_code != 200:
        return None
    return lxml.html.fromstring(response.content).find("head")


def meta(doc: Any, prop: str) -> list[str]:
    found = doc.xpath(f'//meta[@property="{prop}"]/@content | //meta[@name="{prop}"]/@content')
    return [str(value) for value in found]


def one(doc: Any, prop: str) -> str:
    values = meta(doc, prop)
    assert len(values) == 1, (prop, values)
    return values[0]


def local_path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def ffprobe_duration(name: str) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         default_storage.path(name)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout.strip())


def seconds(iso: str) -> float:
    import re

    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", iso)
    assert match, iso
    h, m, s = match.groups()
    return int(h or 0) * 3600 + int(m or 0) * 60 + float(s or 0)


def band_ink(image: Image.Image) -> float:
    """Share of the caption band's pixels that are not the band's background."""
    band = image.convert("RGB").crop((0, int(630 * 0.7), 1200, 630))
    background = (0x10, 0x24, 0x3E)
    pixels = list(band.get_flattened_data())
    ink = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, background, strict=True)) > 90)
    return ink / len(pixels)


def publish(page: Any, parent: Any) -> Any:
    page.live = False
    parent.add_child(instance=page)
    complete_metadata(page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def translate_item(page: Any, language: str, **fields: Any) -> Any:
    """A published translation with its own title, summary, script…"""
    locale = Locale.objects.get(language_code=language)
    translation = page.get_translation_or_none(locale) or page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    translation.refresh_from_db()
    return translation.specific


def run_rendition(master: Any, profile: str) -> MediaRendition:
    renditions.schedule_renditions(master)
    rendition = MediaRendition.objects.get(master=master, profile=profile)
    assert renditions.run(rendition.pk) == RenditionStatus.DONE
    rendition.refresh_from_db()
    return rendition


@pytest.fixture
def radio(home: Any, section: Any, master_factory: Any) -> dict[str, Any]:
    """A public Vietnamese radio segment, its public Khmer version (own title, summary and
    script) and a Chinese version that is only a draft."""
    master = master_factory("vi_speech.ogg")
    web_audio = run_rendition(master, "web_audio")
    vi = publish(
        RadioSegmentPage(
            title=VI_TITLE, slug="quyen-tre-em", audio=master, summary=VI_SUMMARY,
            script=VI_SCRIPT,
        ),
        section,
    )  # fmt: skip
    for parent in (home, section):
        translate_item(parent, "km")
    km = translate_item(vi, "km", title=KM_TITLE, summary=KM_SUMMARY, script=KM_SCRIPT)
    zh = vi.copy_for_translation(Locale.objects.get(language_code="zh-hans"), copy_parents=True)
    assert not zh.live
    return {"vi": vi, "km": km, "zh": zh, "web_audio": web_audio, "master": master}


def test_khmer_radio_page_has_its_share_metadata_in_khmer(radio: dict[str, Any]) -> None:
    client = Client()
    km, vi = radio["km"], radio["vi"]
    doc = head(client, km.url)

    assert one(doc, "og:title") == KM_TITLE
    assert one(doc, "og:description") == KM_SUMMARY
    assert one(doc, "og:locale") == "km_KH"
    assert meta(doc, "og:locale:alternate") == ["vi_VN"]  # the Chinese draft is not offered
    assert one(doc, "og:type") == "article"
    assert one(doc, "og:site_name")
    url = one(doc, "og:url")
    assert url.startswith("http://") and url.endswith(km.url)
    assert doc.xpath('//link[@rel="canonical"]/@href') == [url]
    assert one(doc, "twitter:card") == "summary_large_image"
    assert one(doc, "twitter:title") == KM_TITLE
    assert one(doc, "twitter:description") == KM_SUMMARY
    assert one(doc, "og:image:alt") == KM_TITLE

    # hreflang: exactly the public versions, and x-default the Vietnamese one
    links = {
        str(link.get("hreflang")): str(link.get("href"))
        for link in doc.xpath('//link[@rel="alternate"][@hreflang]')
    }
    assert set(links) == {"vi", "km", "x-default"}
    assert links["km"] == url and local_path(links["vi"]) == vi.url
    assert links["x-default"] == links["vi"]

    # the web rendition of the recording, absolute, and served to anyone
    audio = one(doc, "og:audio")
    assert local_path(audio) == f"/media/{radio['web_audio'].file.name}"
    assert one(doc, "og:audio:type") == "audio/mp4"
    assert client.get(local_path(audio)).status_code == 200

    # JSON-LD
    scripts = doc.xpath('//script[@type="application/ld+json"]')
    assert len(scripts) == 1
    data = json.loads(scripts[0].text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "AudioObject"
    assert data["name"] == KM_TITLE and data["description"] == KM_SUMMARY
    assert data["inLanguage"] == "km" and data["transcript"] == KM_SCRIPT
    assert data["contentUrl"] == audio and data["encodingFormat"] == "audio/mp4"
    assert data["uploadDate"].startswith(str(km.first_published_at.date()))
    measured = ffprobe_duration(radio["web_audio"].file.name)
    assert abs(seconds(data["duration"]) - measured) <= 0.5


def test_share_card_is_made_in_the_background_and_is_1200x630_with_the_title(
    radio: dict[str, Any],
) -> None:
    client = Client()
    km = radio["km"]
    # Not ready yet (the job runs after commit): the site's default card meanwhile.
    doc = head(client, km.url)
    assert one(doc, "og:image").endswith("/static/img/share-default.jpg")
    assert ShareCard.objects.filter(page=km, status=ShareCardStatus.PENDING).exists()

    assert cards.run(km.pk) == "done"
    card = ShareCard.objects.get(page=km, status=ShareCardStatus.DONE)
    assert card.file == f"share/{card.key}.jpg" and card.render_ms > 0
    doc = head(client, km.url)
    image_url = one(doc, "og:image")
    assert local_path(image_url) == f"/share/{card.key}.jpg"
    assert (one(doc, "og:image:width"), one(doc, "og:image:height")) == ("1200", "630")
    assert one(doc, "twitter:image") == image_url
    response = client.get(local_path(image_url))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    image = Image.open(BytesIO(b"".join(response.streaming_content)))
    assert image.format == "JPEG" and image.size == (1200, 630)
    assert band_ink(image) > 0.01  # the Khmer title is drawn in the band

    # The same content makes the same name; another title, another card.
    assert cards.card_key(km) == card.key
    km.title = "ចំណងជើងថ្មី"
    km.save_revision().publish()
    km.refresh_from_db()
    assert cards.card_key(km) != card.key
    assert cards.run(km.pk) == "done"
    assert client.get(local_path(image_url)).status_code == 404  # the old one is not served
    fresh = ShareCard.objects.get(page=km)
    assert client.get(f"/share/{fresh.key}.jpg").status_code == 200

    # Withdrawn: not served any more, and a draft is never given one.
    km.unpublish()
    assert client.get(f"/share/{fresh.key}.jpg").status_code == 404
    assert cards.run(km.pk) == "not public"


def test_publishing_schedules_the_card_job(
    section: Any, master_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    master = master_factory("vi_speech.ogg")
    page = RadioSegmentPage(title="Tin sáng", slug="tin-sang", audio=master)
    with django_capture_on_commit_callbacks(execute=True):
        publish(page, section)
    card = ShareCard.objects.get(page=page)
    assert card.status == ShareCardStatus.DONE
    assert default_storage.exists(card.file)


def test_hostile_title_stays_inside_the_json_ld(section: Any, master_factory: Any) -> None:
    page = publish(
        RadioSegmentPage(title=HOSTILE, slug="tin-nong", audio=master_factory("vi_speech.ogg")),
        section,
    )
    response = Client().get(page.url)
    html = response.content.decode()
    assert "<script>alert" not in html
    assert html.count("</script>") == html.count("<script")
    doc = lxml.html.fromstring(response.content)
    scripts = doc.xpath('//script[@type="application/ld+json"]')
    assert len(scripts) == 1
    assert json.loads(scripts[0].text)["name"] == HOSTILE
    assert one(doc, "og:title") == HOSTILE


def test_video_page_offers_the_web_video_and_a_video_object(
    section: Any, master_factory: Any
) -> None:
    master = master_factory("km_test_pattern_720p.mp4", language="vi")
    web_video = run_rendition(master, "web_video")
    page = publish(
        VideoPage(title="Video quyền con người", slug="video-qcn", video=master,
                  summary="Một video ngắn.", transcript="Lời thoại của video."),
        section,
    )  # fmt: skip
    doc = head(Client(), page.url)
    video = one(doc, "og:video")
    assert local_path(video) == f"/media/{web_video.file.name}"
    assert one(doc, "og:video:type") == "video/mp4"
    assert one(doc, "og:type") == "video.other"
    data = json.loads(doc.xpath('//script[@type="application/ld+json"]')[0].text)
    assert data["@type"] == "VideoObject" and data["contentUrl"] == video
    assert data["encodingFormat"] == "video/mp4" and data["inLanguage"] == "vi"
    assert data["transcript"] == "Lời thoại của video."
    assert abs(seconds(data["duration"]) - ffprobe_duration(web_video.file.name)) <= 0.5
    assert "/media/renditions/" in data["thumbnailUrl"]  # the poster frame
    # the card is drawn from the poster frame
    source = cards.card_source(page)
    assert source is not None and source.name == web_video.extra_files["poster"]


def test_exhibition_is_an_exhibition_event_with_its_photos(section: Any, samples: Any) -> None:
    image = CustomImage(
        title="Ảnh triển lãm",
        file=SimpleUploadedFile("anh.jpg", (samples / "photo_3000x2000.jpg").read_bytes()),
    )
    image.save()
    page = ExhibitionPage(
        title="Triển lãm ảnh quyền trẻ em", slug="trien-lam", place="Nhà văn hóa xã",
        summary="Triển lãm lưu động.",
    )  # fmt: skip
    page.items.add(ExhibitionItem(image=image, caption="Trẻ em đến trường"))
    publish(page, section)
    assert cards.run(page.pk) == "done"
    doc = head(Client(), page.url)
    data = json.loads(doc.xpath('//script[@type="application/ld+json"]')[0].text)
    assert data["@type"] == "ExhibitionEvent"
    assert data["location"] == {"@type": "Place", "name": "Nhà văn hóa xã"}
    assert data["startDate"] == "2025-10-01"
    assert data["image"][0] == one(doc, "og:image")
    card = Image.open(default_storage.path(ShareCard.objects.get(page=page).file))
    top = card.convert("RGB").crop((0, 0, 1200, 400))
    assert len(set(top.get_flattened_data())) > 100  # the photo, not a plain background


def test_private_and_draft_pages_have_no_share_metadata(section: Any, master_factory: Any) -> None:
    master = master_factory("vi_speech.ogg")
    page = publish(RadioSegmentPage(title="Tin nội bộ", slug="tin-noi-bo", audio=master), section)
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="x")
    assert cards.run(page.pk) == "not public"
    assert not ShareCard.objects.filter(page=page, status=ShareCardStatus.DONE).exists()
    doc = head_of(Client().get(page.url, follow=False))
    assert doc is None or not meta(doc, "og:title")
    assert cards.schedule(Page.objects.get(pk=page.pk).specific) is None


def test_description_is_trimmed_at_a_word_or_between_clusters() -> None:
    text = "Phóng sự " * 40
    short = trim(text, 50)
    assert len(short) <= 50 and short.endswith("sự…")
    khmer = "សិទ្ធិកុមារ" * 30
    cut = trim(khmer, 20)
    assert len(cut) <= 20 and cut.endswith("…")
    # never ends on a subscript sign or leaves a vowel sign without its letter
    assert cut[-2] != "\u17d2"
    assert trim("<p>a &amp; b</p>") == "a & b"
    assert iso_duration(8.6) == "PT9S" and iso_duration(3725) == "PT1H2M5S"


def test_a_failed_card_is_scheduled_again_after_a_while(
    section: Any, master_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    from django.utils import timezone

    master = master_factory("vi_speech.ogg")
    page = publish(RadioSegmentPage(title="Tin chiều", slug="tin-chieu", audio=master), section)
    ShareCard.objects.filter(page=page).update(status=ShareCardStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        head(Client(), page.url)  # failed just now: not tried again on every view
    assert not callbacks
    ShareCard.objects.filter(page=page).update(
        updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        doc = head(Client(), page.url)
    assert len(callbacks) == 1
    assert one(doc, "og:image").endswith("/static/img/share-default.jpg")
    assert ShareCard.objects.get(page=page).status == ShareCardStatus.DONE
