"""The JSON-LD record of an item: built from its versions and planned bag files, validated
against the metadata profile's schema, serialised, and sorted into OAI-PMH sets.

The record is deterministic: it contains nothing that changes when nothing changed (no
export time, no signed URLs, no "last published" time), so its digest tells whether an
item needs a new archival version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.db.models.fields.files import FieldFile
from wagtail.models import Locale, Page

from cms.archive import conf
from cms.archive.files import BagFilePlan, MediaFile, plan_bag_files
from cms.archive.items import Item, provider_province, provinces_of
from cms.archive.metadata_profile import (
    AGGREGATION_KEY,
    BCP47,
    CONTEXT,
    DC_ELEMENTS,
    DCMI_TYPES,
    DCMITYPE,
    RIGHTS_URIS,
    organisation_iri,
    place_iri,
    validate,
)
from cms.content.itemtypes import kind_of
from cms.content.models import ItemPage
from cms.i18n.languages import ISO639_3
from cms.taxonomy.models import AdministrativeUnit


def record_code(page: ItemPage) -> str:
    """The Circular 05/2025 record code: the editor's, or one derived from the item's
    translation key (never from editable fields, so it cannot change after export)."""
    if page.record_code.strip():
        return page.record_code.strip()
    prefix = conf.get("RECORD_CODE_PREFIX")
    return f"{prefix}.{page.translation_key.hex[:12].upper()}"


def stable_url(url: str) -> str:
    """An absolute URL without a query string (signed S3 URLs expire and change)."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    absolute = urljoin(base.rstrip("/") + "/", url) if url.startswith("/") else url
    parts = urlsplit(absolute)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def file_url(source: FieldFile | None) -> str:
    if source is None or not source.name:
        return ""
    try:
        return stable_url(source.storage.url(source.name))
    except Exception:  # a storage without public URLs
        return ""


def page_url(page: Page) -> str:
    url = page.get_full_url() or page.get_url() or ""
    return stable_url(url) if url else ""


def lang_value(value: str, language: str) -> dict[str, str]:
    return {"@value": value, "@language": BCP47.get(language, language)}


def _term(term: Any) -> dict[str, str]:
    return {"code": term.code, "name": term.name}


def _organisation(kind: str, code: str, name: str) -> dict[str, str]:
    """An EDM (data) provider: a ``foaf:Organization`` with an IRI and its name."""
    return {
        "@id": organisation_iri(kind, code),
        "@type": "foaf:Organization",
        "code": code,
        "name": name,
    }


def _unit(unit: AdministrativeUnit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "validFrom": unit.valid_from.isoformat() if unit.valid_from else None,
        "validUntil": unit.valid_until.isoformat() if unit.valid_until else None,
        "successors": sorted(s.code for s in unit.successors.all()),
    }


def split_keywords(text: str) -> list[str]:
    return [k.strip() for k in re.split(r"[,;\n]", text or "") if k.strip()]


@dataclass
class RecordParts:
    """What every part of the record is built from: the item, its planned bag files, and the
    shared metadata of its primary (default-language) version, each queried once."""

    item: Item
    files: list[MediaFile]
    by_language: dict[str, list[str]]
    named: dict[str, dict[str, Any]]
    primary: ItemPage
    product_type: Any
    media_kind: str
    unit: Any
    province: AdministrativeUnit | None
    #: term languages from one query, not one per term (the export is database-bound)
    locale_codes: dict[int, str]
    topics: list[Any]
    audiences: list[Any]
    channels: list[Any]
    coverage: list[AdministrativeUnit]
    cooperating: list[Any]
    code: str
    item_id: str
    start: Any
    end: Any
    rights_uri: str
    parent: Page | None

    @classmethod
    def of(cls, item: Item, bag_file_plan: BagFilePlan) -> RecordParts:
        files, by_language, named = bag_file_plan
        primary = item.primary
        product_type = primary.product_type
        return cls(
            item=item,
            files=files,
            by_language=by_language,
            named=named,
            primary=primary,
            product_type=product_type,
            media_kind=product_type.media_kind if product_type else "TEXT",
            unit=primary.producing_unit,
            province=provider_province(primary),
            locale_codes=dict(Locale.objects.values_list("pk", "language_code")),
            topics=list(primary.topics.all().order_by("code")),
            audiences=list(primary.audiences.all().order_by("code")),
            channels=list(primary.channels.all().order_by("code")),
            coverage=list(primary.coverage.all().order_by("code")),
            cooperating=list(primary.cooperating_units.all().order_by("code")),
            code=record_code(primary),
            item_id=f"urn:uuid:{item.translation_key}",
            start=primary.production_date,
            end=primary.end_date or primary.production_date,
            rights_uri=RIGHTS_URIS.get(primary.rights, ""),
            parent=primary.get_parent(),
        )

    def term_value(self, term: Any) -> dict[str, str]:
        """A taxonomy term's name tagged with its own locale's language."""
        return lang_value(term.name, self.locale_codes[term.locale_id])


