"""A reporter uploads masters through the admin: bad files are refused with a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cms.media.messages import message_for
from cms.media.models import MediaMaster

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # whitenoise looks for STATIC_ROOT, which the tests do not collect into.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

ADD_MASTER = "/admin/snippets/media/mediamaster/add/"
BAD_SAMPLES = [
    ("bad_text_named.mp3", "not_media"),
    ("bad_empty.wav", "empty_file"),
    ("bad_truncated.mp3", "truncated"),
]


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def submit(page: Page) -> None:
    # The editor form's own "Lưu" button, not the sidebar's search form.
    with page.expect_navigation():
        page.locator("#w-editor-form button[type=submit]").first.click()


def test_bad_uploads_show_their_error(
    live_server: Any, page: Page, make_user: Any, samples: Path, media_root: Path, artifacts: Path
) -> None:
    make_user("phongvien", "reporter")
    login(page, live_server.url, "phongvien")
    page.goto(live_server.url + ADD_MASTER)
    page.fill("#id_title", "Thử tải lên")

    file_errors = page.locator("#panel-child-file-errors")
    for sample, code in BAD_SAMPLES:
        page.locator("#id_file").set_input_files(str(samples / sample))
        submit(page)
        # Still on the add form, with the reason next to the file field.
        assert page.url.endswith(ADD_MASTER), (sample, page.url)
        expect(file_errors).to_contain_text(message_for(code))
        expect(file_errors).to_be_visible()
        page.screenshot(path=str(artifacts / f"upload-refused-{Path(sample).stem}.png"))
        assert MediaMaster.objects.count() == 0, sample
        assert files_under(media_root) == [], sample
        # The form keeps the title for the next try.
        expect(page.locator("#id_title")).to_have_value("Thử tải lên")

    page.locator("#id_file").set_input_files(str(samples / "vi_segment_48k_stereo.wav"))
    submit(page)
    # The upload lands on the new master's renditions page (issue 14, item 14).
    master = MediaMaster.objects.get()
    assert page.url.endswith(f"/admin/media-masters/{master.pk}/renditions/"), page.url
    expect(page.locator(".messages .success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Thử tải lên")
    assert (master.title, master.kind, master.language) == ("Thử tải lên", "audio", "vi")
    assert master.original_name == "vi_segment_48k_stereo.wav"
    assert master.uploaded_by.username == "phongvien"
    assert [p.name for p in files_under(media_root)] == ["vi_segment_48k_stereo.wav"]
