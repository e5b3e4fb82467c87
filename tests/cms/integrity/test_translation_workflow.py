"""Translations go through the same two-step workflow as every page (issue 13, finding 1).

Every request here is made over HTTP with the role's own session and a real CSRF token.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from wagtail.models import Page
from wagtail_localize.models import StringSegment, Translation

from cms.content.demo import translate
from cms.content.models import RadioSegmentPage
from tests.cms.conftest import complete_metadata

pytestmark = pytest.mark.django_db

SOURCE_TITLE = "Quyền trẻ em ở thôn bản"
KHMER_TITLE = "សិទ្ធិកុមារនៅតាមភូមិ"
FORGED_TITLE = "ព័ត៌មានក្លែងក្លាយ"


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def session(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def public_title(page: Page) -> str:
    response = Client().get(page.get_url())
    assert response.status_code == 200, page.get_url()
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match, "no heading on the public page"
    return match.group(1).strip()


class Story:
    def __init__(self, source: RadioSegmentPage, km: RadioSegmentPage, tyz: RadioSegmentPage):
        self.source = source
        self.km = km
        self.tyz = tyz

    @property
    def translation(self) -> Translation:
        return Translation.objects.get(
            source__object_id=self.source.translation_key, target_locale=self.km.locale
        )

    def title_segment(self) -> StringSegment:
        return self.translation.source.stringsegment_set.get(context__path="title")

    def fresh(self, page: Page) -> RadioSegmentPage:
        return RadioSegmentPage.objects.get(pk=page.pk)


@pytest.fixture
def story(
    home: Page, section: Page, master_factory: Any, django_capture_on_commit_callbacks: Any
) -> Story:
    """A published Vietnamese segment with published Khmer and Tày translations."""
    audio_vi = master_factory("vi_speech.ogg", "vi", SOURCE_TITLE)
    audio_km = master_factory("vi_phone_8k_mono.wav", "km", f"{SOURCE_TITLE} (km)")
    audio_tyz = master_factory("vi_phone_8k_mono.wav", "tyz", f"{SOURCE_TITLE} (tyz)")
    source = RadioSegmentPage(title=SOURCE_TITLE, slug="quyen-tre-em", audio=audio_vi, live=False)
    section.add_child(instance=source)
    complete_metadata(source)
    with django_capture_on_commit_callbacks(execute=True):
        source.save_revision().publish()
        for language, audio, title in (
            ("km", audio_km, KHMER_TITLE),
            ("tyz", audio_tyz, f"{SOURCE_TITLE} (Tày)"),
        ):
            for parent in (home, section):
                translate(parent, language, {}, {}, None)
            translate(source, language, {SOURCE_TITLE: title}, {"audio": audio.pk}, None)
    km = RadioSegmentPage.objects.get(
        translation_key=source.translation_key, locale__language_code="km"
    )
    tyz = RadioSegmentPage.objects.get(
        translation_key=source.translation_key, locale__language_code="tyz"
    )
    assert km.live and tyz.live
    return Story(source, km, tyz)


def put_string(client: Client, token: str, story: Story, value: str) -> Any:
    url = (
        f"/admin/localize/translate/{story.translation.pk}/strings/{story.title_segment().pk}/edit/"
    )
    return client.put(
        url,
        urlencode({"value": value}),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_CSRFTOKEN=token,
    )


def test_translator_cannot_publish_through_update_translations(
    story: Story, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    translator = session(make_user("biendich", "translator"))
    live_before = {p.pk: story.fresh(p).live_revision_id for p in (story.km, story.tyz)}
    assert public_title(story.km) == KHMER_TITLE

    editor = translator.get(f"/admin/pages/{story.km.pk}/edit/")
    assert editor.status_code == 200
    token = csrf_token(editor.content.decode())
    assert put_string(translator, token, story, FORGED_TITLE).status_code in (200, 201)

    update_url = f"/admin/localize/update/{story.translation.source_id}/"
    form = translator.get(update_url)
    with django_capture_on_commit_callbacks(execute=True):
        translator.post(
            update_url,
            {
                "csrfmiddlewaretoken": csrf_token(form.content.decode()),
                "publish_translations": "on",
            },
        )

    assert public_title(story.km) == KHMER_TITLE
    for page in (story.km, story.tyz):
        assert story.fresh(page).live_revision_id == live_before[page.pk]


def editor_props(html: str) -> dict[str, Any]:
    import html as html_module
    import json

    match = re.search(r'class="js-translation-editor" data-props="([^"]*)"', html)
    assert match, "no translation editor on the page"
    return json.loads(html_module.unescape(match.group(1)))


def dashboard_awaiting(client: Client) -> str:
    """The "awaiting your review" panel of the dashboard, as its HTML."""
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def approve(client: Client, page: Page) -> Any:
    page = Page.objects.get(pk=page.pk)
    state = page.current_workflow_state
    assert state is not None and state.current_task_state is not None
    url = f"/admin/pages/workflow/action/{page.pk}/approve/{state.current_task_state.pk}/"
    token = csrf_token(client.get(f"/admin/pages/{page.pk}/edit/").content.decode())
    return client.post(url, {"csrfmiddlewaretoken": token, "comment": ""})


def test_translator_submits_and_only_the_approver_publishes(
    story: Story, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    translator = session(make_user("biendich", "translator"))
    editor = session(make_user("bientap", "editor"))
    approver = session(make_user("lanhdao", "approver"))
    new_title = "សិទ្ធិកុមារនៅតាមភូមិ (កែសម្រួល)"

    page = translator.get(f"/admin/pages/{story.km.pk}/edit/")
    html = page.content.decode()
    # The translator's screen offers "Gửi duyệt", in the page and in the editor's props.
    assert 'name="action-submit"' in html and "Gửi duyệt" in html
    props = editor_props(html)
    assert [a["label"] for a in props["workflow"]["actions"]] == ["Lưu bản nháp", "Gửi duyệt"]
    assert props["perms"]["canPublish"] is False and props["workflow"]["canPublish"] is False

    token = csrf_token(html)
    assert put_string(translator, token, story, new_title).status_code in (200, 201)
    with django_capture_on_commit_callbacks(execute=True):
        response = translator.post(
            f"/admin/pages/{story.km.pk}/edit/",
            {"csrfmiddlewaretoken": token, "action-submit": "1"},
        )
    assert response.status_code == 302
    km = story.fresh(story.km)
    assert km.current_workflow_state is not None
    assert km.get_latest_revision_as_object().title == new_title
    assert public_title(story.km) == KHMER_TITLE  # submitted is not published

    # The translator cannot approve their own submission.
    with django_capture_on_commit_callbacks(execute=True):
        approve(translator, story.km)
    assert story.fresh(story.km).current_workflow_state.current_task_state.task.name == "Biên tập"
    assert public_title(story.km) == KHMER_TITLE

    # First step: the editors review it.
    assert new_title in dashboard_awaiting(editor)
    assert new_title not in dashboard_awaiting(approver)
    with django_capture_on_commit_callbacks(execute=True):
        assert approve(editor, story.km).status_code == 302
    assert public_title(story.km) == KHMER_TITLE

    # Second step: the approvers; their approval publishes it.
    awaiting = dashboard_awaiting(approver)
    assert "Đang chờ bạn duyệt" in awaiting and new_title in awaiting
    with django_capture_on_commit_callbacks(execute=True):
        assert approve(approver, story.km).status_code == 302
    assert public_title(story.km) == new_title
    assert story.fresh(story.km).live_revision.user.username == "biendich"


def test_translator_cannot_publish_from_the_translation_editor(
    story: Story, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user("biendich", "translator")
    translator = session(user)
    live_before = story.fresh(story.km).live_revision_id
    token = csrf_token(translator.get(f"/admin/pages/{story.km.pk}/edit/").content.decode())
    put_string(translator, token, story, FORGED_TITLE)
    # A draft revision with the forged title exists (as after "Gửi duyệt"), so every path
    # that publishes the latest revision would put it live.
    story.translation.save_target(user=user, publish=False)
    assert story.fresh(story.km).get_latest_revision_as_object().title == FORGED_TITLE
    with django_capture_on_commit_callbacks(execute=True):
        # The editor's own "Publish in …" action, and Wagtail's edit-form publish action.
        translator.post(
            f"/admin/pages/{story.km.pk}/edit/", {"csrfmiddlewaretoken": token, "action": "publish"}
        )
        translator.post(
            f"/admin/pages/{story.km.pk}/edit/",
            {"csrfmiddlewaretoken": token, "action-publish": "1"},
        )
        # Wagtail's bulk publish action.
        translator.post(
            f"/admin/bulk/wagtailcore/page/publish/?id={story.km.pk}",
            {"csrfmiddlewaretoken": token, "include_descendants": "on"},
        )
        # Turning the translation into an alias would show the source's content live.
        alias = translator.post(
            f"/admin/localize/page/{story.km.pk}/convert_to_alias/",
            {"csrfmiddlewaretoken": token},
        )
    assert alias.status_code in (302, 403)
    km = story.fresh(story.km)
    assert km.alias_of_id is None
    assert km.live_revision_id == live_before
    assert public_title(story.km) == KHMER_TITLE


def test_save_target_refuses_to_publish_for_a_translator(story: Story, make_user: Any) -> None:
    from django.core.exceptions import PermissionDenied

    translator = make_user("biendich", "translator")
    with pytest.raises(PermissionDenied):
        story.translation.save_target(user=translator, publish=True)
    # A draft is fine: that is what "Gửi duyệt" does.
    story.translation.save_target(user=translator, publish=False)


def test_sync_after_the_source_is_republished_publishes_nothing_for_a_translator(
    story: Story, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    translator = session(make_user("biendich", "translator"))
    approver_user = make_user("lanhdao", "approver")
    source = story.fresh(story.source)
    source.summary += " Cập nhật số liệu mới."
    with django_capture_on_commit_callbacks(execute=True):
        source.save_revision(user=approver_user).publish(user=approver_user)
    live_before = {p.pk: story.fresh(p).live_revision_id for p in (story.km, story.tyz)}

    token = csrf_token(translator.get(f"/admin/pages/{story.km.pk}/edit/").content.decode())
    put_string(translator, token, story, FORGED_TITLE)
    update_url = f"/admin/localize/update/{story.translation.source_id}/"
    form = translator.get(update_url)
    assert "Bạn không có quyền xuất bản các bản dịch này" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = translator.post(
            update_url,
            {
                "csrfmiddlewaretoken": csrf_token(form.content.decode()),
                "publish_translations": "on",
            },
        )
    assert response.status_code == 302  # synced, not published
    for page in (story.km, story.tyz):
        assert story.fresh(page).live_revision_id == live_before[page.pk]
    assert public_title(story.km) == KHMER_TITLE
    assert "Cập nhật số liệu mới" not in Client().get(story.km.get_url()).content.decode()


def test_a_user_who_may_publish_syncs_and_publishes(
    story: Story, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Syncing needs submit_translation (translators, content administrators); publishing
    # the synced translations needs the publish permission on them (administrators).
    approver = session(make_user("quantri", "administrator"))
    update_url = f"/admin/localize/update/{story.translation.source_id}/"
    form = approver.get(update_url)
    with django_capture_on_commit_callbacks(execute=True):
        response = approver.post(
            update_url,
            {
                "csrfmiddlewaretoken": csrf_token(form.content.decode()),
                "publish_translations": "on",
            },
        )
    assert response.status_code == 302
    km = story.fresh(story.km)
    assert km.live_revision.user.username == "quantri"
    assert public_title(story.km) == KHMER_TITLE