def build_record(item: Item, bag_file_plan: BagFilePlan | None = None) -> dict[str, Any]:
    """The JSON-LD record of an item (not yet validated: see ``validated_record``)."""
    parts = RecordParts.of(
        item, bag_file_plan if bag_file_plan is not None else plan_bag_files(item)
    )
    primary, parent, coverage = parts.primary, parts.parent, parts.coverage
    record: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": parts.item_id,
        "@type": "edm:ProvidedCHO",
        "cms:translationKey": str(item.translation_key),
        "cms:collection": {"title": parent.title, "urlPath": parent.url_path} if parent else None,
        "dcterms:created": primary.first_published_at.isoformat()
        if primary.first_published_at
        else None,
        **{f"dc:{name}": values for name, values in dublin_core(parts).items()},
        "dcterms:spatial": [
            {
                "@id": place_iri(covered.code),
                "@type": "edm:Place",
                "code": covered.code,
                "name": covered.name,
            }
            for covered in coverage
        ],
        "edm:type": parts.media_kind,
        AGGREGATION_KEY: edm_aggregation(parts),
        "arc:record": archival_fields(parts),
        "cms:tags": tags(parts),
        "cms:versions": version_entries(parts),
        "cms:files": [f.describe() for f in parts.files],
    }
    return record


# --- Dublin Core: one builder per element that needs more than one line ------------------


def dublin_core(parts: RecordParts) -> dict[str, list[Any]]:
    """All 15 Dublin Core elements, each a list of language-tagged literals or IRIs."""
    versions = parts.item.versions
    dc: dict[str, list[Any]] = {name: [] for name in DC_ELEMENTS}
    dc["title"] = [lang_value(v.title, _language(v)) for v in versions]
    dc["creator"] = _producer(parts)
    dc["subject"] = _dc_subject(parts)
    dc["description"] = [lang_value(v.summary, _language(v)) for v in versions if v.summary]
    dc["publisher"] = _producer(parts)
    dc["contributor"] = [
        *(lang_value(v.credits, _language(v)) for v in versions if v.credits),
        *(parts.term_value(other) for other in parts.cooperating),
    ]
    dc["date"] = _dc_date(parts)
    dc["type"] = _dc_type(parts)
    dc["format"] = sorted({f.mime for f in parts.files if f.role in ("master", "image")})
    dc["identifier"] = [
        parts.code,
        parts.item_id,
        *({"@id": url} for url in map(page_url, versions) if url),
    ]
    dc["source"] = [
        Path(media.path).name
        for media in parts.files
        if media.role == "master" and media.source is not None
    ]
    dc["language"] = [BCP47.get(_language(v), _language(v)) for v in versions]
    dc["relation"] = _dc_relation(parts)
    dc["coverage"] = _dc_coverage(parts)
    dc["rights"] = _dc_rights(parts)
    return dc


def _language(version: ItemPage) -> str:
    code: str = version.locale.language_code
    return code


def _producer(parts: RecordParts) -> list[Any]:
    return [parts.term_value(parts.unit)] if parts.unit is not None else []


