"""A translator's journey (issue 14, item 18): from the dashboard's list of their
translations to a Khmer translation submitted for review, in Debian's Chromium.

What the translator needs: the assignment on the dashboard; the source as text (no raw
``<br/>``); Khmer drawn upright (never fake italics); plain Vietnamese for the offline (PO)
option; no invitation to edit the Vietnamese master; "Gửi duyệt" as the footer's main button
(not "Xóa"), "Lưu bản nháp" beside it; no English in the editor's chrome. Clicks are counted.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from wagtail.models import WorkflowState

from cms.content.models import RadioSegmentPage

from ..cms.conftest import complete_metadata
from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

VI_TITLE = "Nước sạch cho bản làng"
KM_TITLE = "ទឹកស្អាតសម្រាប់ភូមិ"
VI_SCRIPT = "Kính thưa bà con,\nđây là bản tin nước sạch & vệ sinh."
# The editor's text box is one line: a line break is typed as <br/> (wagtail-localize).
KM_SCRIPT = "សូមគោរពបងប្អូន<br/>នេះជាព័ត៌មានអំពីទឹកស្អាត។"


def field(page: Page, label: str) -> Locator:
    """A field's block in the translation editor (any tab)."""
    return page.locator(f"xpath=//li[h3[normalize-space()='{label}']]").first


class Clicks:
    def __init__(self) -> None:
        self.count = 0

    def click(self, target: Locator) -> None:
        self.count += 1
        target.click()


def translate(clicks: Clicks, block: Locator, text: str) -> None:
    clicks.click(block.get_by_role("button", name="Dịch", exact=True))
    block.locator("textarea").fill(text)
    clicks.click(block.get_by_role("button", name="Lưu", exact=True))
    expect(block.get_by_role("button", name="Sửa", exact=True)).to_be_visible()


def test_translator_finds_translates_and_submits_a_khmer_version(
    live_server: Any, page: Page, make_user: Any, section: Any, master_factory: Any, artifacts: Any
) -> None:
    from wagtail.models import Locale
    from wagtail_localize.models import Translation, TranslationSource

    vi_master = master_factory("vi_segment_48k_stereo.wav", title="Bản ghi tiếng Việt")
    source = RadioSegmentPage(
        title=VI_TITLE, slug="nuoc-sach", audio=vi_master, script=VI_SCRIPT, live=False
    )
    section.add_child(instance=source)
    complete_metadata(source)
    source.save_revision().publish()
    source.refresh_from_db()
    # An editor asked for the Khmer version (wagtail-localize's "Dịch"): a draft translation.
    km = Locale.objects.get(language_code="km")
    translation_source, _created = TranslationSource.get_or_create_from_instance(source)
    translation = Translation.objects.create(source=translation_source, target_locale=km)
    translation.save_target(publish=False)
    target = RadioSegmentPage.objects.get(translation_key=source.translation_key, locale=km)

    make_user("biendich", "translator")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    clicks = Clicks()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "biendich")
    page.fill("input[name=password]", "pw-12345!")
    clicks.click(page.locator("form button[type=submit]").first)
    page.wait_for_url(f"{live_server.url}/admin/")

    # The dashboard lists the assignment, first thing.
    panel = page.locator("#translator-assignments-section")
    expect(panel).to_contain_text(VI_TITLE)
    expect(panel).to_contain_text("Cần dịch")
    page.screenshot(path=str(artifacts / "translator-dashboard.png"), full_page=True)
    clicks.click(panel.get_by_role("link", name=VI_TITLE))
    page.wait_for_url(f"**/admin/pages/{target.pk}/edit/")

    editor = page.locator(".js-translation-editor")
    expect(editor.locator("footer")).to_be_visible()
    assert errors == [], errors
    # No English chrome, no raw markup, no jargon, no invitation to edit the source master.
    expect(editor).to_contain_text("Bản dịch từ Tiếng Việt sang")
    expect(editor).not_to_contain_text(" translation")
    assert editor.locator("text=More actions").count() == 0
    assert page.locator(".w-dropdown__toggle .w-sr-only", has_text="More actions").count() == 0
    script = field(page, "Kịch bản / bản ghi lời")
    expect(script).to_contain_text("Kính thưa bà con,")
    expect(script).not_to_contain_text("<br")
    expect(script).not_to_contain_text("&amp;")
    expect(editor).to_contain_text("Tải về để dịch ngoài (tệp PO)")
    expect(editor).not_to_contain_text("Tải tệp PO")
    audio = field(page, "Bản ghi gốc")
    expect(audio).to_contain_text("Bản ghi tiếng Việt [vi]")
    expect(audio.get_by_text("Sửa tư liệu gốc này")).to_be_hidden()

    # The footer's main button submits for review; deleting is in the menu, not the default.
    footer = editor.locator("footer")
    main = footer.locator("[data-editorial-action=action-submit]")
    expect(main).to_have_text("Gửi duyệt")
    assert main.evaluate(
        "e => e.parentElement.matches('.w-dropdown-button') && !e.previousElementSibling"
    ), "“Gửi duyệt” is not the footer's main button"
    expect(footer.locator(".w-dropdown-button > a", has_text="Xóa")).to_be_hidden()
    expect(footer.locator("[data-editorial-action=action-save-draft]")).to_have_count(1)

    translate(clicks, field(page, "Tiêu đề"), KM_TITLE)
    translate(clicks, script, KM_SCRIPT)
    value = script.locator("div[lang=km] p").first
    expect(value).to_contain_text("សូមគោរពបងប្អូន")
    assert value.evaluate("e => getComputedStyle(e).fontStyle") == "normal"  # no fake italics
    page.screenshot(path=str(artifacts / "translator-editor.png"), full_page=True)

    with page.expect_navigation():
        clicks.click(main)
    expect(page.locator(".messages")).to_contain_text("Đã gửi duyệt bản dịch")
    target.refresh_from_db()
    state = target.current_workflow_state
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    revision = target.get_latest_revision_as_object()
    assert revision.title == KM_TITLE
    assert revision.script == KM_SCRIPT.replace("<br/>", "\n")  # a line break, as text
    assert not target.live

    clicks.click(page.locator("a[href='/admin/']").first)
    expect(page.locator("[data-translator-waiting]")).to_contain_text(VI_TITLE)
    page.screenshot(path=str(artifacts / "translator-submitted.png"), full_page=True)
    print(f"\ntranslator clicks, login to submitted: {clicks.count - 1}")


def test_translator_without_assignments_is_told_so(
    live_server: Any, page: Page, make_user: Any
) -> None:
    """The dashboard panel does not break the dashboard of a user without translations."""
    make_user("biendich", "translator")
    login(page, live_server.url, "biendich")
    panel = page.locator("#translator-assignments-section")
    expect(panel).to_contain_text("Không có bản dịch nào đang chờ bạn.")
