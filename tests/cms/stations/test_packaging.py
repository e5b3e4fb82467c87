"""Bags built for each station: only what it can use, valid BagIt, Unicode names, cue sheet."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import bagit
import pytest
from django.core.files.storage import default_storage

from cms.media import renditions
from cms.media.models import MediaRendition, RenditionStatus
from cms.stations.models import BuildStatus, PackageBuild

pytestmark = pytest.mark.django_db

KHMER_TITLE = "សិទ្ធិកុមារ"  # "children's rights", with Khmer vowel signs that must survive


def bag_dir(build: PackageBuild) -> Path:
    return Path(default_storage.path(f"{build.folder}/{build.bag_name}"))


def test_radio_station_bag_has_both_languages_renditions_and_cue_sheet(
    make_item, make_station, make_package, release, units
) -> None:
    item = make_item("Quyền trẻ em ở thôn bản", languages=("vi", "km"), titles={"km": KHMER_TITLE})
    make_station("cao-loc", languages=("vi", "km"))
    package = make_package("Bản tin tuần 42", [item], units=[units["cao_loc"]])
    package.items.update(cue_in=0.5, cue_out=2.5)
    [delivery] = release(package)
    build = delivery.build
    assert build.status == BuildStatus.READY and delivery.available_at is not None

    root = bag_dir(build)
    bag = bagit.Bag(str(root))
    assert bag.validate(processes=1) and "sha256" in bag.algorithms
    payload = sorted(p.relative_to(root / "data").as_posix() for p in (root / "data").rglob("*.*"))
    vi_name = "01 - Quyền trẻ em ở thôn bản"
    km_name = unicodedata.normalize("NFC", f"01 - {KHMER_TITLE}")
    for expected in (
        f"vi/{vi_name}.mp3",
        f"vi/{vi_name}.wav",
        f"vi/{vi_name}.txt",
        f"km/{km_name}.mp3",
        f"km/{km_name}.wav",
        "vi/loudspeaker.m3u8",
        "km/broadcast.m3u8",
        "manifest.json",
        "rundown.csv",
        "rundown.json",
    ):
        assert expected in payload, (expected, payload)

    rows = list(csv.DictReader(io.StringIO((root / "data/rundown.csv").read_text("utf-8-sig"))))
    assert [(r["Thứ tự"], r["Ngôn ngữ"]) for r in rows] == [("1", "vi"), ("1", "km")]
    assert rows[0]["Thời lượng (giây)"] == "2.000"
    assert rows[0]["Điểm vào"] == "00:00:00.500" and rows[0]["Điểm ra"] == "00:00:02.500"
    assert rows[1]["Tiêu đề"] == KHMER_TITLE

    playlist = (root / "data/km/loudspeaker.m3u8").read_text("utf-8").splitlines()
    assert playlist[0] == "#EXTM3U"
    assert f"#EXTINF:2.000,{KHMER_TITLE}" in playlist
    assert "#EXTVLCOPT:start-time=0.500" in playlist and f"{km_name}.mp3" in playlist

    manifest = json.loads((root / "data/manifest.json").read_text("utf-8"))
    assert manifest["package"]["title"] == "Bản tin tuần 42"
    listed = {f["path"]: f for f in manifest["files"]}
    mp3 = listed[f"data/vi/{vi_name}.mp3"]
    assert mp3["role"] == "loudspeaker" and len(mp3["sha256"]) == 64
    assert (root / mp3["path"]).stat().st_size == mp3["size"]


def test_zip_holds_the_same_bag_and_its_checksum_is_recorded(
    make_item, make_station, make_package, release, units
) -> None:
    item = make_item("Phòng, chống mua bán người")
    make_station("cao-loc")
    [delivery] = release(make_package("Gói A", [item], units=[units["cao_loc"]]))
    build = delivery.build
    zip_path = Path(default_storage.path(build.zip_storage_name))
    assert zip_path.stat().st_size == build.zip_size
    from media_pipeline.hashing import sha256_file

    assert sha256_file(zip_path) == build.zip_sha256
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.testzip() is None
        names = {n.split("/", 1)[1] for n in archive.namelist()}
    assert names == {entry["path"] for entry in build.files}
    assert {"bagit.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"} <= names
    # Nothing half-built is left in the staging area.
    staging = Path(default_storage.path("stations/.building"))
    assert not any(staging.iterdir())


def test_board_gets_video_at_its_profile_and_subtitles_but_no_audio(
    make_item, make_station, make_package, release, units
) -> None:
    video = make_item("Video bình đẳng giới", video=True)
    radio = make_item("Bản tin phát thanh")
    board = make_station("bang-tin", kind="digital_board", board_profile="board_landscape")
    [delivery] = release(make_package("Gói bảng tin", [video, radio], units=[units["cao_loc"]]))
    assert delivery.station == board
    roles = {entry["role"] for entry in delivery.build.manifest["files"]}
    assert "board_landscape" in roles
    assert not roles & {"loudspeaker", "broadcast"}
    # The radio segment has nothing a silent board can show: it is not in its rundown.
    assert [row["title"] for row in delivery.build.manifest["rundown"]] == ["Video bình đẳng giới"]


def test_stations_with_the_same_needs_share_one_build(
    make_item, make_station, make_package, release, units
) -> None:
    item = make_item("Bản tin", languages=("vi", "km"))
    make_station("a", unit="cao_loc")
    make_station("b", unit="dong_dang")
    make_station("c", unit="cao_loc", languages=("vi", "km"))
    deliveries = release(make_package("Gói chung", [item], units=[units["lang_son"]]))
    builds = {d.station.code: d.build_id for d in deliveries}
    assert builds["a"] == builds["b"] != builds["c"]
    assert PackageBuild.objects.filter(status=BuildStatus.READY).count() == 2


def test_missing_translation_is_reported_not_invented(
    make_item, make_station, make_package, release, units
) -> None:
    item = make_item("Chỉ có tiếng Việt")
    make_station("cao-loc", languages=("vi", "hmn"))
    [delivery] = release(make_package("Gói", [item], units=[units["cao_loc"]]))
    manifest = delivery.build.manifest
    assert {row["language"] for row in manifest["rundown"]} == {"vi"}
    assert manifest["missing"] == [
        {
            "item_id": delivery.package.items.get().pk,
            "language": "hmn",
            "reason": "no_live_translation",
        }
    ]


def test_bag_from_real_pipeline_renditions(
    section, master_factory, make_station, make_package, release, units
) -> None:
    """The packaging reads what the media pipeline really produces (ffmpeg, loudness)."""
    from cms.content.models import RadioSegmentPage
    from tests.cms.conftest import complete_metadata

    master = master_factory("vi_speech.ogg", title="Tiếng nói")
    renditions.schedule_renditions(master)
    for rendition in MediaRendition.objects.filter(master=master, profile="loudspeaker"):
        assert renditions.run(rendition.pk) == RenditionStatus.DONE
    page = RadioSegmentPage(title="Tiếng nói", slug="tieng-noi", audio=master, live=False)
    section.add_child(instance=page)
    complete_metadata(page)
    page.save_revision().publish()
    make_station("diem-tin", kind="information_point")
    [delivery] = release(make_package("Gói thật", [page], units=[units["cao_loc"]]))
    manifest = delivery.build.manifest
    [row] = manifest["rundown"]
    assert row["files"]["loudspeaker"].endswith(".mp3")
    assert abs(row["duration"] - master.duration) < 0.2  # measured, not guessed
    # An information point plays the loudspeaker rendition only: nothing is missing.
    assert manifest["missing"] == []
    mp3 = next(f for f in manifest["files"] if f["role"] == "loudspeaker")
    rendition = MediaRendition.objects.get(master=master, profile="loudspeaker")
    assert mp3["sha256"] == rendition.sha256
    assert bagit.Bag(str(bag_dir(delivery.build))).is_valid()


def test_station_asking_for_mp2_gets_an_mpeg1_layer2_file(
    make_item, make_station, make_package, release, units
) -> None:
    import subprocess

    item = make_item("Bản tin sáng")
    make_station("dai-mp2", broadcast_mp2=True)
    make_station("dai-wav")
    deliveries = {
        d.station.code: d for d in release(make_package("Gói", [item], units=[units["cao_loc"]]))
    }
    with_mp2, without = deliveries["dai-mp2"], deliveries["dai-wav"]
    assert with_mp2.build_id != without.build_id
    [entry] = [f for f in with_mp2.build.manifest["files"] if f["role"] == "broadcast_mp2"]
    assert entry["path"] == "data/vi/01 - Bản tin sáng.mp2"
    path = bag_dir(with_mp2.build) / entry["path"]
    probed = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
             str(path)],
            check=True, capture_output=True, timeout=60,
        ).stdout
    )  # fmt: skip
    [stream] = probed["streams"]
    assert stream["codec_name"] == "mp2" and stream["sample_rate"] == "48000"
    assert stream["channels"] == 1 and stream["bit_rate"] == "128000"  # mono source: 128 kb/s
    assert abs(float(probed["format"]["duration"]) - 3.0) < 0.1
    playlist = (bag_dir(with_mp2.build) / "data/vi/broadcast_mp2.m3u8").read_text("utf-8")
    assert "01 - Bản tin sáng.mp2" in playlist.splitlines()
    assert bagit.Bag(str(bag_dir(with_mp2.build))).validate(processes=1)
    assert not any(f["role"] == "broadcast_mp2" for f in without.build.manifest["files"])
