"""Keep the archive index current: publish, unpublish and every saved revision (drafts are
searchable in the admin), and taxonomy renames. Deleting a page deletes its rows through
the foreign key."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_migrate, post_save, pre_save
from wagtail.models import Page, Revision
from wagtail.signals import page_published, page_unpublished

from cms.search.indexing import safely_index
from cms.search.models import IndexScope, SearchDocument


def on_page_published(sender: Any, instance: Page, **kwargs: Any) -> None:
    safely_index(instance)


def on_page_unpublished(sender: Any, instance: Page, **kwargs: Any) -> None:
    """Drop the public row only.

    Wagtail also sends this signal from ``pre_delete`` of a live page, unpublishing it
    without saving (``commit=False``) while Django's deletion collector is half-way
    through deleting the page and, by cascade, its index rows and tags. Touching those
    rows then left a tag row pointing at a deleted document. The saved row tells the two
    cases apart: a real unpublish has saved ``live=False`` before the signal; a deletion
    has not, and the cascade removes everything.
    """
    if Page.objects.filter(pk=instance.pk, live=True).exists():
        return
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


def _term_facet(sender: Any) -> str | None:
    """The ``facet_keys`` facet of a taxonomy whose names are indexed as metadata text
    (see ``cms.search.indexing.metadata_text``)."""
    from cms.taxonomy.models import ProducingUnit, ProductType, Topic

    return {Topic: "topic", ProductType: "product_type", ProducingUnit: "producing_unit"}.get(
        sender
    )


def on_term_pre_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _term_facet(sender) is None or instance.pk is None:
        return
    instance._search_previous = (
        sender.objects.filter(pk=instance.pk).values_list("code", "name").first()
    )


def affected_pages(facet: str, codes: list[str]) -> list[int]:
    """Item pages indexed with any of the term ``codes`` (in either scope)."""
    condition = Q()
    for code in codes:
        key = f"{facet}:{code}"
        # Keys are separated by single spaces; match a whole key, not a prefix of one.
        condition |= (
            Q(facet_keys=key)
            | Q(facet_keys__startswith=f"{key} ")
            | Q(facet_keys__endswith=f" {key}")
            | Q(facet_keys__contains=f" {key} ")
        )
    return sorted(set(SearchDocument.objects.filter(condition).values_list("page_id", flat=True)))


def on_term_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A renamed topic, product type or producing unit: its name is in the metadata text
    of every item using it, in every language, so those items are reindexed (in the
    background: a topic can have thousands)."""
    facet = _term_facet(sender)
    previous = getattr(instance, "_search_previous", None)
    if facet is None or created or previous is None:
        return
    if previous == (instance.code, instance.name):
        return
    codes = sorted({previous[0], instance.code})
    page_ids = affected_pages(facet, codes)
    if page_ids:
        from cms.search.tasks import reindex_pages

        transaction.on_commit(lambda: reindex_pages.enqueue(page_ids))


def connect(app_config: AppConfig) -> None:
    """Called from ``SearchConfig.ready`` (the taxonomy models are loaded by then)."""
    from cms.taxonomy.models import ProducingUnit, ProductType, Topic

    for model in (Topic, ProductType, ProducingUnit):
        uid = f"archive_search_{model._meta.model_name}"
        pre_save.connect(on_term_pre_save, sender=model, dispatch_uid=f"{uid}_pre_save")
        post_save.connect(on_term_saved, sender=model, dispatch_uid=f"{uid}_saved")
    page_published.connect(on_page_published, dispatch_uid="archive_search_published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="archive_search_unpublished")
    post_save.connect(on_revision_saved, sender=Revision, dispatch_uid="archive_search_revision")
    post_migrate.connect(fill_empty_index, sender=app_config, dispatch_uid="archive_search_fill")


def fill_empty_index(sender: Any, **kwargs: Any) -> None:
    """After ``migrate``: an empty index next to existing items (first deployment of this
    app, or a restored database) is filled, so search works without a manual step."""
    from cms.search.indexing import item_models, rebuild

    if SearchDocument.objects.exists():
        return
    if Page.objects.type(*item_models()).exists():
        rebuild()
