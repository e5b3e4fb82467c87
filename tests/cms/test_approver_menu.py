"""The page editor's action menu under the workflow, as each person sees it (issue 14,
item 17); the journey itself is tests/browser/test_approver_journey.py."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from cms.content.models import RadioSegmentPage
from cms.editorial.roles import TASKS
from tests.cms.search.conftest import add_item

pytestmark = pytest.mark.django_db


def footer_labels(html: str) -> list[str]:
    """The labels of the editor footer's buttons, main button first, in order."""
    footer = re.search(r"<footer.*?</footer>", html, re.S)
    assert footer, "no editor footer"
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", footer.group(0), re.S)
    labels = [re.sub(r"<[^>]+>|\s+", " ", b).strip() for b in buttons]
    return [label for label in labels if label]


@pytest.fixture
def submitted(section: Any, master_factory: Any, make_user: Any) -> Any:
    master = master_factory("vi_speech.ogg")
    item = add_item(
        section,
        RadioSegmentPage(title="Tin nước sạch", slug="tin-nuoc-sach", audio=master),
        publish=False,
        production_date=datetime.date(2025, 10, 1),
    )
    item.get_workflow().start(item, make_user("phongvien", "reporter"))
    return item


def test_each_step_has_one_primary_action_and_cancelling_last(
    client: Any, make_user: Any, submitted: Any
) -> None:
    url = f"/admin/pages/{submitted.pk}/edit/"
    approver = make_user("lanhdao", "approver")
    # At the editors' step the page is locked for the approver (Wagtail's workflow lock):
    # no way to publish past the editors.
    client.force_login(approver)
    labels = footer_labels(client.get(url).content.decode())
    assert "Xuất bản" not in labels and "Duyệt và xuất bản" not in labels, labels

    client.force_login(make_user("bientap", "editor"))
    labels = footer_labels(client.get(url).content.decode())
    assert labels[0] == f"Duyệt, chuyển sang bước {TASKS[1][0]}", labels
    assert labels[-1] == "Hủy quy trình duyệt", labels
    state = submitted.current_workflow_state
    state.current_task_state.approve(user=make_user("bientap2", "editor"))

    client.force_login(approver)
    labels = footer_labels(client.get(url).content.decode())
    assert labels[0] == "Duyệt và xuất bản", labels
    assert "Xuất bản" not in labels and "Duyệt" not in labels, labels
    assert labels[-1] == "Hủy quy trình duyệt", labels

    # The reporter who submitted it keeps cancelling as the main button of a locked page.
    client.force_login(submitted.current_workflow_state.requested_by)
    labels = footer_labels(client.get(url).content.decode())
    assert labels[0] == "Hủy quy trình duyệt", labels
