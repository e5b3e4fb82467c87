"""A reporter uploads a recording and follows its renditions (issue 14, item 14).

Before: the upload landed on the masters' list (2 more clicks to reach "Bản dựng"); the
versions were named ``loudspeaker``, ``broadcast``, ``web_audio``, ``waveform``; LUFS, dBTP
and LU were not explained; a queued job showed a bar at 0 % that looked full; a master that
clipped was not flagged; the page reloaded itself every 3 s (an inline script, refused by the
Content Security Policy) and offered "Làm lại" where nothing could be made again.

Now the upload lands on the renditions page (1 click: "Lưu"), which updates its rows in
place from a JSON status endpoint while the jobs run.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from cms.media import renditions
from cms.media.models import MediaMaster, MediaRendition, RenditionStatus
from tests.support import clipped_recording

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

ADD_MASTER = "/admin/snippets/media/mediamaster/add/"
NAMES = ["Dạng sóng", "Loa truyền thanh xã", "Phát sóng", "Web (âm thanh)"]


@pytest.fixture
def queued_jobs(settings: Any) -> None:
    """Masters get their rendition rows on upload, but the jobs wait (the test runs them)."""
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": True}
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "media"],
        }
    }


def filled_fraction(png: bytes) -> float:
    """Share of a progress bar's inner pixels that are dark or coloured (the filled part)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    inner = [image.getpixel((x, y)) for x in range(3, width - 3) for y in range(3, height - 3)]
    filled = [p for p in inner if min(p) < 200]
    return len(filled) / max(1, len(inner))


def test_reporter_uploads_and_follows_the_renditions_in_place(
    live_server: Any,
    page: Page,
    make_user: Any,
    tmp_path: Path,
    artifacts: Path,
    queued_jobs: None,
) -> None:
    make_user("phongvien", "reporter")
    login(page, live_server.url, "phongvien")
    page.goto(live_server.url + ADD_MASTER)
    page.fill("#id_title", "Bản tin vỡ tiếng")
    page.locator("#id_file").set_input_files(str(clipped_recording(tmp_path)))
    clicks = 0
    with page.expect_navigation():
        page.locator("#w-editor-form button[type=submit]").first.click()
        clicks += 1
    master = MediaMaster.objects.get()
    assert page.url.endswith(f"/admin/media-masters/{master.pk}/renditions/"), page.url
    assert clicks == 1  # before: 3 (save, then "…" and "Bản dựng" on the list)

    table = page.locator("table[data-renditions]")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)
    labels = sorted(
        row.locator("td").first.inner_text().splitlines()[0].strip() for row in rows.all()
    )
    assert labels == NAMES
    legend = page.locator(".loudness-legend")
    for unit in ("LUFS", "dBTP", "LU"):
        expect(legend.locator("dt", has_text=unit).first).to_be_visible()
    expect(table).to_contain_text("Đang chờ xử lý")
    expect(table.locator("[data-retry]")).to_have_count(0)

    # A job starts: its bar at 0 % is visibly empty.
    broadcast = MediaRendition.objects.get(master=master, profile="broadcast")
    MediaRendition.objects.filter(pk=broadcast.pk).update(
        status=RenditionStatus.RUNNING, progress=0.0
    )
    page.evaluate("window.__notReloaded = true")
    bar = table.locator(f'tr[data-rendition-id="{broadcast.pk}"] progress')
    expect(bar).to_be_visible()
    assert filled_fraction(bar.screenshot()) < 0.2, "a bar at 0 % looks filled"
    page.screenshot(path=str(artifacts / "renditions-running-0.png"), full_page=True)
    MediaRendition.objects.filter(pk=broadcast.pk).update(progress=0.6)
    expect(table.locator(f'tr[data-rendition-id="{broadcast.pk}"]')).to_contain_text("60%")
    assert 0.4 < filled_fraction(bar.screenshot()) < 0.8

    # The jobs run (here, in the test); the page follows without reloading.
    MediaRendition.objects.filter(pk=broadcast.pk).update(status=RenditionStatus.PENDING)
    for rendition in MediaRendition.objects.filter(master=master):
        assert renditions.run(rendition.pk) == RenditionStatus.DONE
    expect(table.locator('tr[data-status="done"]')).to_have_count(4)
    assert page.evaluate("window.__notReloaded === true"), "the page reloaded itself"
    clipping = page.locator("[data-clipping]")
    expect(clipping).to_be_visible()
    expect(clipping).to_contain_text("cắt đỉnh")
    expect(page.locator("[data-rendition-summary]")).to_contain_text("4/4 phiên bản đã xong.")
    expect(table.locator("[data-retry]")).to_have_count(0)  # all final: nothing to redo
    page.screenshot(path=str(artifacts / "renditions-done-clipping.png"), full_page=True)
