"""A listener on a phone (issue 14: 1, 5, 7): hears a radio item, finds the versions in
other languages, prints a caption sheet. Screenshots go to ``test-artifacts/listener-*``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TIMEOUT_MS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PHONE = {"width": 360, "height": 740}
VI_RADIO = "/vi/phat-thanh/quyen-tre-em-o-thon-ban/"
KM_RADIO = "/km/phat-thanh/quyen-tre-em-o-thon-ban/"


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> None:
    from cms.content import demo

    settings.VAR_DIR = tmp_path / "var"
    demo.load()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone-sized page, autoplay allowed only after a user gesture (as on a phone)."""
    context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    refused: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    context.close()
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)


def render_web_audio(*slugs_and_languages: tuple[str, str]) -> None:
    """Make the real web_audio rendition (ffmpeg) of each item's recording."""
    from cms.content.models import RadioSegmentPage
    from cms.media import renditions
    from cms.media.models import MediaRendition, RenditionStatus
    from media_pipeline.hashing import rendition_key

    for slug, language in slugs_and_languages:
        master = RadioSegmentPage.objects.get(slug=slug, locale__language_code=language).audio
        profile = renditions.profiles()["web_audio"]
        rendition, _ = MediaRendition.objects.get_or_create(
            master=master,
            profile="web_audio",
            defaults={"key": rendition_key(master.sha256, profile)},
        )
        assert renditions.run(rendition.pk) == RenditionStatus.DONE


def test_listener_on_a_phone_hears_the_radio_item_and_can_download_it(
    demo: None, live_server: Any, phone: Page, artifacts: Path
) -> None:
    render_web_audio(("quyen-tre-em-o-thon-ban", "vi"), ("quyen-tre-em-o-thon-ban", "km"))
    for path, lang in ((VI_RADIO, "vi"), (KM_RADIO, "km")):
        response = phone.goto(live_server.url + path)
        assert response is not None and response.status == 200
        title = phone.get_by_role("heading", level=1).inner_text()
        player = phone.locator("audio")
        expect(player).to_have_count(1)
        expect(player).to_be_visible()
        box = player.bounding_box()
        assert box is not None and box["height"] >= 30 and box["width"] >= 200, box
        # Labelled by the item's name, in the page's language.
        label = phone.evaluate(
            """() => {
              const a = document.querySelector("audio");
              if (a.getAttribute("aria-label")) return a.getAttribute("aria-label");
              const ids = (a.getAttribute("aria-labelledby") || "").split(/\\s+/);
              return ids.map((i) => document.getElementById(i)?.innerText || "").join(" ");
            }"""
        )
        assert title in label, (label, title)

        # The download link beside the player (not the fallback inside <audio>).
        download = phone.locator("a.download")
        expect(download).to_be_visible()
        assert download.evaluate("(a) => !a.closest('audio')")
        href = download.get_attribute("href")
        assert href
        got = phone.request.get(live_server.url + href)
        assert got.status == 200, (href, got.status)
        assert got.headers["content-type"].startswith("audio/"), got.headers
        assert len(got.body()) > 1000

        # Keyboard: Tab until the player has focus, then play with the keyboard.
        phone.locator("body").focus()
        for _ in range(40):
            phone.keyboard.press("Tab")
            if phone.evaluate("document.activeElement.tagName") == "AUDIO":
                break
        assert phone.evaluate("document.activeElement.tagName") == "AUDIO", (
            "keyboard focus never reached the player"
        )
        phone.screenshot(path=str(artifacts / f"listener-radio-{lang}-phone.png"), full_page=True)
        phone.keyboard.press("Space")
        # (polled from here: wait_for_function would need 'unsafe-eval' under the CSP)
        played = 0.0
        for _ in range(50):
            played = phone.evaluate("document.querySelector('audio').currentTime")
            if played > 0.3:
                break
            phone.wait_for_timeout(200)
        assert played > 0.3, "the recording did not play"
        assert not phone.evaluate("document.querySelector('audio').paused")


