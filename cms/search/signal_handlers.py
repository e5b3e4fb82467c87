"""Keep the archive index current: publish, unpublish and every saved revision (drafts are
searchable in the admin). Deleting a page deletes its rows through the foreign key."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from wagtail.models import Page, Revision
from wagtail.signals import page_published, page_unpublished

from cms.search.indexing import safely_index
from cms.search.models import IndexScope, SearchDocument


def on_page_published(sender: Any, instance: Page, **kwargs: Any) -> None:
    safely_index(instance)


def on_page_unpublished(sender: Any, instance: Page, **kwargs: Any) -> None:
    """Drop the public row only. Wagtail also sends this from ``pre_delete`` of a live
    page; rebuilding rows there would leave tags behind the deletion's cascade."""
    SearchDocument.objects.filter(page_id=instance.pk, scope=IndexScope.LIVE).delete()
    SearchDocument.objects.filter(page_id=instance.pk).update(live=False)


def on_revision_saved(sender: Any, instance: Revision, created: bool, **kwargs: Any) -> None:
    if not created or instance.base_content_type_id is None:
        return
    if instance.base_content_type.model_class() is not Page:
        return
    page = Page.objects.filter(pk=instance.object_id).first()
    if page is not None:
        safely_index(page, instance)


def register_signal_handlers() -> None:
    page_published.connect(on_page_published, dispatch_uid="archive_search_published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="archive_search_unpublished")
    post_save.connect(on_revision_saved, sender=Revision, dispatch_uid="archive_search_revision")


def fill_empty_index(sender: Any, **kwargs: Any) -> None:
    """After ``migrate``: an empty index next to existing items (first deployment of this
    app, or a restored database) is filled, so search works without a manual step."""
    from cms.search.indexing import item_models, rebuild

    if SearchDocument.objects.exists():
        return
    if Page.objects.type(*item_models()).exists():
        rebuild()
