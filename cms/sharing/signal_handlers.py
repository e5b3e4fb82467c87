"""Publishing an item renders its share card in the background (``cms.sharing.cards``)."""

from __future__ import annotations

from typing import Any

from wagtail.models import Page
from wagtail.signals import page_published


def on_page_published(sender: Any, instance: Page, **kwargs: Any) -> None:
    from cms.content.models import ItemPage
    from cms.sharing.cards import schedule

    if isinstance(instance, ItemPage):
        schedule(instance)


page_published.connect(on_page_published, dispatch_uid="sharing_card_on_publish")
