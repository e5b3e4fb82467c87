"""Keep the OAI-PMH catalogue current when items are published, unpublished or deleted,
when a view restriction is added to or removed from a page (every item below it), and when
a subtree moves (into or out of a restricted section).

Work runs after the transaction commits (wagtail-localize itself publishes translations
in on-commit hooks, so the item is only complete then) and never raises: the export run
re-checks every item anyway.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageLogEntry, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.archive.catalog import sync_safely, sync_subtree
from cms.archive.models import ArchiveEvent, EventOutcome, EventType
from cms.content.models import ItemPage

logger = logging.getLogger(__name__)


def _schedule(instance: Any) -> None:
    key = getattr(instance, "translation_key", None)
    if key is not None and isinstance(instance, ItemPage):
        transaction.on_commit(lambda: sync_safely(key))


@receiver(page_published)
def item_published(sender: type, instance: Any, **kwargs: Any) -> None:
    _schedule(instance)
    if not isinstance(instance, ItemPage):  # a section: its items are public again, or not
        _schedule_subtree(instance.pk)


@receiver(page_unpublished)
def item_unpublished(sender: type, instance: Any, **kwargs: Any) -> None:
    _schedule(instance)
    if not isinstance(instance, ItemPage):
        _schedule_subtree(instance.pk)


@receiver(post_delete)
def item_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    # Sent for each table of the page's model chain: record the most specific one only.
    if isinstance(instance, ItemPage) and type(instance) is instance.specific_class:
        record_deletion(instance)
    _schedule(instance)


def record_deletion(page: ItemPage) -> None:
    """A PREMIS deletion event for a deleted language version (in the same transaction as
    the deletion), by the user Wagtail logged for it, else the CMS itself."""
    entry = (
        PageLogEntry.objects.filter(page_id=page.pk, action="wagtail.delete")
        .select_related("user")
        .order_by("-timestamp", "-pk")
        .first()
    )
    user = entry.user.get_username() if entry is not None and entry.user else ""
    ArchiveEvent.objects.create(
        translation_key=page.translation_key,
        event_type=EventType.DELETION,
        outcome=EventOutcome.SUCCESS,
        object_name=f"page {page.pk} ({page.locale.language_code})",
        detail=f"deleted language version: {page.title}",
        agent=user or "cms",
    )


def _schedule_subtree(page_id: int) -> None:
    def run() -> None:
        page = Page.objects.filter(pk=page_id).first()  # its path after a move
        if page is None:
            return
        try:
            sync_subtree(page)
        except Exception:  # never block the admin; the export run re-checks every item
            logger.exception("could not re-check the items under page %s", page_id)

    transaction.on_commit(run)


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def view_restriction_changed(sender: type, instance: PageViewRestriction, **kwargs: Any) -> None:
    _schedule_subtree(instance.page_id)


@receiver(post_page_move)
def subtree_moved(sender: type, instance: Page, **kwargs: Any) -> None:
    _schedule_subtree(instance.pk)
