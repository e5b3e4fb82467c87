"""A listener watches the video item on a phone (issue 14: 3): a poster before anything
plays, the light 360p rendition chosen by the player, a download link to it beside the
player; on a desktop screen the player takes the 720p one. Screenshots go to
``test-artifacts/listener-video-*``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_listener_journeys import demo, phone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]
__all__ = ["demo", "phone"]


def render_video_renditions() -> tuple[Any, dict[str, Any]]:
    """The vi video page and its web renditions, made for real (ffmpeg)."""
    from cms.content.models import VideoPage
    from cms.media import renditions
    from cms.media.models import MediaRendition, RenditionStatus
    from media_pipeline.hashing import rendition_key

    page = VideoPage.objects.get(slug="bao-cao-quyen-con-nguoi", locale__language_code="vi")
    made = {}
    # (rows as the planner makes them: tests/cms/media/test_video_light_plan.py)
    for profile in ("web_video", "web_video_light"):
        rendition, _ = MediaRendition.objects.get_or_create(
            master=page.video,
            profile=profile,
            defaults={"key": rendition_key(page.video.sha256, renditions.profiles()[profile])},
        )
        assert renditions.run(rendition.pk) == RenditionStatus.DONE
        rendition.refresh_from_db()
        made[profile] = rendition
    return page, made


def wait_for_metadata(page: Page) -> None:
    # (polled: wait_for_function would need 'unsafe-eval' under the CSP)
    for _ in range(75):
        if page.evaluate("document.querySelector('video').readyState") >= 1:
            return
        page.wait_for_timeout(200)
    raise AssertionError("the video never loaded its metadata")


def test_listener_on_a_phone_sees_the_poster_and_gets_the_light_video(
    demo: None, live_server: Any, phone: Page, browser: Browser, artifacts: Path
) -> None:
    item, made = render_video_renditions()
    light_url = f"/media/{made['web_video_light'].file.name}"
    full_url = f"/media/{made['web_video'].file.name}"

    phone.goto(live_server.url + item.url)
    video = phone.locator("figure.player video")
    expect(video).to_be_visible()
    box = video.bounding_box()
    assert box is not None and box["width"] >= 300 and box["height"] >= 160, box

    # The poster: the light rendition's own frame, a real 640x360 JPEG, drawn in the player.
    poster = video.get_attribute("poster")
    assert poster and poster.startswith("/media/renditions/vi/"), poster
    got = phone.request.get(live_server.url + poster)
    assert got.status == 200 and got.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(got.body())) as image:
        assert image.size == (640, 360)
    phone.screenshot(path=str(artifacts / "listener-video-vi-phone.png"), full_page=True)
    shown = Image.open(io.BytesIO(video.screenshot())).convert("L")
    assert ImageStat.Stat(shown).stddev[0] > 20, "the player shows no picture before playing"

    # The player chooses the light source on a phone screen, and plays it.
    video.click()  # the listener's tap on the player
    phone.evaluate("document.querySelector('video').play()")
    wait_for_metadata(phone)
    current = phone.evaluate("document.querySelector('video').currentSrc")
    assert current == live_server.url + light_url, current
    assert phone.evaluate("document.querySelector('video').videoWidth") == 640

    # The download link beside the player is the light version, with its size said.
    download = phone.locator("figure.player a.download")
    expect(download).to_be_visible()
    assert download.get_attribute("href") == light_url
    expect(phone.locator("figure.player p.downloads")).to_contain_text("640×360")
    full = phone.locator("figure.player a.download-full")
    expect(full).to_be_visible()
    assert full.get_attribute("href") == full_url
    phone.screenshot(path=str(artifacts / "listener-video-vi-phone-playing.png"))

    # On a desktop screen the same page plays the 720p rendition.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(TIMEOUT_MS)
    desktop = context.new_page()
    try:
        desktop.goto(live_server.url + item.url)
        desktop.evaluate("document.querySelector('video').play().catch(() => {})")
        wait_for_metadata(desktop)
        current = desktop.evaluate("document.querySelector('video').currentSrc")
        assert current == live_server.url + full_url, current
        assert desktop.evaluate("document.querySelector('video').videoWidth") == 1280
        desktop.screenshot(path=str(artifacts / "listener-video-vi-desktop.png"))
    finally:
        context.close()
