"""A reporter writes a radio segment in the admin; an editor and an approver publish it.

Everything happens in the browser: the page is created in the add form (audio, product type
and producing unit through their chooser modals, the other metadata in the "Siêu dữ liệu"
tab), sent to the workflow "Biên tập và phê duyệt" from the action menu, approved by an
editor and an approver from the page editor's action menu, and read by an anonymous visitor.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from cms.content.models import RadioSegmentPage
from cms.editorial.roles import TASKS, WORKFLOW_NAME

from .conftest import admin_errors, login, logout

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # whitenoise looks for STATIC_ROOT, which the tests do not collect into.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

TITLE = "Trẻ em vùng cao được đến trường"


def choose(page: Page, field: str, label: str) -> None:
    """Pick an object in a chooser modal (media master, product type, producing unit)."""
    page.locator(f"[data-contentpath={field}] button:visible").first.click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("link", name=label, exact=True).click()
    expect(modal).to_be_hidden()
    expect(page.locator(f"[data-contentpath={field}]")).to_contain_text(label)


def open_action_menu(page: Page) -> None:
    """Unfold the page editor's action menu (the arrow next to the main button)."""
    page.locator("footer [data-w-dropdown-target=toggle]:visible").first.click()


def vi_terms() -> dict[str, str]:
    """Values of the vi terms to tick in the checkbox lists."""
    from cms.taxonomy.models import AdministrativeUnit, Audience, Channel, Topic

    return {
        "topics": str(Topic.objects.get(code="crc", locale__language_code="vi").pk),
        "audiences": str(Audience.objects.get(code="children", locale__language_code="vi").pk),
        "channels": str(
            Channel.objects.get(code="commune-loudspeaker", locale__language_code="vi").pk
        ),
        "coverage": str(AdministrativeUnit.objects.get(code="P2025-20").pk),
    }


def test_editor_submits_and_approver_publishes(
    live_server: Any, page: Page, make_user: Any, section: Any, master_factory: Any, artifacts: Any
) -> None:
    master_factory("vi_segment_48k_stereo.wav", title="Bản ghi trẻ em vùng cao")
    make_user("phongvien", "reporter")
    login(page, live_server.url, "phongvien")
    page.goto(f"{live_server.url}/admin/pages/add/content/radiosegmentpage/{section.pk}/")
    page.fill("#id_title", TITLE)
    page.locator("#id_title").press("Tab")  # the slug is filled in from the title on blur
    expect(page.locator("#id_slug")).not_to_have_value("")
    page.fill("#id_summary", "Phóng sự về quyền học tập của trẻ em.")
    choose(page, "audio", "Bản ghi trẻ em vùng cao [vi]")
    page.get_by_role("tab", name="Siêu dữ liệu").click()
    choose(page, "product_type", "Phóng sự phát thanh")
    choose(page, "producing_unit", "Sở Tư pháp")
    for field, value in vi_terms().items():
        page.locator(f"input[name={field}][value='{value}']").check()  # checkbox lists
    page.locator("#id_funding_source").select_option("state_budget")
    page.locator("#id_rights").select_option("cc_by_4")
    page.locator("#id_retention_period").select_option("permanent")
    page.locator("#id_access_level").select_option("public")
    page.fill("#id_production_date", "2025-10-01")
    page.keyboard.press("Escape")  # close the date picker
    page.screenshot(path=str(artifacts / "workflow-metadata-tab.png"), full_page=True)

    # Send for approval from the action menu, labelled as the admin's catalog says.
    with translation.override("vi"):
        submit_label = gettext("Submit to %(workflow_name)s") % {"workflow_name": WORKFLOW_NAME}
    assert submit_label != f"Submit to {WORKFLOW_NAME}"
    open_action_menu(page)
    with page.expect_navigation():
        page.get_by_role("button", name=submit_label).click()
    # A new Page has live=True until Wagtail's create view saves it, so ItemPage.clean()
    # applies the publish rule (without the form's many-to-many values) and refuses it.
    assert admin_errors(page) == [], "sending for approval was refused"
    expect(page.locator(".messages .success")).to_be_visible()

    item = RadioSegmentPage.objects.get(title=TITLE)
    assert not item.live
    state = item.current_workflow_state
    assert state is not None and state.workflow.name == WORKFLOW_NAME
    assert state.current_task_state.task.name == TASKS[0][0]
    assert item.get_latest_revision_as_object().audio.title == "Bản ghi trẻ em vùng cao"

    # Anonymous visitors cannot see it yet.
    logout(page)
    assert page.goto(live_server.url + item.url).status == 404

    # The editor approves the first task, the approver the second (which publishes).
    for username, role in (("bientap", "editor"), ("lanhdao", "approver")):
        make_user(username, role)
        login(page, live_server.url, username)
        page.goto(f"{live_server.url}/admin/pages/{item.pk}/edit/")
        open_action_menu(page)
        with page.expect_navigation():
            page.locator(
                "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
            ).click()
        assert admin_errors(page) == [], f"{username} could not approve"
        expect(page.locator(".messages .success")).to_be_visible()
        logout(page)

    item.refresh_from_db()
    assert item.live
    assert item.current_workflow_state is None
    response = page.goto(live_server.url + item.url)
    assert response is not None and response.status == 200
    assert item.url.startswith("/vi/phat-thanh/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text("Phóng sự về quyền học tập của trẻ em.")
    page.screenshot(path=str(artifacts / "workflow-published.png"), full_page=True)


def test_reporter_saves_an_incomplete_new_draft(
    live_server: Any, page: Page, make_user: Any, section: Any
) -> None:
    """docs/decisions.md: "Reporters may save incomplete drafts" - also a brand-new page."""
    make_user("phongvien", "reporter")
    login(page, live_server.url, "phongvien")
    page.goto(f"{live_server.url}/admin/pages/add/content/radiosegmentpage/{section.pk}/")
    page.fill("#id_title", "Bản nháp chưa đủ thông tin")
    page.locator("#id_title").press("Tab")  # the slug is filled in from the title on blur
    expect(page.locator("#id_slug")).not_to_have_value("")
    with page.expect_navigation():
        page.locator("footer button[type=submit]:visible").first.click()  # "Save draft"
    assert admin_errors(page) == [], "the draft was refused (ItemPage.clean on a new page)"
    draft = RadioSegmentPage.objects.get(title="Bản nháp chưa đủ thông tin")
    assert not draft.live
    assert draft.missing_metadata()  # still incomplete, and that is fine for a draft
