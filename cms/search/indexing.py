"""Keep ``SearchDocument`` rows in step with item pages.

Called from the publish/unpublish/revision signals and by ``manage.py
rebuild_archive_index``. Indexing never blocks publishing: a failure is logged and the
rebuild command repairs it.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable
from typing import Any

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from wagtail.models import Page

from cms.content.itemtypes import item_kinds, kind_of
from cms.formats import nfc
from cms.search.areas import AREA_FACET, area_keys
from cms.search.expressions import TsVector
from cms.search.models import (
    SINGLE_FACETS,
    FacetKind,
    IndexScope,
    ItemType,
    SearchDocument,
    SearchTag,
    SearchText,
)
from cms.search.text import term_text, tsvector_literal

logger = logging.getLogger(__name__)

MAX_SUBTITLE_BYTES = 2 * 1024 * 1024
_SUBTITLE_NOISE = re.compile(r"^(WEBVTT.*|\d+|[\d:.,\s]+-->[\d:.,\s]+.*|NOTE.*)$")


def item_models() -> dict[type[Model], str]:
    """The item page models and their ``ItemType`` codes (cms.content.itemtypes)."""
    return {kind.model: ItemType(kind.search_code) for kind in item_kinds()}


def item_type_of(page: Page) -> str | None:
    kind = kind_of(page)
    return ItemType(kind.search_code) if kind is not None else None


def subtitle_text(document: Any) -> str:
    """Cue text of an SRT/WebVTT file, without numbers and timings."""
    if document is None:
        return ""
    from cms.media.subtitles import decode

    try:
        with document.file.open("rb") as handle:
            raw = handle.read(MAX_SUBTITLE_BYTES)
        text = decode(raw)
    except (OSError, ValueError):
        logger.warning("Subtitles of document %s could not be read for search", document.pk)
        return ""
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not _SUBTITLE_NOISE.match(line))


def body_text(page: Any) -> str:
    """Scripts, transcripts, subtitles and captions: what a listener or viewer hears/reads."""
    parts: list[str] = []
    kind = kind_of(page)
    if kind is not None:
        parts.append(kind.text(page))
        if kind.subtitles_field:
            parts.append(subtitle_text(kind.subtitles(page)))
        parts.extend(kind.described_text(page))
    parts.append(page.credits)
    return "\n".join(nfc(part) for part in parts if part)


def _codes(related: Any) -> list[str]:
    return sorted({term.code for term in related.all()})


def metadata_text(topic_codes: list[str], product_type: str, producing_unit: str) -> str:
    """Names of the item's terms in every language, so a visitor finds an item by a topic
    name in their own language."""
    from cms.taxonomy.models import ProducingUnit, ProductType, Topic

    names: list[str] = list(
        Topic.objects.filter(code__in=topic_codes).values_list("name", flat=True)
    )
    if product_type:
        names += ProductType.objects.filter(code=product_type).values_list("name", flat=True)
    if producing_unit:
        names += ProducingUnit.objects.filter(code=producing_unit).values_list("name", flat=True)
    return "\n".join(dict.fromkeys(names))


def is_original_version(page: Page) -> bool:
    """The first-created page of a translation group is the original language version."""
    first = (
        Page.objects.filter(translation_key=page.translation_key)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return first is None or first == page.pk


def product_date(page: Any) -> datetime.date | None:
    """The date a product counts on in reports and date filters.

    The original language version counts on its production date (mandatory metadata).
    A translation counts on the day it was first published: it is new work done then,
    and its production date is synchronised from the original, so using it would put a
    Khmer version made in December into a June report that has already been sent.
    """
    published = (
        timezone.localtime(page.first_published_at).date() if page.first_published_at else None
    )
    if page.production_date and is_original_version(page):
        produced: datetime.date = page.production_date
        return produced
    return published or page.production_date


def build(page: Any, scope: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Field values of the ``SearchDocument`` and its ``(facet, value)`` tags."""
    item_type = item_type_of(page)
    if item_type is None:
        raise TypeError(f"{type(page).__name__} is not a registered item type")
    topics = _codes(page.topics)
    channels = _codes(page.channels)
    units = sorted({str(unit.pk) for unit in page.coverage.all()})
    product_type = page.product_type.code if page.product_type_id else ""
    producing_unit = page.producing_unit.code if page.producing_unit_id else ""
    title, summary = nfc(page.title), nfc(page.summary)
    keywords = nfc(page.keywords)
    body = body_text(page)
    metadata = metadata_text(topics, product_type, producing_unit)
    weighted = [(title, "A"), (summary, "B"), (keywords, "B"), (metadata, "C"), (body, "D")]
    fields: dict[str, Any] = {
        "translation_key": page.translation_key,
        "language": page.locale.language_code,
        "item_type": item_type,
        "product_type": product_type,
        "producing_unit": producing_unit,
        "bulletin_class": getattr(page, "bulletin_class", "") or "",
        "access_level": page.access_level or "public",
        "live": bool(page.live),
        "date": product_date(page),
        "published_at": page.last_published_at or page.first_published_at,
        "title": title[:255],
    }
    text: dict[str, Any] = {
        "summary": summary,
        "body": body,
        "folded_terms": term_text(text for text, _weight in weighted),
        "exact_terms": term_text((text for text, _weight in weighted), folded=False),
    }
    if connection.vendor == "postgresql":
        fields["vector"] = TsVector(tsvector_literal(weighted))
        text["exact_vector"] = TsVector(tsvector_literal(weighted, folded=False))
    tags: list[tuple[str, str]] = [(FacetKind.TOPIC, code) for code in topics]
    tags += [(FacetKind.CHANNEL, code) for code in channels]
    tags += [(FacetKind.UNIT, pk) for pk in units]
    # today's units whose area filter finds this item (counted, never a SearchTag)
    areas = [(AREA_FACET, str(pk)) for pk in sorted(area_keys(int(pk) for pk in units))]
    fields["facet_keys"] = facet_keys(fields, tags + areas)
    fields["text"] = text
    return fields, tags


