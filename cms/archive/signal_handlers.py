"""Keep the OAI-PMH catalogue current when items are published, unpublished or deleted.

Work runs after the transaction commits (wagtail-localize itself publishes translations
in on-commit hooks, so the item is only complete then) and never raises: the export run
re-checks every item anyway.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from cms.archive.catalog import sync_safely
from cms.content.models import ItemPage


def _schedule(instance: Any) -> None:
    key = getattr(instance, "translation_key", None)
    if key is not None and isinstance(instance, ItemPage):
        transaction.on_commit(lambda: sync_safely(key))


@receiver(page_published)
def item_published(sender: type, instance: Any, **kwargs: Any) -> None:
    _schedule(instance)


@receiver(page_unpublished)
def item_unpublished(sender: type, instance: Any, **kwargs: Any) -> None:
    _schedule(instance)


@receiver(post_delete)
def item_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    _schedule(instance)
