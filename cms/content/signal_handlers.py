"""Signal handlers, wired in ``ContentConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from wagtail.models import Page


@receiver(pre_save)
def keep_child_count_true(sender: type, instance: Any, **kwargs: Any) -> None:
    """Never let a stale page object overwrite the tree's child count.

    wagtail-localize publishes translations in ``on_commit`` hooks from a page object
    loaded earlier in the request. When a translator's request also creates a child of
    that page (translating a page copies its untranslated parents), the stale object
    saves ``numchild=0`` and the new child becomes unreachable (404). The count is
    recomputed from the tree itself on every save of an existing page.
    """
    if kwargs.get("raw") or not isinstance(instance, Page) or not instance.pk or not instance.path:
        return  # fixtures and test-database restores load the tree as it was saved
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "numchild" not in update_fields:
        return
    instance.numchild = Page.objects.filter(
        path__startswith=instance.path, depth=instance.depth + 1
    ).count()


def _item_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    """An item's subtitles, title or in/out points may have changed: its master's
    renditions are scheduled again (only those whose inputs changed are made again)."""
    if kwargs.get("raw"):
        return
    from cms.content.media_inputs import schedule_item_renditions

    schedule_item_renditions(instance)


def _document_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    """A subtitle file replaced in the documents library: the videos that burn it in."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    from cms.content.itemtypes import item_kinds
    from cms.content.media_inputs import schedule_item_renditions

    for kind in item_kinds():
        if kind.subtitles_field and kind.master_field:
            pages = kind.model._default_manager.filter(**{kind.subtitles_field: instance})
            for page in pages.select_related(kind.master_field):
                schedule_item_renditions(page)


def connect() -> None:
    from cms.content.itemtypes import item_kinds
    from cms.content.media_inputs import rendition_inputs
    from cms.media.inputs import register_provider
    from cms.media.models import CustomDocument

    register_provider(rendition_inputs)
    for kind in item_kinds():
        if kind.master_field:
            model = kind.model
            uid = f"schedule-item-{model.__name__}"
            post_save.connect(_item_saved, sender=model, dispatch_uid=uid)
    post_save.connect(_document_saved, sender=CustomDocument, dispatch_uid="schedule-subtitles")
