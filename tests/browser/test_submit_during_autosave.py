"""A reporter clicks "Gửi duyệt" while the autosave still shows "Đang lưu…" (issue 14, item 13).

Before: on a new page the autosave had already made the page on the server, but its answer
(which turns the form into the edit form) had not arrived; the click posted the form to the
create view again, which refused it ("Đường dẫn … đã được dùng") and left the autosaved page
behind as an orphan draft. The autosave's answer is held back here with Playwright routing
(the request itself reaches the server) until after the click.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, Route, expect

from cms.editorial.roles import WORKFLOW_NAME

from .conftest import admin_errors, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

TITLE = "Nước sạch cho đồng bào vùng cao"


def complete_values(master: Any) -> dict[str, list[str]]:
    """Form values (by field name) of a radio segment that may be sent for approval."""
    from cms.taxonomy.models import (
        AdministrativeUnit,
        Audience,
        Channel,
        ProducingUnit,
        ProductType,
        Topic,
    )

    def vi(model: Any, code: str) -> str:
        return str(model.objects.get(code=code, locale__language_code="vi").pk)

    return {
        "title": [TITLE],
        "slug": ["nuoc-sach-cho-dong-bao-vung-cao"],
        "summary": ["Phóng sự về nước sạch"],
        "audio": [str(master.pk)],
        "product_type": [vi(ProductType, "radio_report")],
        "producing_unit": [vi(ProducingUnit, "so-tu-phap")],
        "topics": [vi(Topic, "crc")],
        "audiences": [vi(Audience, "children")],
        "channels": [vi(Channel, "commune-loudspeaker")],
        "coverage": [str(AdministrativeUnit.objects.get(code="P2025-20").pk)],
        "funding_source": ["state_budget"],
        "rights": ["cc_by_4"],
        "retention_period": ["permanent"],
        "access_level": ["public"],
        "production_date": ["01/10/2025"],
    }


# Sets values without input events, so that no autosave starts while the form is filled.
FILL_SILENTLY = """values => {
  const form = document.querySelector('form[data-edit-form]');
  for (const [name, wanted] of Object.entries(values)) {
    for (const element of form.querySelectorAll(`[name="${name}"]`)) {
      if (element.tagName === 'SELECT') {
        for (const option of element.options) option.selected = wanted.includes(option.value);
      } else if (element.type === 'checkbox' || element.type === 'radio') {
        element.checked = wanted.includes(element.value);
      } else {
        element.value = wanted[0];
      }
    }
  }
}"""


def test_submit_while_autosaving_makes_one_page_in_the_workflow(
    live_server: Any, page: Page, make_user: Any, section: Any, master_factory: Any, artifacts: Any
) -> None:
    from cms.content.models import RadioSegmentPage

    master = master_factory("vi_segment_48k_stereo.wav", title="Bản ghi nước sạch")
    make_user("phongvien", "reporter")
    login(page, live_server.url, "phongvien")
    add_url = f"{live_server.url}/admin/pages/add/content/radiosegmentpage/{section.pk}/"

    held: list[tuple[Route, Any]] = []
    autosaves: list[str] = []
    submissions: list[str] = []

    def hold_autosave_answer(route: Route) -> None:
        request = route.request
        if request.method == "POST" and request.headers.get("accept") != "application/json":
            submissions.append(request.url)  # the form itself, posted to the create view
        if request.method != "POST" or request.headers.get("accept") != "application/json":
            route.continue_()
            return
        autosaves.append(request.url)
        # the server gets the request (and makes the page); the browser waits for the answer
        held.append((route, route.fetch()))

    page.route(add_url, hold_autosave_answer)
    page.goto(add_url)
    page.evaluate(FILL_SILENTLY, complete_values(master))
    # Typing starts an autosave, once the editor watches the form for changes.
    for word in ["", "cho", "đồng", "bào", "vùng", "cao", "ở", "xã", "Cao", "Lộc"]:
        page.locator("#id_summary").press_sequentially(f" {word}")
        for _ in range(20):
            if held:
                break
            page.wait_for_timeout(100)
        if held:
            break
    assert held, "no autosave was sent"
    # The page now exists on the server; the browser still shows "Đang lưu…".
    assert RadioSegmentPage.objects.filter(title=TITLE).count() == 1
    expect(page.locator("#w-autosave-indicator")).to_have_attribute(
        "data-w-autosave-state-value", "saving"
    )

    with translation.override("vi"):
        submit_label = gettext("Submit to %(workflow_name)s") % {"workflow_name": WORKFLOW_NAME}
    page.locator("footer [data-w-dropdown-target=toggle]:visible").first.click()
    page.get_by_role("button", name=submit_label).click()
    page.wait_for_timeout(500)  # a submission that does not wait is sent at once
    page.screenshot(path=str(artifacts / "autosave-submit-while-saving.png"))
    assert submissions == [], "the form went to the create view while the autosave was pending"
    expect(page.locator("form[data-edit-form]")).to_have_attribute("data-waiting-for-autosave", "")

    route, response = held.pop()
    body = json.loads(response.body())
    assert body["success"], body
    route.fulfill(response=response)
    # the held submission leaves once the autosave's answer has made this the edit form,
    # and lands in the section's listing with Wagtail's message
    page.wait_for_url(f"{live_server.url}/admin/pages/{section.pk}/", timeout=30_000)
    assert admin_errors(page) == [], "the submission was refused"
    expect(page.locator(".messages .success")).to_be_visible()
    page.screenshot(path=str(artifacts / "autosave-submitted.png"), full_page=True)

    pages = RadioSegmentPage.objects.filter(title=TITLE)
    assert pages.count() == 1, "an orphan draft was left behind"
    item = pages.get()
    assert item.slug == "nuoc-sach-cho-dong-bao-vung-cao"
    state = item.current_workflow_state
    assert state is not None and state.workflow.name == WORKFLOW_NAME
    assert len(autosaves) == 1, autosaves
    assert submissions == [], "the submission went to the create view, not the page's edit view"