def test_listener_choosing_a_language_the_item_lacks_is_told_so_and_offered_the_others(
    demo: None, live_server: Any, phone: Page, artifacts: Path
) -> None:
    # The vi radio item has km and tyz versions, none in English.
    phone.goto(live_server.url + VI_RADIO)
    phone.locator("nav.languages summary").click()  # the switcher opens first
    phone.locator("nav.languages").get_by_role("link", name="English", exact=True).click()
    phone.wait_for_load_state("load")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "This item is not available in English."
    )
    expect(phone.get_by_text("It is available in:")).to_be_visible()
    versions = phone.locator("main ul.versions a")
    expect(versions).to_have_count(3)  # vi, km, tyz; never the home page silently
    hrefs = [versions.nth(i).get_attribute("href") for i in range(3)]
    assert hrefs == [VI_RADIO, KM_RADIO, "/tyz/phat-thanh/quyen-tre-em-o-thon-ban/"], hrefs
    expect(versions.first).to_contain_text("Quyền trẻ em ở thôn bản")
    expect(versions.nth(1)).to_contain_text("សិទ្ធិកុមារនៅតាមភូមិ")
    phone.screenshot(path=str(artifacts / "listener-not-available-en-phone.png"), full_page=True)

    # From the km version to Chinese (no zh-hans version): said in Chinese.
    phone.goto(live_server.url + KM_RADIO)
    phone.locator("nav.languages summary").click()  # the switcher opens first
    phone.locator("nav.languages").get_by_role("link", name="简体中文").click()
    phone.wait_for_load_state("load")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(phone.get_by_role("heading", level=1)).to_have_text("此内容暂无简体中文版本。")
    phone.screenshot(path=str(artifacts / "listener-not-available-zh-phone.png"), full_page=True)

    # The listener follows the Vietnamese link and lands on the item.
    phone.goto(live_server.url + VI_RADIO)
    phone.locator("nav.languages summary").click()  # the switcher opens first
    phone.locator("nav.languages").get_by_role("link", name="English", exact=True).click()
    phone.locator("main ul.versions a").first.click()
    phone.wait_for_load_state("load")
    assert phone.url == live_server.url + VI_RADIO
    expect(phone.get_by_role("heading", level=1)).to_have_text("Quyền trẻ em ở thôn bản")


def test_caption_sheet_offers_every_public_language_and_prints_only_the_sheet(
    demo: None, live_server: Any, phone: Page, artifacts: Path
) -> None:
    from django.contrib.auth import get_user_model
    from wagtail.models import Locale

    from cms.content import demo as demo_module
    from cms.content.models import ExhibitionPage, SectionIndexPage

    admin = get_user_model().objects.get(username="admin")
    exhibition = ExhibitionPage.objects.get(slug="anh-va-tranh-co-dong", locale__language_code="vi")
    section = SectionIndexPage.objects.get(slug="trien-lam", locale__language_code="vi")
    for code in ("km", "tyz"):
        demo_module.translate(section, code, {}, {}, admin)
        demo_module.translate(
            exhibition,
            code,
            {"Buổi sinh hoạt cộng đồng về bình đẳng giới.": f"({code}) sinh hoạt cộng đồng"},
            {},
            admin,
        )
    # A withdrawn version is not offered.
    exhibition.get_translation(Locale.objects.get(language_code="tyz")).unpublish()

    phone.goto(live_server.url + exhibition.url + "print/")
    links = phone.locator("main nav.print-languages a")  # after the label "Ngôn ngữ:"
    expect(links).to_have_count(2)
    assert [links.nth(i).inner_text() for i in range(2)] == ["English", "ភាសាខ្មែរ"]
    phone.screenshot(path=str(artifacts / "listener-print-screen-phone.png"), full_page=True)

    links.nth(1).click()
    phone.wait_for_load_state("load")
    assert phone.url.endswith("print/?with=km"), phone.url
    expect(phone.locator("table.print-table")).to_contain_text("(km) sinh hoạt cộng đồng")

    # Printed, the sheet alone: no site name, search box, language links or footer.
    phone.emulate_media(media="print")
    expect(phone.locator("table.print-table")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    for hidden in ("header", "header .site-name", "form.search", "nav.languages", "footer"):
        expect(phone.locator(hidden)).to_be_hidden()
    expect(phone.locator("main nav.print-languages")).to_be_hidden()
    phone.screenshot(path=str(artifacts / "listener-print-media-phone.png"), full_page=True)
