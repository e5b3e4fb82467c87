"""Which translations no longer match their source.

A synced translation (wagtail-localize) is out of date when its source page was
published after the translation source was last synced ("Sync translated pages" not run
yet). A manual translation is out of date when the source was published after the
translation was last saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wagtail.models import Page
from wagtail_localize.models import Translation


@dataclass(frozen=True)
class TranslationStatus:
    page: Page
    source: Page
    synced: bool
    source_changed_at: datetime | None
    translated_at: datetime | None

    @property
    def outdated(self) -> bool:
        if self.source_changed_at is None or self.translated_at is None:
            return False
        return self.source_changed_at > self.translated_at


def status(page: Page) -> TranslationStatus | None:
    """None for a page that is itself a source (or has no source translation)."""
    translation = (
        Translation.objects.filter(
            source__object_id=page.translation_key, target_locale_id=page.locale_id
        )
        .select_related("source")
        .first()
    )
    if translation is not None:
        source = translation.source.get_source_instance()
        if not isinstance(source, Page) or source.pk == page.pk:
            return None
        return TranslationStatus(
            page=page,
            source=source,
            synced=True,
            source_changed_at=source.last_published_at,
            translated_at=translation.source.last_updated_at,
        )
    if page.locale.language_code == "vi":
        return None
    source = page.get_translations().filter(locale__language_code="vi").first()
    if source is None:
        return None
    return TranslationStatus(
        page=page,
        source=source,
        synced=False,
        source_changed_at=source.last_published_at,
        translated_at=page.latest_revision_created_at,
    )


def outdated_translations(limit: int = 500) -> list[TranslationStatus]:
    found = []
    for page in Page.objects.exclude(locale__language_code="vi").filter(depth__gt=2)[:limit]:
        result = status(page)
        if result is not None and result.outdated:
            found.append(result)
    return found
