"""Keeps ``ArchiveItem`` (the OAI-PMH catalogue) in step with the published items.

Called after every publish, unpublish and delete, every view restriction added or removed
and every move (see ``signal_handlers``), and by every export run, which re-checks each
item, so a missed signal heals at the next export. OAI-PMH also checks, for each record it
serves, that the item still has a public version (``withheld_keys``).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from cms.archive.items import Item, item_pages, load_item
from cms.archive.metadata_profile import validate
from cms.archive.models import ArchiveItem, ArchiveItemSet
from cms.archive.readiness import readiness_of
from cms.archive.record import canonical_json, oai_sets, record_code, validated_record
from cms.content.visibility import public_pages

logger = logging.getLogger(__name__)


def public_part(item: Item | None) -> Item | None:
    """The item as the public may see it: only its public language versions
    (``cms.content.visibility``), or None when none is public."""
    if item is None:
        return None
    shown = set(
        public_pages(
            Page.objects.filter(pk__in=[version.pk for version in item.versions])
        ).values_list("pk", flat=True)
    )
    versions = [version for version in item.versions if version.pk in shown]
    return Item(item.translation_key, versions) if versions else None


def withheld_keys(keys: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Of these items, the ones whose pages exist but none is public now, for OAI-PMH to
    answer as deleted even before the catalogue row is brought up to date (a restriction
    or an expiry the signals did not report). An item with no page at all (deleted) is
    the catalogue's to say: deleting a page updates its row."""
    wanted = set(keys)
    if not wanted:
        return set()
    pages = item_pages().filter(translation_key__in=wanted)
    existing = set(pages.values_list("translation_key", flat=True))
    shown = set(public_pages(pages).values_list("translation_key", flat=True))
    return existing - shown


def sync_item(
    translation_key: uuid.UUID | str,
    item: Item | None = None,
    record: dict[str, Any] | None = None,
) -> ArchiveItem | None:
    """Bring one item's catalogue row up to date; returns it (None if never catalogued).

    The catalogue is what OAI-PMH serves, so its record is made of the item's *public*
    versions only (live, not expired, no view restriction, access level public). An item
    with no public version (withdrawn, restricted, internal, behind a password) becomes a
    persistent deleted record, so harvesters learn that it is gone; one that was never
    public gets a hidden row (no record, never shown by OAI-PMH) only when the archive
    export needs one for its versions. ``item`` and ``record`` are the whole live item and
    its export record (the export run passes them); the record is reused when every live
    version is public. An item that is not export-ready is not catalogued (a row already
    there keeps its last good record). The datestamp moves only when the record's content
    (or the deleted flag) changes.
    """
    key = uuid.UUID(str(translation_key))
    if item is None:
        item = load_item(key)
    existing = ArchiveItem.objects.filter(translation_key=key).first()
    shown = public_part(item)
    if shown is None:
        if existing is not None and not existing.deleted:
            existing.deleted = True
            existing.datestamp = timezone.now()
            existing.save(update_fields=["deleted", "datestamp"])
        if existing is None and item is not None and record is not None:
            # The export run archives a non-public item too (with its access level): it
            # needs the row for the item's versions, which OAI-PMH never shows.
            existing = ArchiveItem.objects.create(
                translation_key=key,
                record_code=record_code(item.primary),
                title=item.primary.title[:255],
                deleted=True,
            )
        return existing
    if item is None:  # public_part(None) is None: handled above
        raise RuntimeError(f"item {key}: public versions of no item")
    if record is None or len(shown.versions) != len(item.versions):
        if readiness_of(shown):
            return existing
        record, _files = validated_record(shown)
    digest = hashlib.sha256(canonical_json(record)).hexdigest()
    if existing is not None and existing.metadata_digest == digest and not existing.deleted:
        return existing
    validate(record)  # never publish a record the schema refuses
    with transaction.atomic():
        row, _created = ArchiveItem.objects.update_or_create(
            translation_key=key,
            defaults={
                "record_code": record_code(shown.primary),
                "title": shown.primary.title[:255],
                "metadata": record,
                "metadata_digest": digest,
                "deleted": False,
                "datestamp": timezone.now(),
            },
        )
        # A set the record leaves is kept as a former membership (never deleted), so once
        # the record is deleted it is still announced in every set it ever was in.
        specs = set(oai_sets(record))
        row.sets.exclude(spec__in=specs).filter(current=True).update(current=False)
        row.sets.filter(spec__in=specs, current=False).update(current=True)
        known = set(row.sets.values_list("spec", flat=True))
        ArchiveItemSet.objects.bulk_create(
            [ArchiveItemSet(item=row, spec=spec) for spec in sorted(specs - known)]
        )
    return row


INLINE_SUBTREE = 50


def sync_subtree(page: Page) -> None:
    """Re-check every item in a page's subtree (a view restriction added or removed
    there, or the subtree moved). A large subtree (a restriction on a whole section) is
    handed to the worker; until it runs, OAI-PMH already answers its items as deleted
    (``withheld_keys``), only their datestamps wait."""
    keys = sorted(
        {
            str(key)
            for key in item_pages()
            .descendant_of(page, inclusive=True)
            .values_list("translation_key", flat=True)
        }
    )
    if len(keys) > INLINE_SUBTREE:
        from cms.archive.tasks import sync_items

        sync_items.enqueue(keys)
        return
    for key in keys:
        sync_safely(key)


def sync_safely(translation_key: uuid.UUID | str) -> None:
    """For signal handlers: a catalogue problem must never block publishing."""
    try:
        sync_item(translation_key)
    except Exception:
        logger.exception("could not update the archive catalogue for item %s", translation_key)
