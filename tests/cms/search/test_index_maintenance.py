"""The index follows deletions and taxonomy renames."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from wagtail.models import Page

from cms.content.models import RadioSegmentPage
from cms.search.models import SearchDocument, SearchTag, SearchText
from cms.search.signal_handlers import affected_pages
from cms.taxonomy.models import Topic

from .conftest import add_item, translate

pytestmark = pytest.mark.django_db


def _item(section: Page, master: Any, slug: str, **metadata: Any) -> Any:
    return add_item(
        section,
        RadioSegmentPage(title=f"Quyền trẻ em {slug}", slug=slug, audio=master, script="Lời"),
        **metadata,
    )


def _assert_no_rows(page_ids: list[int]) -> None:
    assert not SearchDocument.objects.filter(page_id__in=page_ids).exists()
    assert not SearchTag.objects.filter(document__page_id__in=page_ids).exists()
    # No orphans of any deleted document either (the foreign keys are checked at commit,
    # which a test's rolled-back transaction never reaches: check them now).
    documents = SearchDocument.objects.values("pk")
    assert not SearchTag.objects.exclude(document_id__in=documents).exists()
    assert not SearchText.objects.exclude(document_id__in=documents).exists()
    connection.check_constraints()


@pytest.mark.parametrize("how", ["base_page", "specific_page"])
def test_deleting_a_live_item_page(client: Any, section: Page, master: Any, how: str) -> None:
    page = _item(section, master, "xoa")
    assert SearchDocument.objects.filter(page_id=page.pk, scope="live").exists()
    assert SearchTag.objects.filter(document__page_id=page.pk).exists()
    target = Page.objects.get(pk=page.pk)
    (target if how == "base_page" else target.specific).delete()
    assert not Page.objects.filter(pk=page.pk).exists()
    _assert_no_rows([page.pk])
    assert "data-total" in client.get("/vi/search/", {"q": "quyen tre em xoa"}).content.decode()
    assert "Quyền trẻ em xoa" not in client.get("/vi/search/", {"q": "xoa"}).content.decode()


def test_deleting_a_section_with_live_items_and_translations(section: Page, master: Any) -> None:
    first = _item(section, master, "mot")
    second = _item(section, master, "hai")
    khmer = translate(first, "km", title="សិទ្ធិកុមារ")
    ids = [first.pk, second.pk]
    Page.objects.get(pk=section.pk).delete()
    _assert_no_rows(ids)
    # The Khmer version lives under the Khmer tree and stays indexed.
    assert SearchDocument.objects.filter(page_id=khmer.pk, scope="live").exists()


def test_renamed_topic_reindexes_the_items_using_it(
    client: Any, section: Page, master: Any, django_capture_on_commit_callbacks: Any
) -> None:
    using = _item(section, master, "dung", topics=("crc",))
    khmer = translate(using, "km", title="សិទ្ធិកុមារ")
    other = _item(section, master, "khac", topics=("gender-equality",))
    assert (
        "Quyền trẻ em dung" not in client.get("/vi/search/", {"q": "tre vung cao"}).content.decode()
    )
    before = SearchDocument.objects.get(page_id=other.pk, scope="live").updated_at

    topic = Topic.objects.get(code="crc", locale__language_code="vi")
    topic.name = "Quyền trẻ em vùng cao"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        topic.save()
    assert len(callbacks) == 1  # one background job for every affected item

    body = client.get("/vi/search/", {"q": "tre em vung cao"}).content.decode()
    assert "Quyền trẻ em dung" in body
    # The Khmer version carries the topic too and finds it by the new Vietnamese name.
    assert "សិទ្ធិកុមារ" in body
    assert SearchDocument.objects.get(page_id=other.pk, scope="live").updated_at == before
    assert khmer.pk in affected_pages("topic", ["crc"])
    assert other.pk not in affected_pages("topic", ["crc"])


def test_saving_a_topic_unchanged_enqueues_nothing(
    section: Page, master: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _item(section, master, "giu", topics=("crc",))
    topic = Topic.objects.get(code="crc", locale__language_code="vi")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        topic.save()
    assert callbacks == []