def facet_keys(fields: dict[str, Any], tags: list[tuple[str, str]]) -> str:
    """The ``facet:value`` words of ``SearchDocument.facet_keys`` (values never contain
    spaces: codes are slugs, units are primary keys)."""
    keys = [f"{name}:{fields[name]}" for name in SINGLE_FACETS]
    keys += [f"{facet}:{value}" for facet, value in tags]
    return " ".join(key.replace(" ", "_") for key in keys)


def _write(page: Any, scope: str) -> None:
    fields, tags = build(page, scope)
    text = fields.pop("text")
    document, _created = SearchDocument.objects.update_or_create(
        page_id=page.pk, scope=scope, defaults=fields
    )
    SearchText.objects.update_or_create(document=document, defaults=text)
    document.tags.all().delete()
    SearchTag.objects.bulk_create(
        SearchTag(document=document, facet=facet, value=value) for facet, value in tags
    )


def index_page(page: Page, revision: Any = None) -> bool:
    """(Re)index one page in both scopes; returns False for pages that are not items.

    ``revision`` is a revision being saved: Wagtail updates the page's pointer to its
    latest revision only after the revision's ``post_save``, so the caller passes it.
    """
    # The page row holds the live state; drafts live in revisions.
    specific = Page.objects.get(pk=page.pk).specific
    if item_type_of(specific) is None:
        return False
    with transaction.atomic():
        if specific.live:
            _write(specific, IndexScope.LIVE)
        else:
            SearchDocument.objects.filter(page_id=page.pk, scope=IndexScope.LIVE).delete()
        latest = specific
        if revision is not None:
            latest = revision.as_object()
        elif specific.has_unpublished_changes and specific.latest_revision_id:
            latest = specific.get_latest_revision_as_object()
        _write(latest, IndexScope.LATEST)
    return True


def safely_index(page: Page, revision: Any = None) -> None:
    """Index a page without letting an indexing bug stop the save or publish that called
    it: the index rows are written in a savepoint (the request is one transaction) and
    rolled back alone on failure. A lost database is not an indexing bug: it propagates, and
    the whole request is rolled back."""
    try:
        with transaction.atomic():
            index_page(page, revision)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception("Search index update failed for page %s", page.pk)


def rebuild(pages: Iterable[Page] | None = None) -> int:
    """Reindex every item page (or the given ones); removes rows of pages that are gone."""
    count = 0
    if pages is None:
        pages = Page.objects.type(*item_models()).order_by("path").iterator()
    for page in pages:
        if index_page(page):
            count += 1
    return count