def _dc_subject(parts: RecordParts) -> list[Any]:
    """The versions' keywords in their languages, then the topics."""
    subjects = [
        lang_value(keyword, _language(version))
        for version in parts.item.versions
        for keyword in split_keywords(version.keywords)
    ]
    return subjects + [parts.term_value(topic) for topic in parts.topics]


def _dc_date(parts: RecordParts) -> list[Any]:
    start, end = parts.start, parts.end
    if not start:
        return []
    return [start.isoformat() if end == start else f"{start}/{end}"]


def _dc_type(parts: RecordParts) -> list[Any]:
    types: list[Any] = [{"@id": f"{DCMITYPE}{DCMI_TYPES.get(parts.media_kind, 'Text')}"}]
    if parts.product_type is not None:
        types.append(parts.term_value(parts.product_type))
    return types


def _dc_relation(parts: RecordParts) -> list[Any]:
    parent_url = page_url(parts.parent) if parts.parent is not None else ""
    return [{"@id": parent_url}] if parent_url else []


def _dc_coverage(parts: RecordParts) -> list[Any]:
    coverage: list[Any] = []
    for covered in parts.coverage:
        # Units of different times may share a name (Lạng Sơn before and after the 2025
        # merger): the name once; each unit is a place of its own in dcterms:spatial.
        if lang_value(covered.name, "vi") not in coverage:
            coverage.append(lang_value(covered.name, "vi"))
    kind = kind_of(parts.primary)
    window = kind.schedule(parts.primary) if kind is not None else None
    if window is not None:
        start, until = window
        coverage.append(f"{start.isoformat()}/{until.isoformat() if until else ''}")
    return coverage


def _dc_rights(parts: RecordParts) -> list[Any]:
    rights: list[Any] = []
    if parts.primary.rights:
        rights.append(lang_value(str(parts.primary.get_rights_display()), "vi"))
    if parts.rights_uri:
        rights.append({"@id": parts.rights_uri})
    return rights


# --- EDM, Circular 05/2025, the project's tags, the language versions ---------------------


def edm_aggregation(parts: RecordParts) -> dict[str, Any]:
    """EDM: one aggregation per CHO, with one isShownAt and one isShownBy.

    The item is one CHO with language-tagged literals (docs/archive.md, "EDM modelling"):
    its first version (the default language when live) is shown at its page and by its
    access copy; the other versions' access copies are further views of the same object.
    """
    primary, files, unit, province = parts.primary, parts.files, parts.unit, parts.province
    shown_by = _shown_by(primary, files, parts.by_language.get(_language(primary), []))
    views: list[str] = []
    for version in parts.item.versions[1:]:
        view = _shown_by(version, files, parts.by_language.get(_language(version), []))
        if view and view != shown_by and view not in views:
            views.append(view)
    shown_at = page_url(primary)
    return {
        "@id": f"{parts.item_id}#aggregation",
        "@type": "ore:Aggregation",
        "edm:aggregatedCHO": {"@id": parts.item_id},
        "edm:dataProvider": _organisation("producing-unit", unit.code, unit.name) if unit else None,
        "edm:provider": _organisation("province", province.code, province.name)
        if province
        else None,
        "edm:rights": {"@id": parts.rights_uri} if parts.rights_uri else None,
        "edm:isShownAt": {"@id": shown_at} if shown_at else None,
        "edm:isShownBy": {"@id": shown_by} if shown_by else None,
        "edm:hasView": [{"@id": view} for view in views],
    }


def archival_fields(parts: RecordParts) -> dict[str, Any]:
    """The archival record's fields of Circular 05/2025/TT-BNV."""
    primary, start, end = parts.primary, parts.start, parts.end
    documents = [
        f for f in parts.files if f.role in ("master", "subtitles", "image", "poster", "text")
    ]
    return {
        "arc:recordCode": parts.code,
        "arc:title": primary.title,
        "arc:retentionPeriod": primary.retention_period,
        "arc:accessLevel": primary.access_level,
        "arc:languages": [ISO639_3.get(lang, lang) for lang in parts.item.languages],
        "arc:startDate": start.isoformat() if start else None,
        "arc:endDate": end.isoformat() if end else None,
        "arc:keywords": sorted(
            {k for v in parts.item.versions for k in split_keywords(v.keywords)}
            | {t.code for t in parts.topics}
        ),
        "arc:documentCount": len(documents),
        "arc:producingUnit": _term(parts.unit) if parts.unit else None,
    }


