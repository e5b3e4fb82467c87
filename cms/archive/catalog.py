"""Keeps ``ArchiveItem`` (the OAI-PMH catalogue) in step with the published items.

Called after every publish, unpublish and delete (see ``signal_handlers``) and by every
export run, which re-checks each item, so a missed signal heals at the next export.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from cms.archive.models import ArchiveItem, ArchiveItemSet
from cms.archive.profile import (
    Item,
    canonical_json,
    load_item,
    oai_sets,
    readiness_of,
    record_code,
    validate,
    validated_record,
)

logger = logging.getLogger(__name__)


def sync_item(
    translation_key: uuid.UUID | str,
    item: Item | None = None,
    record: dict[str, Any] | None = None,
) -> ArchiveItem | None:
    """Bring one item's catalogue row up to date; returns it (None if never catalogued).

    An item that is not export-ready is not catalogued (a row already there keeps its last
    good record); an item with no live version becomes a persistent deleted record.
    The datestamp moves only when the record's content (or the deleted flag) changes.
    """
    key = uuid.UUID(str(translation_key))
    if item is None:
        item = load_item(key)
    existing = ArchiveItem.objects.filter(translation_key=key).first()
    if item is None:
        if existing is not None and not existing.deleted:
            existing.deleted = True
            existing.datestamp = timezone.now()
            existing.save(update_fields=["deleted", "datestamp"])
        return existing
    if record is None:
        if readiness_of(item):
            return existing
        record, _files = validated_record(item)
    digest = hashlib.sha256(canonical_json(record)).hexdigest()
    if existing is not None and existing.metadata_digest == digest and not existing.deleted:
        return existing
    validate(record)  # never publish a record the schema refuses
    with transaction.atomic():
        row, _created = ArchiveItem.objects.update_or_create(
            translation_key=key,
            defaults={
                "record_code": record_code(item.primary),
                "title": item.primary.title[:255],
                "metadata": record,
                "metadata_digest": digest,
                "deleted": False,
                "datestamp": timezone.now(),
            },
        )
        specs = set(oai_sets(record))
        current = set(row.sets.values_list("spec", flat=True))
        row.sets.filter(spec__in=current - specs).delete()
        ArchiveItemSet.objects.bulk_create(
            [ArchiveItemSet(item=row, spec=spec) for spec in sorted(specs - current)]
        )
    return row


def sync_safely(translation_key: uuid.UUID | str) -> None:
    """For signal handlers: a catalogue problem must never block publishing."""
    try:
        sync_item(translation_key)
    except Exception:
        logger.exception("could not update the archive catalogue for item %s", translation_key)
