"""A translator makes the Khmer version of a radio segment, with its own Khmer recording."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from cms.content.models import RadioSegmentPage

from ..cms.conftest import complete_metadata
from .conftest import admin_errors, login, logout

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # whitenoise looks for STATIC_ROOT, which the tests do not collect into.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

VI_TITLE = "Quyền trẻ em"
KM_TITLE = "សិទ្ធិកុមារ"


def field(page: Page, tab: str, label: str) -> Locator:
    """A field's block in a tab of wagtail-localize's translation editor."""
    return page.locator(f"#tab-{tab}").locator(f"xpath=.//li[h3[normalize-space()='{label}']]")


def test_translator_creates_khmer_translation_with_its_own_audio(
    live_server: Any, page: Page, make_user: Any, section: Any, master_factory: Any, artifacts: Any
) -> None:
    from wagtail.models import Locale

    vi_master = master_factory("vi_segment_48k_stereo.wav", title="Bản ghi tiếng Việt")
    km_master = master_factory("vi_speech.ogg", language="km", title="Bản ghi tiếng Khmer")
    source = RadioSegmentPage(title=VI_TITLE, slug="quyen-tre-em", audio=vi_master, live=False)
    section.add_child(instance=source)
    complete_metadata(source)
    source.save_revision().publish()
    source.refresh_from_db()
    assert source.live

    make_user("biendich", "translator")
    login(page, live_server.url, "biendich")
    page.goto(f"{live_server.url}/admin/localize/submit/page/{source.pk}/")
    km = Locale.objects.get(language_code="km")
    page.locator(f"input[name=locales][value='{km.pk}']").check()
    with page.expect_navigation():
        page.locator("form:has(input[name=locales]) input[type=submit]").click()
    assert admin_errors(page) == [], "submitting the translation was refused"
    expect(page.locator(".messages .success")).to_contain_text("ភាសាខ្មែរ")

    # Translate the title: "Dịch" opens a textarea, "Lưu" saves the string on the server.
    title = field(page, "noi-dung", "Tiêu đề")
    title.get_by_role("button", name="Dịch", exact=True).click()
    title.locator("textarea").fill(KM_TITLE)
    title.get_by_role("button", name="Lưu", exact=True).click()
    expect(title.get_by_role("button", name="Sửa", exact=True)).to_be_visible()
    expect(title).to_contain_text(KM_TITLE)

    # Override the synchronised audio with the Khmer master through the snippet chooser.
    audio = field(page, "noi-dung", "Bản ghi gốc")
    expect(audio).to_contain_text("Bản ghi tiếng Việt [vi]")
    audio.get_by_role("button", name="Đổi tư liệu gốc").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("link", name="Bản ghi tiếng Khmer [km]", exact=True).click()
    expect(modal).to_be_hidden()
    expect(audio).to_contain_text("Bản ghi tiếng Khmer [km]")
    expect(page.locator(".modal-backdrop")).to_have_count(0)  # let the modal finish fading
    page.screenshot(path=str(artifacts / "translation-editor.png"), full_page=True)

    # The translator group has no publish_page permission, so the editor offers no publish
    # button (only delete and preview); an approver publishes the translation from the editor.
    footer = page.locator("footer")
    expect(footer.get_by_role("link", name="Xem trước")).to_be_visible()
    expect(footer.locator("button[name=action][value=publish]")).to_have_count(0)
    translation = RadioSegmentPage.objects.get(translation_key=source.translation_key, locale=km)
    assert not translation.live

    logout(page)
    make_user("lanhdao", "approver")
    login(page, live_server.url, "lanhdao")
    page.goto(f"{live_server.url}/admin/pages/{translation.pk}/edit/")
    publish = page.locator("footer button[name=action][value=publish]")
    expect(publish).to_have_text("Xuất bản bằng ភាសាខ្មែរ")
    with page.expect_navigation():
        publish.click()
    assert admin_errors(page) == [], "publishing the translation was refused"
    # Summary and slug are left untranslated, so wagtail-localize publishes with a warning
    # (untranslated strings fall back to the Vietnamese source).
    expect(page.locator(".messages")).to_contain_text(f"Đã xuất bản '{KM_TITLE}' bằng ភាសាខ្មែរ")

    translation.refresh_from_db()
    assert translation.live
    assert translation.title == KM_TITLE
    assert translation.audio == km_master
    assert translation.duration == km_master.duration  # clean() took the Khmer length
    assert translation.get_parent().locale == km
    source.refresh_from_db()
    assert source.audio == vi_master  # the source keeps its own recording

    logout(page)
    response = page.goto(live_server.url + translation.url)
    assert response is not None and response.status == 200
    assert translation.url.startswith("/km/")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.get_by_role("heading", level=1)).to_have_text(KM_TITLE)
    page.screenshot(path=str(artifacts / "translation-published.png"), full_page=True)