def tags(parts: RecordParts) -> dict[str, Any]:
    """The project's own tags (taxonomy terms, languages, places, channels)."""
    primary, product_type, province = parts.primary, parts.product_type, parts.province
    return {
        "cms:topics": [_term(t) for t in parts.topics],
        "cms:productType": {**_term(product_type), "mediaKind": parts.media_kind}
        if product_type
        else None,
        "cms:audiences": [_term(a) for a in parts.audiences],
        "cms:languages": [
            {"code": lang, "bcp47": BCP47.get(lang, lang), "iso639_3": ISO639_3.get(lang, lang)}
            for lang in parts.item.languages
        ],
        "cms:coverage": [_unit(u) for u in parts.coverage],
        "cms:provinces": sorted(
            {p.code for u in parts.coverage for p in provinces_of(u)}
            | ({province.code} if province else set())
        ),
        "cms:funding": primary.funding_source or None,
        "cms:channels": [{**_term(c), "isDigital": c.is_digital} for c in parts.channels],
        "cms:bulletinClass": _bulletin_class(primary),
        "cms:cooperatingUnits": [_term(u) for u in parts.cooperating],
    }


def version_entries(parts: RecordParts) -> list[dict[str, Any]]:
    """One entry per language version: its page, its files, its type-specific fields."""
    entries = []
    for version in parts.item.versions:
        lang = _language(version)
        entries.append(
            {
                "language": lang,
                "bcp47": BCP47.get(lang, lang),
                "pageType": version.specific_class._meta.label_lower,
                "title": version.title,
                "summary": version.summary,
                "url": page_url(version),
                "issued": version.first_published_at.isoformat()
                if version.first_published_at
                else None,
                "files": [f"data/{p}" for p in parts.by_language.get(lang, [])],
                "keywords": version.keywords,
                "credits": version.credits,
                "fields": {**parts.named.get(lang, {}), **_page_fields(version)},
            }
        )
    return entries


def _page_fields(page: ItemPage) -> dict[str, Any]:
    """Type-specific fields, so ``import_archive`` can restore the page from its bag."""
    kind = kind_of(page)
    return kind.record_fields(page) if kind is not None else {}


def _bulletin_class(page: ItemPage) -> str | None:
    kind = kind_of(page)
    return kind.bulletin_class(page) if kind is not None else None


def _shown_by(version: ItemPage, files: list[MediaFile], paths: list[str]) -> str:
    """The best access copy: a web rendition, else the master; an image for exhibitions."""
    mine = [f for f in files if f.path in paths]
    for wanted in ("web_video", "web_audio"):
        for media in mine:
            if media.role == "rendition" and media.profile == wanted:
                return file_url(media.source)
    for role in ("master", "image", "poster"):
        for media in mine:
            if media.role == role:
                return file_url(media.source)
    return ""


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def pretty_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def unvalidated_record(item: Item) -> tuple[dict[str, Any], list[MediaFile]]:
    bag_file_plan = plan_bag_files(item)
    return build_record(item, bag_file_plan), bag_file_plan[0]


def validated_record(item: Item) -> tuple[dict[str, Any], list[MediaFile]]:
    record, files = unvalidated_record(item)
    validate(record)
    return record, files


def oai_sets(record: dict[str, Any]) -> list[str]:
    """Set specs an item belongs to, parents included (OAI-PMH set hierarchy)."""
    tags = record["cms:tags"]
    specs: set[str] = set()
    for topic in tags["cms:topics"]:
        specs.add(f"topic:{topic['code']}")
    for province in tags["cms:provinces"]:
        specs.add(f"province:{province}")
    for language in tags["cms:languages"]:
        specs.add(f"language:{language['code']}")
    if tags["cms:productType"]:
        specs.add(f"type:{tags['cms:productType']['code']}")
    specs |= {spec.split(":", 1)[0] for spec in specs}
    return sorted(specs)
