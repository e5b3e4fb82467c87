"""Export → delete → import for every item type: a radio segment, a video with subtitles per
language and a poster, an exhibition with its images and captions in two languages. What
comes back has the same content files, under the same Vietnamese, Khmer and Cham names,
with the same checksums, and the same texts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import bagit
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from lxml import etree
from wagtail.models import Locale, Page

from cms.archive.exporter import export
from cms.archive.targets import DirectoryTarget
from cms.content.models import ExhibitionItem, ExhibitionPage, VideoPage
from cms.media.models import CustomDocument, CustomImage, MediaMaster
from cms.taxonomy.models import ProductType
from tests.cms.conftest import complete_metadata

from .conftest import CJM_NAME, KM_NAME, VI_NAME, add_rendition, make_master, translate

VIDEO_NAME = "Phóng sự video – quyền được học tập.mp4"
VI_SRT = "Phụ đề tiếng Việt.srt"
KM_SRT = "ចំណងជើងរង ភាសាខ្មែរ.srt"
CJM_SRT = "ꨌꩌ ꨀꨇꩉ.srt"
POSTER = "Ảnh đại diện video.jpg"
KM_PHOTO = "រូបថត សហគមន៍.png"


def document(name: str, data: bytes, language: str) -> CustomDocument:
    doc = CustomDocument(title=name, language=language, file=SimpleUploadedFile(name, data))
    doc.save()
    return doc


def image(name: str, data: bytes, title: str | None = None) -> CustomImage:
    # As the admin does: the title is the uploaded file's name without its extension.
    img = CustomImage(title=title or Path(name).stem, file=SimpleUploadedFile(name, data))
    img.save()
    return img


@pytest.fixture
def video_item(section: Any, samples: Path) -> VideoPage:
    """A video in Vietnamese, Khmer (same recording, own subtitles) and Cham."""
    master = make_master((samples / "silent_no_audio.mp4").read_bytes(), VIDEO_NAME, "vi")
    add_rendition(master, "web", (samples / "silent_no_audio.mp4").read_bytes(), "Phóng sự.web.mp4")
    vi_srt = (samples / "vi_report.vi.srt").read_bytes()
    km_srt = (samples / "vi_report.km.srt").read_bytes()
    page = VideoPage(
        title="Quyền được học tập",
        slug="quyen-duoc-hoc-tap",
        video=master,
        subtitles=document(VI_SRT, vi_srt, "vi"),
        poster_image=image(POSTER, (samples / "photo_3000x2000.jpg").read_bytes()),
        transcript="Mọi trẻ em đều có quyền được đến trường.",
        live=False,
    )
    section.add_child(instance=page)
    complete_metadata(page)
    page.product_type = ProductType.objects.get(code="video", locale=page.locale)
    page.save_revision().publish()
    page.refresh_from_db()
    translate(
        page,
        "km",
        title="សិទ្ធិទទួលបានការអប់រំ",
        subtitles=document(KM_SRT, km_srt, "km"),
        transcript="កុមារគ្រប់រូបមានសិទ្ធិទៅសាលារៀន។",
    )
    translate(
        page,
        "cjm",
        title="ꨀꨇꩉ ꨌꩌ",
        subtitles=document(CJM_SRT, "1\n00:00:00,000 --> 00:00:02,000\nꨀꨇꩉ ꨌꩌ\n".encode(), "cjm"),
    )
    return page


@pytest.fixture
def bilingual_exhibition(exhibition_item: ExhibitionPage, samples: Path) -> ExhibitionPage:
    """The exhibition with a third photo (Khmer name) and a Khmer version with its captions."""
    vi = exhibition_item.locale
    ExhibitionItem.objects.create(
        page=exhibition_item,
        image=image(KM_PHOTO, (samples / "logo_alpha.png").read_bytes()),
        caption="Ảnh thứ ba.",
        credit="Lê Thị B",
        place="Trà Vinh",
        locale=vi,
        sort_order=3,
    )
    exhibition_item.refresh_from_db()
    exhibition_item.save_revision().publish()
    exhibition_item.refresh_from_db()
    locale = Locale.objects.get(language_code="km")
    km = exhibition_item.copy_for_translation(locale, copy_parents=True)
    km.title = "រូបថត និងផ្ទាំងរូបភាព"
    km.save()
    for entry, caption in zip(
        km.items.all(), ["សកម្មភាពសហគមន៍។", "បុរសស្ត្រីស្មើភាព។", "រូបទីបី។"], strict=True
    ):
        entry.caption = caption
        entry.save()
    km.save_revision().publish()
    return exhibition_item


def payload(bag_dir: Path) -> dict[str, str]:
    """Content files (path → SHA-256); metadata files carry page ids that change on restore."""
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    return {
        path: digests["sha256"]
        for path, digests in bag.payload_entries().items()
        if not path.startswith("data/metadata/")
    }


def premis_files(bag_dir: Path) -> dict[str, str | None]:
    """The PREMIS file objects of a bag: path → SHA-256."""
    tree = etree.parse(str(bag_dir / "data/metadata/events.premis.xml"))
    ns = {"p": "http://www.loc.gov/premis/v3"}
    return {
        o.findtext("p:objectIdentifier/p:objectIdentifierValue", namespaces=ns): o.findtext(
            "p:objectCharacteristics/p:fixity/p:messageDigest", namespaces=ns
        )
        for o in tree.findall("p:object", ns)
        if o.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "premis:file"
    }


def content(image: CustomImage) -> str:
    with image.file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def texts(page: Any) -> dict[str, Any]:
    """What an editor sees in each language version, by type."""
    result: dict[str, Any] = {}
    for version in Page.objects.filter(translation_key=page.translation_key).specific():
        language = version.locale.language_code
        entry: dict[str, Any] = {"title": version.title, "live": version.live}
        if isinstance(version, VideoPage):
            entry["video"] = (version.video.original_name, version.video.sha256)
            entry["subtitles"] = (
                version.subtitles.title,
                version.subtitles.language,
                version.subtitles.file.read(),
            )
            entry["poster"] = (version.poster_image.title, content(version.poster_image))
            entry["transcript"] = version.transcript
            entry["renditions"] = sorted(
                (r.profile, r.sha256) for r in version.video.renditions.all()
            )
        elif isinstance(version, ExhibitionPage):
            entry["place"] = version.place
            entry["items"] = [
                (
                    i.image.title,
                    content(i.image),
                    i.caption,
                    i.credit,
                    i.place,
                    i.date,
                )
                for i in version.items.all().select_related("image")
            ]
        else:
            entry["audio"] = (version.audio.original_name, version.audio.sha256)
            entry["script"] = version.script
        result[language] = entry
    return result


def delete_everything(pages: list[Any]) -> None:
    """Delete every language version, then the masters, documents and images they used."""
    for page in pages:
        for version in page.get_translations(inclusive=True).specific():
            version.unpublish()
        for version in list(page.get_translations(inclusive=True)):
            Page.objects.get(pk=version.pk).delete()
    MediaMaster.objects.all().delete()
    CustomDocument.objects.all().delete()
    CustomImage.objects.all().delete()


@pytest.mark.django_db
def test_every_item_type_survives_export_delete_import(
    radio_item, video_item, bilingual_exhibition, tmp_path
) -> None:
    pages = [radio_item, video_item, bilingual_exhibition]
    usb = tmp_path / "USB lưu trữ"
    assert export([DirectoryTarget(usb)]).ok
    before = {
        page.translation_key: payload(usb / "items" / str(page.translation_key) / "v0001")
        for page in pages
    }
    seen = {page.translation_key: texts(page) for page in pages}
    for page in pages:  # images and subtitles too carry their SHA-256 in the PREMIS objects
        bag_dir = usb / "items" / str(page.translation_key) / "v0001"
        assert premis_files(bag_dir) == before[page.translation_key]

    # The bags hold what the item types promise, under their own scripts' names.
    video_bag = before[video_item.translation_key]
    for path in (
        f"data/vi/master/{VIDEO_NAME}",
        "data/vi/renditions/web/Phóng sự.web.mp4",
        f"data/vi/subtitles/{VI_SRT}",
        f"data/km/subtitles/{KM_SRT}",
        f"data/cjm/subtitles/{CJM_SRT}",
        f"data/images/{POSTER}",
        "data/vi/text/transcript.txt",
        "data/km/text/transcript.txt",
    ):
        assert path in video_bag, (path, "\n".join(sorted(video_bag)))
    assert not [p for p in video_bag if p.startswith("data/km/master/")]  # shared, packed once
    exhibition_bag = before[bilingual_exhibition.translation_key]
    assert f"data/images/{KM_PHOTO}" in exhibition_bag
    assert "data/km/text/captions.txt" in exhibition_bag
    radio_bag = before[radio_item.translation_key]
    for name in (f"data/vi/master/{VI_NAME}", f"data/km/master/{KM_NAME}"):
        assert name in radio_bag
    assert f"data/cjm/master/{CJM_NAME}" in radio_bag

    delete_everything(pages)
    assert not Page.objects.filter(translation_key__in=list(before)).exists()

    for page in pages:
        call_command("import_archive", str(usb / "items" / str(page.translation_key) / "v0001"))

    for page in pages:
        restored = texts(page)
        expected = seen[page.translation_key]
        assert set(restored) == set(expected)
        for language, fields in expected.items():
            for name, value in fields.items():
                assert restored[language][name] == value, (type(page).__name__, language, name)
    again = tmp_path / "again"
    report = export([DirectoryTarget(again)])
    assert report.ok and {o.status for o in report.outcomes} == {"exported"}
    for key, files in before.items():
        assert payload(again / "items" / str(key) / "v0002") == files
