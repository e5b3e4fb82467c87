"""A translation's media override names media of its own language that the translator may
see (issue 13, finding 2). Over HTTP with the translator's session and CSRF token."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.test.client import MULTIPART_CONTENT, encode_multipart
from wagtail.models import Page
from wagtail_localize.models import SegmentOverride, Translation

from cms.content.models import RadioSegmentPage, VideoPage
from cms.media.models import CustomDocument, MediaMaster
from tests.cms.conftest import draft_translation
from tests.cms.integrity.test_translation_workflow import csrf_token, session

pytestmark = pytest.mark.django_db

SRT = b"1\n00:00:00,000 --> 00:00:01,000\nXin chao\n"


@pytest.fixture
def translator(make_user: Any) -> Any:
    return make_user("biendich", "translator")


@pytest.fixture
def radio(home: Page, section: Page, master_factory: Any) -> Translation:
    audio_vi = master_factory("vi_speech.ogg", "vi", "Bản tin sáng")
    page = RadioSegmentPage(title="Bản tin sáng", slug="ban-tin-sang", audio=audio_vi, live=False)
    return draft_translation(home, section, page)


def document(title: str, language: str, user: Any = None) -> CustomDocument:
    doc = CustomDocument(title=title, language=language, uploaded_by_user=user)
    doc.file.save(f"{title}.srt", ContentFile(SRT))
    return doc


def put_override(client: Client, translation: Translation, path: str, value: Any) -> Any:
    segment = translation.source.overridablesegment_set.get(context__path=path)
    url = f"/admin/localize/translate/{translation.pk}/overrides/{segment.pk}/edit/"
    token = csrf_token(
        client.get(f"/admin/pages/{translation.get_target_instance().pk}/edit/").content.decode()
    )
    # As the editor sends it: multipart FormData with the CSRF header.
    return client.generic(
        "PUT",
        url,
        encode_multipart("BoUnDaRy", {"value": str(value)}),
        content_type=MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", "BoUnDaRy"),
        HTTP_X_CSRFTOKEN=token,
    )


def stored(translation: Translation, path: str) -> list[str]:
    return list(
        SegmentOverride.objects.filter(
            locale=translation.target_locale, context__path=path
        ).values_list("data_json", flat=True)
    )


def test_another_languages_master_is_refused(radio, translator, master_factory) -> None:
    client = session(translator)
    tay = master_factory("vi_phone_8k_mono.wav", "tyz", "Bản tin sáng (Tày)")
    MediaMaster.objects.filter(pk=tay.pk).update(uploaded_by=translator)
    response = put_override(client, radio, "audio", tay.pk)
    assert response.status_code == 400
    assert "không phải ngôn ngữ của bản dịch" in response.json()["error"]
    assert stored(radio, "audio") == []
    # The source's own Vietnamese master too.
    vietnamese = radio.source.get_source_instance().audio_id
    assert put_override(client, radio, "audio", vietnamese).status_code == 400
    assert stored(radio, "audio") == []


def test_a_master_the_translator_may_not_see_is_refused(
    radio, translator, make_user, master_factory, section
) -> None:
    # Another reporter's Khmer recording, so far only on an unpublished draft.
    reporter = make_user("phongvien", "reporter")
    draft_master = master_factory("vi_phone_8k_mono.wav", "km", "Bản nháp chưa duyệt")
    MediaMaster.objects.filter(pk=draft_master.pk).update(uploaded_by=reporter)
    draft = RadioSegmentPage(title="Nháp", slug="nhap", audio=draft_master, live=False)
    section.add_child(instance=draft)
    response = put_override(session(translator), radio, "audio", draft_master.pk)
    assert response.status_code == 400
    assert "Bạn không được dùng tư liệu gốc" in response.json()["error"]
    assert stored(radio, "audio") == []
    # Only in a draft revision of another page: its row still has the other recording.
    revised = master_factory("vi_phone_8k_mono.wav", "km", "Bản sửa chưa duyệt")
    MediaMaster.objects.filter(pk=revised.pk).update(uploaded_by=reporter)
    draft.audio = revised
    draft.save_revision()
    draft.audio = draft_master
    draft.save()
    response = put_override(session(translator), radio, "audio", revised.pk)
    assert response.status_code == 400
    assert stored(radio, "audio") == []
    # A pk that does not exist, or is not a number.
    assert put_override(session(translator), radio, "audio", 999999).status_code == 400
    assert put_override(session(translator), radio, "audio", "1 OR 1=1").status_code == 400
    assert stored(radio, "audio") == []


def test_the_translators_own_khmer_master_is_accepted(
    radio, translator, master_factory, django_capture_on_commit_callbacks
) -> None:
    client = session(translator)
    khmer = master_factory("vi_phone_8k_mono.wav", "km", "Bản tin sáng (Khmer)")
    MediaMaster.objects.filter(pk=khmer.pk).update(uploaded_by=translator)
    response = put_override(client, radio, "audio", khmer.pk)
    assert response.status_code in (200, 201), response.content
    assert [json.loads(value) for value in stored(radio, "audio")] == [str(khmer.pk)]
    # Submitted for review, the draft revision uses it; the live page is not touched.
    page_id = radio.get_target_instance().pk
    token = csrf_token(client.get(f"/admin/pages/{page_id}/edit/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/pages/{page_id}/edit/", {"csrfmiddlewaretoken": token, "action-submit": "1"}
        )
    draft = RadioSegmentPage.objects.get(pk=page_id).get_latest_revision_as_object()
    assert draft.audio_id == khmer.pk


def test_a_khmer_master_no_page_uses_yet_is_accepted(radio, translator, master_factory) -> None:
    """A fresh recording in the library (uploaded by someone else, e.g. the studio)."""
    khmer = master_factory("vi_phone_8k_mono.wav", "km", "Bản ghi tiếng Khmer")
    response = put_override(session(translator), radio, "audio", khmer.pk)
    assert response.status_code in (200, 201), response.content
    assert [json.loads(value) for value in stored(radio, "audio")] == [str(khmer.pk)]


def test_subtitles_must_be_in_the_translations_language(
    home, section, translator, django_capture_on_commit_callbacks
) -> None:
    vi_subtitles = document("phu-de-vi", "vi")
    video = VideoPage(title="Video thử", slug="video-thu", subtitles=vi_subtitles, live=False)
    translation = draft_translation(home, section, video)
    client = session(translator)

    other = document("phu-de-vi-2", "vi", translator)
    response = put_override(client, translation, "subtitles", other.pk)
    assert response.status_code == 400
    assert "Hãy chọn phụ đề" in response.json()["error"]
    assert stored(translation, "subtitles") == []

    khmer = document("phu-de-km", "km", translator)
    assert put_override(client, translation, "subtitles", khmer.pk).status_code in (200, 201)
    assert [json.loads(v) for v in stored(translation, "subtitles")] == [str(khmer.pk)]


def test_an_override_saved_by_another_path_is_checked_too(radio, master_factory) -> None:
    """PO import, scripts and the demo loader save SegmentOverride rows directly."""
    from wagtail_localize.models import TranslationContext

    context = TranslationContext.objects.get(object_id=radio.source.object_id, path="audio")
    tay = master_factory("vi_phone_8k_mono.wav", "tyz", "Tày")
    with pytest.raises(ValidationError):
        SegmentOverride.objects.create(
            locale=radio.target_locale, context=context, data_json=json.dumps(tay.pk)
        )
    assert stored(radio, "audio") == []
    khmer = master_factory("vi_phone_8k_mono.wav", "km", "Khmer")
    SegmentOverride.objects.create(
        locale=radio.target_locale, context=context, data_json=json.dumps(khmer.pk)
    )
    assert stored(radio, "audio") == [json.dumps(khmer.pk)]


def test_the_urlencoded_form_is_checked_as_well(radio, translator, master_factory) -> None:
    client = session(translator)
    tay = master_factory("vi_phone_8k_mono.wav", "tyz", "Tày")
    segment = radio.source.overridablesegment_set.get(context__path="audio")
    token = csrf_token(
        client.get(f"/admin/pages/{radio.get_target_instance().pk}/edit/").content.decode()
    )
    response = client.put(
        f"/admin/localize/translate/{radio.pk}/overrides/{segment.pk}/edit/",
        urlencode({"value": tay.pk}),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400
    assert stored(radio, "audio") == []
