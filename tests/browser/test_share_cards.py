"""Share cards seen in a browser (issue 18: 3).

A Khmer and a Chinese radio segment are published; the card is made by the background job
that publishing enqueues (run inline by the test task backend once the transaction
commits). Chromium opens each page, follows its ``og:image`` and shows the card: 1200×630,
the title in the caption band in its own script. Screenshots:
``test-artifacts/share-card-km.png``, ``share-card-zh-hans.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from wagtail.models import Locale, Site
from wagtail.models import Page as WagtailPage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLES = {
    "km": "សិទ្ធិកុមារនៅក្នុងភូមិ និងការការពារកុមារពីការបំពាន",
    "zh-hans": "边境地区儿童权利宣传：保护未成年人",
}


def publish(page: Any) -> Any:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def items(samples: Path) -> dict[str, Any]:
    from cms.content.models import HomePage, RadioSegmentPage, SectionIndexPage
    from cms.media.uploads import master_from_file
    from tests.cms.conftest import complete_metadata

    vi = Locale.objects.get(language_code="vi")
    home = HomePage(title="Trang chủ", slug="trang-chu", locale=vi)
    WagtailPage.get_first_root_node().add_child(instance=home)
    publish(home)
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    section = SectionIndexPage(title="Phát thanh", slug="phat-thanh")
    home.add_child(instance=section)
    publish(section)
    master = master_from_file(samples / "vi_speech.ogg", "Bản tin", "vi")
    source = RadioSegmentPage(
        title="Quyền trẻ em ở thôn bản", slug="quyen-tre-em", audio=master, live=False
    )
    section.add_child(instance=source)
    complete_metadata(source)
    publish(source)
    out = {}
    for language, title in TITLES.items():
        locale = Locale.objects.get(language_code=language)
        for parent in (home, section):
            translated = parent.get_translation_or_none(locale)
            if translated is None:
                publish(parent.copy_for_translation(locale))
        version = source.copy_for_translation(locale)
        version.title = title
        out[language] = publish(version).specific
    return out


@pytest.mark.parametrize("language", ["km", "zh-hans"])
def test_share_card_shows_the_title_in_its_script(
    language: str, items: dict[str, Any], live_server: Any, page: Page, artifacts: Path
) -> None:
    from cms.sharing.models import ShareCard

    item = items[language]
    assert ShareCard.objects.get(page=item).status == "done"  # made on publish
    page.goto(live_server.url + item.url)
    og_image = page.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image and "/share/" in og_image
    assert page.locator('meta[property="og:title"]').get_attribute("content") == TITLES[language]
    path = "/" + og_image.split("://", 1)[1].split("/", 1)[1]
    page.set_viewport_size({"width": 1200, "height": 630})
    page.goto(live_server.url + path)
    size = page.evaluate(
        "() => [document.images[0].naturalWidth, document.images[0].naturalHeight]"
    )
    assert size == [1200, 630]
    page.locator("img").screenshot(path=str(artifacts / f"share-card-{language}.png"))
