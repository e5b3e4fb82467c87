"""The renditions page of a master as a reporter reads it (issue 14, item 14): Vietnamese
names, the units explained, a warning when the master clips (measured by ebur128), a JSON
status endpoint for updating in place (permission-checked), no inline script, and "Làm
lại"/"Thử lại" only on renditions that can be made again."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cms.media import renditions
from cms.media.models import MediaRendition, RenditionStatus
from cms.media.uploads import master_from_file
from tests.support import clipped_recording

pytestmark = pytest.mark.django_db


def page_url(master: Any) -> str:
    return f"/admin/media-masters/{master.pk}/renditions/"


def true_peak(path: Path) -> float:
    """The file's true peak in dBTP, measured by ffmpeg's ebur128."""
    err = subprocess.run(
        [
            "ffmpeg",
            "-nostats",
            "-hide_banner",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    summary = err[err.rfind("Summary:") :]
    return float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+) dBFS", summary).group(1))


@pytest.fixture
def editor_client(client: Any, make_user: Any) -> Any:
    client.force_login(make_user("bientap", "editor"))
    return client


def test_versions_have_vietnamese_names_and_the_units_are_explained(
    editor_client: Any, master_factory: Any
) -> None:
    master = master_factory("vi_speech.ogg")
    renditions.schedule_renditions(master)
    html = editor_client.get(page_url(master)).content.decode()
    for label in ("Loa truyền thanh xã", "Phát sóng", "Web (âm thanh)", "Dạng sóng"):
        assert f">{label}<" in html or f">{label}</a>" in html, label
    legend = re.search(r'<dl class="loudness-legend".*?</dl>', html, re.S)
    assert legend, "no explanation of the units"
    for unit in ("LUFS", "dBTP", "LU"):
        assert f"<dt>{unit}</dt>" in legend.group(0)
    # queued jobs: "Đang chờ xử lý", no progress bar (nothing has started), no redo button
    assert html.count("Đang chờ xử lý") == 4
    assert "<progress" not in html
    assert "data-retry" not in html
    # updated in place by a script file; no inline script, no reload timer
    assert "window.location.reload" not in html
    assert re.search(r"<script>(?!</script>)", html) is None
    assert 'src="/static/media/js/renditions.js"' in html


def test_a_clipping_master_is_flagged_from_its_measured_true_peak(
    editor_client: Any, tmp_path: Path, media_root: Any
) -> None:
    source = clipped_recording(tmp_path, "tin-bi-vo-tieng.wav")
    assert true_peak(source) > 0.0  # what the warning is about, measured independently
    master = master_from_file(source, "Tin bị vỡ tiếng", "vi")
    renditions.schedule_renditions(master)
    before = editor_client.get(page_url(master)).content.decode()
    assert "data-clipping" not in before  # nothing measured yet
    web = MediaRendition.objects.get(master=master, profile="web_audio")
    assert renditions.run(web.pk) == RenditionStatus.DONE
    html = editor_client.get(page_url(master)).content.decode()
    warning = re.search(r"<p [^>]*data-clipping[^>]*>(.*?)</p>", html, re.S)
    assert warning, "no clipping warning"
    assert "cắt đỉnh" in warning.group(1) and "dBTP" in warning.group(1)

    quiet = master_factory_quiet(tmp_path)
    renditions.schedule_renditions(quiet)
    web = MediaRendition.objects.get(master=quiet, profile="web_audio")
    assert renditions.run(web.pk) == RenditionStatus.DONE
    assert "data-clipping" not in editor_client.get(page_url(quiet)).content.decode()


def master_factory_quiet(tmp_path: Path) -> Any:
    path = tmp_path / "tin-binh-thuong.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            "3",
            "-af",
            "volume=-12dB",
            "-c:a",
            "pcm_s16le",
            "-y",
            str(path),
        ],
        check=True,
    )
    assert true_peak(path) < 0.0
    return master_from_file(path, "Tin bình thường", "vi")


def test_status_endpoint_updates_rows_and_is_permission_checked(
    client: Any, make_user: Any, master_factory: Any
) -> None:
    master = master_factory("vi_speech.ogg")
    renditions.schedule_renditions(master)
    url = f"{page_url(master)}status/"
    client.force_login(make_user("khach", None, is_staff=True))
    assert client.get(url).status_code in (302, 403)
    client.force_login(make_user("bientap", "editor"))
    broadcast = MediaRendition.objects.get(master=master, profile="broadcast")
    MediaRendition.objects.filter(pk=broadcast.pk).update(
        status=RenditionStatus.RUNNING, progress=0.42
    )
    data = client.get(url).json()
    assert data["busy"] is True
    row = next(r for r in data["rows"] if r["id"] == broadcast.pk)
    assert row["status"] == "running" and row["progress"] == 42
    assert f'data-rendition-id="{broadcast.pk}"' in row["html"]
    assert 'value="42"' in row["html"] and "Phát sóng" in row["html"]
    assert "0/4 phiên bản đã xong." in data["alerts"]


def test_redo_only_where_it_makes_sense(editor_client: Any, master_factory: Any) -> None:
    master = master_factory("vi_speech.ogg")
    renditions.schedule_renditions(master)
    by_profile = {r.profile: r for r in MediaRendition.objects.filter(master=master)}
    assert renditions.run(by_profile["web_audio"].pk) == RenditionStatus.DONE
    assert renditions.run(by_profile["waveform"].pk) == RenditionStatus.DONE
    MediaRendition.objects.filter(pk=by_profile["broadcast"].pk).update(
        status=RenditionStatus.FAILED, error_code="not_found"
    )
    # a job whose worker died: "running" and silent for far longer than a heartbeat
    MediaRendition.objects.filter(pk=by_profile["loudspeaker"].pk).update(
        status=RenditionStatus.RUNNING,
        updated_at=by_profile["loudspeaker"].updated_at.replace(year=2020),
    )
    # the waveform's file is gone from the storage: it may be made again
    waveform = MediaRendition.objects.get(pk=by_profile["waveform"].pk)
    Path(waveform.file.path).unlink()

    html = editor_client.get(page_url(master)).content.decode()
    buttons = {
        profile: re.findall(r"data-retry>([^<]+)<", row)
        for profile, row in re.findall(
            r'<tr [^>]*data-profile="([^"]+)"[^>]*>(.*?)</tr>', html, re.S
        )
    }
    assert buttons == {
        "broadcast": ["Thử lại"],
        "loudspeaker": ["Làm lại"],
        "waveform": ["Làm lại"],
        "web_audio": [],  # finished, its file stored: final
    }
    response = editor_client.post(
        f"{page_url(master)}{by_profile['loudspeaker'].pk}/retry/", follow=False
    )
    assert response.status_code == 302
    assert MediaRendition.objects.get(pk=by_profile["loudspeaker"].pk).status in (
        RenditionStatus.PENDING,
        RenditionStatus.DONE,
    )
