"""Nothing is published without approval and without its mandatory metadata."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from cms.content.models import RadioSegmentPage
from cms.editorial.roles import WORKFLOW_NAME

from .conftest import complete_metadata


def new_segment(section, master=None, **fields):
    page = RadioSegmentPage(
        title="Quyền trẻ em", slug="quyen-tre-em", audio=master, live=False, **fields
    )
    section.add_child(instance=page)
    page.save_revision()
    return page


@pytest.mark.django_db
def test_publish_is_refused_naming_the_missing_metadata(section) -> None:
    page = new_segment(section)
    with pytest.raises(ValidationError) as caught:
        page.get_latest_revision().publish()
    text = " ".join(caught.value.messages)
    for label in ("Chủ đề", "Đơn vị chủ trì", "Bản ghi gốc", "Thời hạn bảo quản"):
        assert label in text
    assert not Page.objects.get(pk=page.pk).live


@pytest.mark.django_db
def test_complete_item_can_be_published(section, master_factory) -> None:
    page = new_segment(section, master_factory("vi_segment_48k_stereo.wav"))
    complete_metadata(page)
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.live
    assert page.duration and page.duration > 10


@pytest.mark.django_db
def test_admin_publish_button_shows_missing_fields(client, make_user, section) -> None:
    page = new_segment(section)
    client.force_login(make_user("lanhdao", "approver"))
    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        {"title": page.title, "slug": page.slug, "bulletin_class": "normal", "action-publish": "1"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chưa thể gửi duyệt hoặc xuất bản" in body
    assert not Page.objects.get(pk=page.pk).live


@pytest.mark.django_db
def test_draft_save_is_allowed_with_missing_metadata(client, make_user, section) -> None:
    page = new_segment(section)
    client.force_login(make_user("phongvien", "reporter"))
    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        {"title": "Bản nháp mới", "slug": page.slug, "bulletin_class": "normal"},
    )
    assert response.status_code == 302
    assert Page.objects.get(pk=page.pk).get_latest_revision_as_object().title == "Bản nháp mới"


@pytest.mark.django_db
def test_two_step_workflow_publishes_only_after_both_approvals(section, master_factory, make_user):
    reporter = make_user("phongvien", "reporter")
    editor = make_user("bientap", "editor")
    approver = make_user("lanhdao", "approver")
    page = new_segment(section, master_factory("vi_segment_48k_stereo.wav"))
    complete_metadata(page)
    page.save_revision(user=reporter)

    assert not page.permissions_for_user(reporter).can_publish()
    workflow = page.get_workflow()
    assert workflow.name == WORKFLOW_NAME
    assert [t.name for t in workflow.tasks] == ["Biên tập", "Phê duyệt"]

    state = workflow.start(page, reporter)
    first = state.current_task_state
    assert first.task.specific.user_can_access_editor(page, editor)
    assert not first.task.specific.user_can_access_editor(page, reporter)
    first.approve(user=editor)
    page.refresh_from_db()
    assert not page.live

    state.refresh_from_db()
    second = state.current_task_state
    assert second.task.name == "Phê duyệt"
    assert not second.task.specific.get_actions(page, editor)
    second.approve(user=approver)
    page.refresh_from_db()
    assert page.live
