"""The item's versions for social platforms, and what shapes a rendition (issue 17: 3; issue
18: 2), on local storage and on S3 (a real moto_server; there ``.path`` does not exist and
the subtitles reach ffmpeg through a local copy):

* the content layer passes the subtitles, their language, the title and the in/out points;
  they are part of the key: changed subtitles make new board and social renditions (new
  files, different bytes), changed in/out points new social ones only, an unchanged save
  nothing;
* the social versions honour the cut; the renditions page and its status JSON name them in
  Vietnamese with a download link;
* in/out points typed as editors type them, validated in Vietnamese.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from cms.content.models import RadioSegmentPage, VideoPage
from cms.content.timecode import TimecodeFormField, format_timecode, parse_timecode
from cms.media import renditions
from cms.media.inputs import RenditionInputs, key_for
from cms.media.models import CustomDocument, MediaRendition, RenditionStatus
from media_pipeline.hashing import rendition_key
from media_pipeline.probe import probe
from tests.support import MotoServer, s3_default_storage

pytestmark = pytest.mark.django_db

#: small frames: what is measured here is identity and plumbing (the full-size outputs are
#: measured in tests/media_pipeline/test_social.py)
SMALL = {
    "board_landscape": {"width": 480, "height": 270},
    "board_portrait": {"width": 270, "height": 480},
    "social_vertical": {"width": 270, "height": 480},
    "social_square": {"width": 360, "height": 360},
    "audiogram": {"width": 360, "height": 360},
}
BOARD_AND_SOCIAL = ("board_landscape", "social_vertical", "social_square")


@pytest.fixture(params=["local", "s3"])
def storage(request: Any, settings: Any, s3_credentials: None, tmp_path: Path) -> Iterator[str]:
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": True, "PROFILE_OVERRIDES": SMALL}
    if request.param == "local":
        yield "local"
        return
    server = MotoServer(tmp_path)
    server.start()
    try:
        server.client().create_bucket(Bucket="cms-social")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": s3_default_storage("cms-social", server.url),
        }
        yield "s3"
    finally:
        server.stop()


def subtitles(title: str, text: str, language: str = "vi") -> CustomDocument:
    doc = CustomDocument(title=title, language=language)
    doc.file.save(f"{title}.srt", ContentFile(text.encode("utf-8")))
    return doc


def rows(master: Any) -> dict[str, MediaRendition]:
    return {r.profile: r for r in MediaRendition.objects.filter(master=master)}


def run(master: Any, names: tuple[str, ...]) -> dict[str, MediaRendition]:
    for name in names:
        rendition = MediaRendition.objects.get(master=master, profile=name)
        assert renditions.run(rendition.pk) == RenditionStatus.DONE, rendition.error_detail
    return rows(master)


def test_subtitles_and_cut_are_part_of_the_key_on_local_and_s3_storage(
    storage: str,
    section: Any,
    master_factory: Any,
    samples: Path,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    master = master_factory("vi_report_1080p.mp4", title="Phóng sự quyền trẻ em")
    srt = (samples / "vi_report.vi.srt").read_text(encoding="utf-8")
    first = subtitles("Phụ đề tiếng Việt", srt)
    page = VideoPage(
        title="Quyền trẻ em", slug="quyen-tre-em", video=master, subtitles=first,
        cut_in=2.5, cut_out=6.5, live=False,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        section.add_child(instance=page)
    scheduled = rows(master)
    assert {"social_vertical", "social_square", "board_landscape"} <= set(scheduled)
    assert "audiogram" not in scheduled  # a video's item gets the social versions
    table = renditions.profiles()
    # the board key is not the master's alone any more: the subtitles are in it
    assert scheduled["board_landscape"].key != rendition_key(
        master.sha256, table["board_landscape"]
    )
    # what the subtitles do not shape keeps the key it always had
    assert scheduled["web_video"].key == rendition_key(master.sha256, table["web_video"])

    before = run(master, BOARD_AND_SOCIAL)
    vertical = before["social_vertical"]
    assert vertical.technical_metadata["subtitles_language"] == "vi"
    assert (vertical.technical_metadata["cut_in"], vertical.technical_metadata["cut_out"]) == (
        2.5,
        6.5,
    )
    local = tmp_path / "vertical.mp4"
    with default_storage.open(vertical.file.name, "rb") as fh:
        local.write_bytes(fh.read())
    info = probe(local)
    assert info.duration is not None and abs(info.duration - 4.0) <= 0.04
    assert info.video is not None and (info.video.width, info.video.height) == (270, 480)

    # An unchanged save makes nothing again.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page.save()
    assert queued == []
    unchanged = rows(master)
    for name in BOARD_AND_SOCIAL:
        assert unchanged[name].key == before[name].key
        assert unchanged[name].status == RenditionStatus.DONE

    # New subtitles (one line changed): new board and social renditions.
    page = VideoPage.objects.get(pk=page.pk)
    edited = srt.replace("Chương trình phát thanh về", "Chương trình mới về")
    assert edited != srt
    page.subtitles = subtitles("Phụ đề sửa", edited)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page.save()
    renewed = rows(master)
    for name in BOARD_AND_SOCIAL:
        assert renewed[name].key != before[name].key, name
        assert renewed[name].status == RenditionStatus.PENDING and not renewed[name].file
    assert len(queued) >= len(BOARD_AND_SOCIAL)
    assert renewed["web_video"].key == before["web_video"].key
    after = run(master, BOARD_AND_SOCIAL)
    for name in BOARD_AND_SOCIAL:
        # the burned text differs: so the subtitles reached ffmpeg (on S3 too)
        assert after[name].sha256 != before[name].sha256, name
        assert after[name].file.name != before[name].file.name
        assert default_storage.exists(before[name].file.name)  # the old file is kept

    # New in/out points: new social versions; the boards do not depend on them.
    page = VideoPage.objects.get(pk=page.pk)
    page.cut_out = 6.0
    with django_capture_on_commit_callbacks(execute=False):
        page.save()
    moved = rows(master)
    assert moved["board_landscape"].key == after["board_landscape"].key
    assert moved["board_landscape"].status == RenditionStatus.DONE
    for name in ("social_vertical", "social_square"):
        assert moved[name].key != after[name].key
        assert moved[name].status == RenditionStatus.PENDING


def test_same_bytes_in_two_languages_never_share_burned_subtitles(master_factory: Any) -> None:
    master = master_factory("silent_no_audio.mp4")
    board = renditions.profiles()["board_landscape"]
    vi = RenditionInputs(subtitles=object(), subtitles_language="vi")
    km = RenditionInputs(subtitles=object(), subtitles_language="km")
    assert key_for(master, board, vi, "d" * 64) != key_for(master, board, km, "d" * 64)
    assert key_for(master, board, vi, "d" * 64) != key_for(master, board, vi, "e" * 64)


def test_a_radio_item_gets_an_audiogram_listed_in_vietnamese_with_a_download_link(
    storage: str,
    section: Any,
    master_factory: Any,
    admin_client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    master = master_factory("vi_segment_48k_stereo.wav", title="Bản tin sáng")
    page = RadioSegmentPage(
        title="Bản tin sáng: quyền trẻ em", slug="ban-tin-sang", audio=master, cut_in=1.0,
        cut_out=9.0, live=False,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        section.add_child(instance=page)
    done = run(master, ("audiogram",))["audiogram"]
    assert done.technical_metadata["duration"] == pytest.approx(8.0, abs=0.04)
    assert done.loudness["target_lufs"] == -16.0
    assert renditions.within_tolerance(done.loudness)

    status = admin_client.get(reverse("media_master_renditions_status", args=[master.pk]))
    by_profile = {row["profile"]: row for row in status.json()["rows"]}
    assert by_profile["audiogram"]["label"] == "Audiogram (video từ âm thanh)"
    assert by_profile["audiogram"]["download_url"] == done.file.url
    assert by_profile["loudspeaker"]["download_url"] == ""
    html = admin_client.get(reverse("media_master_renditions", args=[master.pk])).content.decode()
    assert "Audiogram (video từ âm thanh)" in html and "Tải về" in html


def test_social_labels_are_vietnamese() -> None:
    from cms.media.labels import profile_label

    assert profile_label("social_vertical") == "Video dọc 9:16 cho mạng xã hội"
    assert profile_label("social_square") == "Video vuông 1:1 cho mạng xã hội"


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [("65", 65.0), ("65,5", 65.5), ("1:05", 65.0), ("1:05,5", 65.5), ("01:05.25", 65.25),
     ("0:01:05", 65.0), (" 2:00 ", 120.0)],
)  # fmt: skip
def test_in_out_points_typed_the_vietnamese_way(typed: str, seconds: float) -> None:
    assert parse_timecode(typed) == seconds
    assert TimecodeFormField(required=False).clean(typed) == seconds


def test_in_out_points_shown_back_and_bad_input_refused_in_vietnamese() -> None:
    assert format_timecode(65.5) == "1:05,5" and format_timecode(3725) == "1:02:05"
    with pytest.raises(ValidationError) as error:
        TimecodeFormField(required=False).clean("1:75")
    assert "phút:giây" in str(error.value)


def test_in_out_validation_in_vietnamese(section: Any, master_factory: Any) -> None:
    master = master_factory("vi_report_1080p.mp4")
    page = VideoPage(title="Cắt", slug="cat", video=master, live=False)
    section.add_child(instance=page)
    page.cut_in, page.cut_out = 5.0, 4.0
    with pytest.raises(ValidationError) as error:
        page.save_revision()  # validates as the editor's form does
    assert error.value.message_dict["cut_out"] == ["Điểm ra phải sau điểm vào."]
    page.cut_in, page.cut_out = 2.0, 30.0
    with pytest.raises(ValidationError) as error:
        page.save_revision()
    assert "ngoài thời lượng của bản gốc (0:12)" in error.value.message_dict["cut_out"][0]
    page.cut_in, page.cut_out = 2.0, 8.0
    page.save_revision()


def test_the_editor_sees_the_short_cut_fields_in_vietnamese(
    section: Any, master_factory: Any, admin_client: Any
) -> None:
    page = VideoPage(
        title="Cắt", slug="cat", video=master_factory("vi_report_1080p.mp4"), live=False
    )
    page.cut_in = 5.5
    section.add_child(instance=page)
    html = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "Bản cắt ngắn cho mạng xã hội" in html
    assert "Điểm vào" in html and "Điểm ra" in html
    assert 'value="0:05,5"' in html
