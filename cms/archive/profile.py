"""The metadata profile for the shared national database (docs/design.md#metadata-profile).

One JSON-LD record per item: an item is every published language version of one page
(pages sharing a ``translation_key``), so a harvester sees the Khmer and Tày versions of a
radio segment as one archival record with several languages, never as unrelated records.
The record carries Dublin Core (all 15 elements), an EDM-style aggregation, the archival
fields of Circular 05/2025/TT-BNV and the project's own tags, and is validated against
``schema/item.schema.json`` before it leaves the system.

The record is deterministic: it contains nothing that changes when nothing changed (no
export time, no signed URLs, no "last published" time), so its digest tells whether an
item needs a new archival version.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import jsonschema
from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page

from cms.archive import conf
from cms.content.models import ExhibitionPage, ItemPage, RadioSegmentPage, VideoPage
from cms.i18n.languages import LANGUAGES as CONTENT_LANGUAGES
from cms.media.models import MediaMaster, MediaRendition, RenditionStatus
from cms.media.storage import safe_file_name
from cms.taxonomy.models import AdministrativeLevel, AdministrativeUnit

ITEM_MODELS: tuple[type[ItemPage], ...] = (RadioSegmentPage, VideoPage, ExhibitionPage)
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "item.schema.json"
PROFILE_NS = "https://schemas.tuyentruyen.gov.vn/cms/"
CMS_VOCABULARY = f"{PROFILE_NS}terms#"
EDM_SHAPES_PATH = Path(__file__).resolve().parent / "schema" / "edm-shapes.ttl"
DCMITYPE = "http://purl.org/dc/dcmitype/"
# The record is the ProvidedCHO; its aggregation is nested under this key, a JSON-LD
# reverse property: the triple is ``<aggregation> edm:aggregatedCHO <CHO>``, as EDM has it
# (the CHO itself has no property pointing at its aggregation).
AGGREGATION_KEY = "aggregation"
# Keys without a prefix inside the record's objects (files, versions, tags...): each is a
# term of the project vocabulary ``cms:`` (docs/archive.md, "JSON-LD vocabulary"), except
# ``code`` and ``name``, which are SKOS's notation and preferred label, so organisations,
# places and taxonomy terms carry their names in a standard property.
CMS_TERMS = (
    # cms:files
    "path",
    "role",
    "mimeType",
    "language",
    "size",
    "sha256",
    "profile",
    "title",
    # cms:versions
    "bcp47",
    "pageId",
    "pageType",
    "summary",
    "url",
    "issued",
    "files",
    "keywords",
    "credits",
    "fields",
    # cms:versions[].fields (bag paths of a version's files, type-specific fields)
    "master",
    "subtitles",
    "posterImage",
    "transcript",
    "script",
    "items",
    "image",
    "caption",
    "credit",
    "date",
    "place",
    "intro",
    "bulletinClass",
    "airFrom",
    "airUntil",
    # cms:collection, cms:tags
    "urlPath",
    "mediaKind",
    "iso639_3",
    "level",
    "validFrom",
    "validUntil",
    "successors",
    "isDigital",
)
CONTEXT: dict[str, Any] = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "arc": f"{PROFILE_NS}archival#",
    "cms": CMS_VOCABULARY,
    AGGREGATION_KEY: {"@reverse": "edm:aggregatedCHO"},
    "code": "skos:notation",
    "name": "skos:prefLabel",
    **{term: f"cms:{term}" for term in CMS_TERMS},
}


def place_iri(code: str) -> str:
    """The IRI of an administrative unit (an ``edm:Place``), by its stable code."""
    return f"{PROFILE_NS}id/administrative-unit/{code}"


def organisation_iri(kind: str, code: str) -> str:
    """The IRI of a producing unit or a providing province (a ``foaf:Organization``)."""
    return f"{PROFILE_NS}id/{kind}/{code}"


def aggregation_of(record: dict[str, Any]) -> dict[str, Any]:
    """A record's ``ore:Aggregation`` (records exported before issue 15 had it under
    ``edm:aggregation``, which is no EDM term)."""
    aggregation = record.get(AGGREGATION_KEY) or record.get("edm:aggregation") or {}
    return dict(aggregation)


def rights_code(uri: str) -> str:
    """The page's rights choice for a rights URI, in either scheme (records exported
    before issue 15 had ``https://creativecommons.org/...``)."""
    wanted = uri.replace("https://", "http://", 1)
    return next((code for code, known in RIGHTS_URIS.items() if known == wanted), "")


DC_ELEMENTS = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
)
DCMI_TYPES = {"SOUND": "Sound", "VIDEO": "MovingImage", "IMAGE": "StillImage", "TEXT": "Text"}
# Europeana accepts rights statements in their http form only.
RIGHTS_URIS = {
    "all_rights_reserved": "http://rightsstatements.org/vocab/InC/1.0/",
    "cc_by_4": "http://creativecommons.org/licenses/by/4.0/",
    "cc_by_sa_4": "http://creativecommons.org/licenses/by-sa/4.0/",
    "public_domain": "http://creativecommons.org/publicdomain/mark/1.0/",
}
# ISO 639-2/3 codes (the archival field asks for ISO 639; BCP 47 goes in dc:language).
ISO639_3 = {
    "vi": "vie",
    "en": "eng",
    "zh-hans": "zho",
    "km": "khm",
    "tyz": "tyz",
    "nut": "nut",
    "hmn": "hmn",
    "cjm": "cjm",
    "ktv": "ktv",
    "sti": "sti",
}
BCP47 = {lang.code: lang.bcp47 for lang in CONTENT_LANGUAGES}


class RecordInvalid(Exception):
    """The record does not match the JSON Schema; the message names every problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def language_order(code: str) -> int:
    codes = [c for c, _name in settings.LANGUAGES]
    return codes.index(code) if code in codes else len(codes)


@dataclass
class Item:
    """All live language versions of one page, default language first."""

    translation_key: uuid.UUID
    versions: list[ItemPage]

    @property
    def primary(self) -> ItemPage:
        return self.versions[0]

    @property
    def languages(self) -> list[str]:
        return [page.locale.language_code for page in self.versions]


def _specific_versions(pages: Iterable[Page]) -> list[ItemPage]:
    versions = [page.specific for page in pages]
    versions = [page for page in versions if isinstance(page, ITEM_MODELS)]
    versions.sort(key=lambda page: (language_order(page.locale.language_code), page.pk))
    return versions


def item_pages() -> Any:
    return Page.objects.type(*ITEM_MODELS)


def load_item(translation_key: uuid.UUID | str) -> Item | None:
    """The item's live versions, or None when no version is live (withdrawn)."""
    key = uuid.UUID(str(translation_key))
    pages = item_pages().live().filter(translation_key=key).select_related("locale")
    versions = _specific_versions(pages)
    return Item(key, versions) if versions else None


def item_for_page(page: Page) -> Item:
    """The item a page belongs to; a draft page alone when nothing is live yet."""
    item = load_item(page.translation_key)
    if item is None:
        return Item(page.translation_key, _specific_versions([page]))
    return item


def published_keys(since: Any = None) -> list[uuid.UUID]:
    """Translation keys of items with a live version (changed since ``since``, if given)."""
    pages = item_pages().live()
    if since is not None:
        pages = pages.filter(last_published_at__gte=since)
    return sorted(set(pages.values_list("translation_key", flat=True)), key=str)


# --- Readiness -----------------------------------------------------------------------


def provider_province(page: ItemPage) -> AdministrativeUnit | None:
    """The province that provides the item (EDM ``provider``): the producing unit's,
    else the province its coverage lies in (today's province after the 2025 merger),
    else the configured one."""
    unit = page.producing_unit
    if unit is not None and unit.province_id:
        return unit.province
    for covered in page.coverage.all().order_by("code"):
        provinces = sorted(provinces_of(covered), key=lambda p: (not p.is_current, p.code))
        if provinces:
            return provinces[0]
    code = conf.get("PROVINCE_CODE")
    if code:
        return AdministrativeUnit.objects.filter(code=code).first()
    return None


def provinces_of(unit: AdministrativeUnit) -> set[AdministrativeUnit]:
    """The province(s) a unit lies in, before and after the reform."""
    current: AdministrativeUnit | None = unit
    seen = 0
    while current is not None and current.level != AdministrativeLevel.PROVINCE and seen < 5:
        current = current.parent
        seen += 1
    found: set[AdministrativeUnit] = set()
    if current is None:
        for successor in unit.successors.all():
            found |= provinces_of(successor) if successor.pk != unit.pk else set()
        return found
    found.add(current)
    found.update(current.successors.filter(level=AdministrativeLevel.PROVINCE))
    return found


def readiness(page: Page) -> list[str]:
    """Labels of what the item still lacks before it can be exported (empty: ready).

    Checks the whole item: the shared metadata on the default-language version and the
    media of every published language version.
    """
    return readiness_of(item_for_page(page))


def readiness_of(item: Item) -> list[str]:
    if not item.versions:
        return [str(_("Loại trang không được lưu trữ"))]
    primary = item.primary
    missing: list[str] = []
    if not primary.live:
        missing.append(str(_("Chưa xuất bản")))
    missing.extend(primary.missing_metadata())
    for version in item.versions[1:]:
        for label in version.missing_media():
            missing.append(f"{label} ({version.locale.language_code})")
    product_type = primary.product_type if primary.product_type_id else None
    if product_type is not None and not product_type.media_kind:
        missing.append(str(_("Loại dữ liệu của loại sản phẩm")))
    if primary.producing_unit_id and provider_province(primary) is None:
        missing.append(str(_("Tỉnh/thành phố cung cấp (đơn vị hoặc địa bàn)")))
    for version in item.versions:
        master = version_master(version)
        if master is not None and not master.sha256:
            missing.append(f"{_('Mã băm bản ghi gốc')} ({version.locale.language_code})")
    seen: list[str] = []
    for label in missing:
        if label not in seen:
            seen.append(label)
    return seen


def version_master(page: ItemPage) -> MediaMaster | None:
    if isinstance(page, RadioSegmentPage):
        return page.audio
    if isinstance(page, VideoPage):
        return page.video
    return None


# --- Files of an item -------------------------------------------------------------------


@dataclass
class MediaFile:
    """A file the archival package will hold, planned from the database alone.

    ``digest`` identifies the content without reading it (the master's SHA-256, Wagtail's
    SHA-1 of an image), so an unchanged item is recognised without touching its media.
    """

    path: str  # POSIX path under the bag's data/ directory, NFC
    role: str  # master | rendition | subtitles | poster | image | text
    language: str
    mime: str
    digest: str
    size: int | None
    source: FieldFile | None = None
    text: str | None = None
    profile: str = ""
    object_ref: str = ""
    technical: dict[str, Any] = field(default_factory=dict)
    loudness: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""
    title: str = ""  # images: the title, from which the bag's file name comes

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "path": f"data/{self.path}",
            "role": self.role,
            "mimeType": self.mime,
        }
        if self.language:
            described["language"] = self.language
        if self.size is not None:
            described["size"] = self.size
        if self.sha256:
            described["sha256"] = self.sha256
        if self.profile:
            described["profile"] = self.profile
        if self.title:
            described["title"] = self.title
        return described


class PathAllocator:
    """Unique, Unicode-preserving paths: names keep their script (NFC), and two files
    whose names differ only by case or normalisation get a ``-2`` suffix, because the
    USB disks provinces use are case-insensitive (exFAT/FAT32)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def allocate(self, folder: str, name: str) -> str:
        clean = safe_file_name(name)
        stem, ext = _split_ext(clean)
        candidate = f"{folder}/{clean}"
        n = 1
        while self._key(candidate) in self.taken:
            n += 1
            candidate = f"{folder}/{stem}-{n}{ext}"
        self.taken.add(self._key(candidate))
        return unicodedata.normalize("NFC", candidate)

    @staticmethod
    def _key(path: str) -> str:
        return unicodedata.normalize("NFC", path).casefold()


def _split_ext(name: str) -> tuple[str, str]:
    suffix = PurePosixPath(name).suffix
    if suffix and len(suffix) <= 16 and suffix != name:
        return name[: -len(suffix)], suffix
    return name, ""


def _mime(name: str, default: str = "application/octet-stream") -> str:
    guessed = mimetypes.guess_type(name)[0]
    if name.lower().endswith(".srt"):
        return "application/x-subrip"
    if name.lower().endswith(".vtt"):
        return "text/vtt"
    return guessed or default


def _text_file(
    allocator: PathAllocator, folder: str, name: str, text: str, language: str, ref: str
) -> MediaFile:
    data = unicodedata.normalize("NFC", text).encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    return MediaFile(
        path=allocator.allocate(folder, name),
        role="text",
        language=language,
        mime="text/plain; charset=utf-8",
        digest=f"sha256:{digest}",
        size=len(data),
        text=unicodedata.normalize("NFC", text),
        object_ref=ref,
        sha256=digest,
    )


def media_files(item: Item) -> tuple[list[MediaFile], dict[str, list[str]]]:
    files, by_language, _named = plan_files(item)
    return files, by_language


def plan_files(
    item: Item,
) -> tuple[list[MediaFile], dict[str, list[str]], dict[str, dict[str, Any]]]:
    """Every content file of the item with its bag path, and each language's paths.

    A master shared by two versions (a translation still using the source's recording)
    is packed once, under its own language; renditions follow their master.
    """
    allocator = PathAllocator()
    files: list[MediaFile] = []
    by_language: dict[str, list[str]] = {}
    named: dict[str, dict[str, Any]] = {}
    masters_done: dict[int, list[str]] = {}
    documents_done: dict[int, str] = {}
    images_done: dict[int, str] = {}
    for version in item.versions:
        language = version.locale.language_code
        paths: list[str] = []
        roles: dict[str, Any] = {}
        master = version_master(version)
        if master is not None:
            if master.pk not in masters_done:
                masters_done[master.pk] = _master_files(master, allocator, files)
            paths.extend(masters_done[master.pk])
            roles["master"] = f"data/{masters_done[master.pk][0]}"
        if isinstance(version, VideoPage):
            document = version.subtitles if version.subtitles_id else None
            if document is not None:
                if document.pk not in documents_done:
                    documents_done[document.pk] = _stored_file(
                        allocator,
                        files,
                        f"{document.language or language}/subtitles",
                        image_file_name(document),
                        "subtitles",
                        document.language or language,
                        document.file,
                        document.file_hash,
                        document.file_size,
                        f"document:{document.pk}",
                        title=document.title,
                    )
                paths.append(documents_done[document.pk])
                roles["subtitles"] = f"data/{documents_done[document.pk]}"
            poster = version.poster_image if version.poster_image_id else None
            if poster is not None:
                image = poster
                if image.pk not in images_done:
                    images_done[image.pk] = _stored_file(
                        allocator,
                        files,
                        "images",
                        image_file_name(image),
                        "poster",
                        "",
                        image.file,
                        image.file_hash,
                        image.file_size,
                        f"image:{image.pk}",
                        title=image.title,
                    )
                paths.append(images_done[image.pk])
                roles["posterImage"] = f"data/{images_done[image.pk]}"
            if version.transcript.strip():
                text = _text_file(
                    allocator,
                    f"{language}/text",
                    "transcript.txt",
                    version.transcript,
                    language,
                    f"page:{version.pk}:transcript",
                )
                files.append(text)
                paths.append(text.path)
                roles["transcript"] = f"data/{text.path}"
        if isinstance(version, RadioSegmentPage) and version.script.strip():
            text = _text_file(
                allocator,
                f"{language}/text",
                "script.txt",
                version.script,
                language,
                f"page:{version.pk}:script",
            )
            files.append(text)
            paths.append(text.path)
            roles["script"] = f"data/{text.path}"
        if isinstance(version, ExhibitionPage):
            captions: list[str] = []
            roles["items"] = []
            for number, entry in enumerate(version.items.all().select_related("image"), 1):
                image = entry.image
                if image.pk not in images_done:
                    images_done[image.pk] = _stored_file(
                        allocator,
                        files,
                        "images",
                        image_file_name(image),
                        "image",
                        "",
                        image.file,
                        image.file_hash,
                        image.file_size,
                        f"image:{image.pk}",
                        title=image.title,
                    )
                paths.append(images_done[image.pk])
                roles["items"].append(
                    {
                        "image": f"data/{images_done[image.pk]}",
                        "caption": entry.caption,
                        "credit": entry.credit,
                        "date": entry.date.isoformat() if entry.date else None,
                        "place": entry.place,
                    }
                )
                details = [entry.credit, entry.date.isoformat() if entry.date else "", entry.place]
                captions.append(
                    f"{number}. {images_done[image.pk]}\n{entry.caption}\n"
                    + " · ".join(d for d in details if d)
                )
            if captions:
                text = _text_file(
                    allocator,
                    f"{language}/text",
                    "captions.txt",
                    "\n\n".join(captions) + "\n",
                    language,
                    f"page:{version.pk}:captions",
                )
                files.append(text)
                paths.append(text.path)
        by_language[language] = paths
        named[language] = roles
    return files, by_language, named


def _stored_file(
    allocator: PathAllocator,
    files: list[MediaFile],
    folder: str,
    name: str,
    role: str,
    language: str,
    source: FieldFile,
    sha1: str,
    size: int | None,
    ref: str,
    title: str = "",
) -> str:
    if size is None:
        try:
            size = source.size
        except OSError:
            size = None
    media = MediaFile(
        path=allocator.allocate(folder, name),
        role=role,
        language=language,
        mime=_mime(name),
        digest=f"sha1:{sha1}" if sha1 else f"name:{source.name}:{size}",
        size=size,
        source=source,
        object_ref=ref,
        title=title,
    )
    files.append(media)
    return media.path


def image_file_name(image: Any) -> str:
    """The bag name of a Wagtail image or document: its title with the stored file's
    extension. Wagtail reduces an image's stored name to ASCII ("Ảnh đại diện.jpg" is
    stored as "Anh_dai_dien.jpg", a Khmer name as almost nothing) and storage adds a
    suffix to a name already taken (a restored file beside its old copy); the title keeps
    the script (the admin fills it in from the uploaded file's name) and comes back
    unchanged from an import, so the name in the bag is stable."""
    stored = Path(image.file.name).name
    extension = Path(stored).suffix
    title = unicodedata.normalize("NFC", (image.title or "").strip())
    if not title:
        return stored
    if extension and title.casefold().endswith(extension.casefold()):
        title = title[: -len(extension)]
    return safe_file_name(title[:120] + extension)


def _master_files(
    master: MediaMaster, allocator: PathAllocator, files: list[MediaFile]
) -> list[str]:
    name = master.original_name or Path(master.file.name or "").name
    entry = MediaFile(
        path=allocator.allocate(f"{master.language}/master", name),
        role="master",
        language=master.language,
        mime=_mime(name, "audio/octet-stream" if master.kind == "audio" else "video/octet-stream"),
        digest=f"sha256:{master.sha256}",
        size=master.size,
        source=master.file,
        object_ref=f"master:{master.pk}",
        technical=master.technical_metadata or {},
        sha256=master.sha256,
    )
    files.append(entry)
    paths = [entry.path]
    renditions = master.renditions.filter(status=RenditionStatus.DONE).exclude(file="")
    for rendition in renditions.order_by("profile"):
        paths.extend(_rendition_files(master, rendition, allocator, files))
    return paths


def _rendition_files(
    master: MediaMaster, rendition: MediaRendition, allocator: PathAllocator, files: list[MediaFile]
) -> list[str]:
    folder = f"{master.language}/renditions/{rendition.profile}"
    entry = MediaFile(
        path=allocator.allocate(folder, Path(rendition.file.name or "").name),
        role="rendition",
        language=master.language,
        mime=_mime(rendition.file.name or ""),
        digest=f"sha256:{rendition.sha256}" if rendition.sha256 else f"name:{rendition.file.name}",
        size=rendition.size or None,
        source=rendition.file,
        profile=rendition.profile,
        object_ref=f"rendition:{rendition.pk}",
        technical=rendition.technical_metadata or {},
        loudness=rendition.loudness or {},
        sha256=rendition.sha256,
    )
    files.append(entry)
    paths = [entry.path]
    for label, name in sorted((rendition.extra_files or {}).items()):
        storage = rendition.file.storage
        extra = FieldFile(rendition, rendition.file.field, name)
        extra.storage = storage
        extra_entry = MediaFile(
            path=allocator.allocate(folder, Path(name).name),
            role=f"rendition-{label}",
            language=master.language,
            mime=_mime(name),
            digest=f"name:{name}",
            size=None,
            source=extra,
            profile=rendition.profile,
            object_ref=f"rendition:{rendition.pk}:{label}",
        )
        files.append(extra_entry)
        paths.append(extra_entry.path)
    return paths


# --- The record -----------------------------------------------------------------------


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


Planned = tuple[list[MediaFile], dict[str, list[str]], dict[str, dict[str, Any]]]


def build_record(item: Item, planned: Planned | None = None) -> dict[str, Any]:
    """The JSON-LD record of an item (not yet validated: see ``validated_record``)."""
    files, by_language, named = planned if planned is not None else plan_files(item)
    primary = item.primary
    product_type = primary.product_type
    media_kind = product_type.media_kind if product_type else "TEXT"
    unit = primary.producing_unit
    province = provider_province(primary)
    # Term languages from one query, not one per term (the export is database-bound).
    locale_codes = dict(Locale.objects.values_list("pk", "language_code"))
    topics = list(primary.topics.all().order_by("code"))
    audiences = list(primary.audiences.all().order_by("code"))
    channels = list(primary.channels.all().order_by("code"))
    coverage = list(primary.coverage.all().order_by("code"))
    cooperating = list(primary.cooperating_units.all().order_by("code"))
    code = record_code(primary)
    item_id = f"urn:uuid:{item.translation_key}"
    languages = item.languages
    start = primary.production_date
    end = primary.end_date or primary.production_date
    rights_uri = RIGHTS_URIS.get(primary.rights, "")
    parent = primary.get_parent()

    dc: dict[str, list[Any]] = {name: [] for name in DC_ELEMENTS}
    for version in item.versions:
        lang = version.locale.language_code
        dc["title"].append(lang_value(version.title, lang))
        if version.summary:
            dc["description"].append(lang_value(version.summary, lang))
        for keyword in split_keywords(version.keywords):
            dc["subject"].append(lang_value(keyword, lang))
        if version.credits:
            dc["contributor"].append(lang_value(version.credits, lang))
        url = page_url(version)
        if url:
            dc["identifier"].append({"@id": url})
        dc["language"].append(BCP47.get(lang, lang))
    if unit is not None:
        dc["creator"].append(lang_value(unit.name, locale_codes[unit.locale_id]))
        dc["publisher"].append(lang_value(unit.name, locale_codes[unit.locale_id]))
    for other in cooperating:
        dc["contributor"].append(lang_value(other.name, locale_codes[other.locale_id]))
    for topic in topics:
        dc["subject"].append(lang_value(topic.name, locale_codes[topic.locale_id]))
    if start:
        dc["date"].append(start.isoformat() if end == start else f"{start}/{end}")
    dc["type"].append({"@id": f"{DCMITYPE}{DCMI_TYPES.get(media_kind, 'Text')}"})
    if product_type is not None:
        dc["type"].append(lang_value(product_type.name, locale_codes[product_type.locale_id]))
    for mime in sorted({f.mime for f in files if f.role in ("master", "image")}):
        dc["format"].append(mime)
    dc["identifier"].insert(0, code)
    dc["identifier"].insert(1, item_id)
    for media in files:
        if media.role == "master" and media.source is not None:
            dc["source"].append(Path(media.path).name)
    if parent is not None:
        parent_url = page_url(parent)
        if parent_url:
            dc["relation"].append({"@id": parent_url})
    for covered in coverage:
        # Units of different times may share a name (Lạng Sơn before and after the 2025
        # merger): the name once; each unit is a place of its own in dcterms:spatial.
        if lang_value(covered.name, "vi") not in dc["coverage"]:
            dc["coverage"].append(lang_value(covered.name, "vi"))
    if isinstance(primary, RadioSegmentPage) and primary.air_from:
        until = primary.air_until.isoformat() if primary.air_until else ""
        dc["coverage"].append(f"{primary.air_from.isoformat()}/{until}")
    if primary.rights:
        dc["rights"].append(lang_value(str(primary.get_rights_display()), "vi"))
    if rights_uri:
        dc["rights"].append({"@id": rights_uri})

    # EDM: one aggregation per CHO, with one isShownAt and one isShownBy. The item is one
    # CHO with language-tagged literals (docs/archive.md, "EDM modelling"): its first
    # version (the default language when live) is shown at its page and by its access
    # copy; the other versions' access copies are further views of the same object.
    primary_lang = primary.locale.language_code
    shown_by = _shown_by(primary, files, by_language.get(primary_lang, []))
    views: list[str] = []
    for version in item.versions[1:]:
        lang = version.locale.language_code
        view = _shown_by(version, files, by_language.get(lang, []))
        if view and view != shown_by and view not in views:
            views.append(view)
    shown_at = page_url(primary)
    aggregation = {
        "@id": f"{item_id}#aggregation",
        "@type": "ore:Aggregation",
        "edm:aggregatedCHO": {"@id": item_id},
        "edm:dataProvider": _organisation("producing-unit", unit.code, unit.name) if unit else None,
        "edm:provider": _organisation("province", province.code, province.name)
        if province
        else None,
        "edm:rights": {"@id": rights_uri} if rights_uri else None,
        "edm:isShownAt": {"@id": shown_at} if shown_at else None,
        "edm:isShownBy": {"@id": shown_by} if shown_by else None,
        "edm:hasView": [{"@id": view} for view in views],
    }
    documents = [f for f in files if f.role in ("master", "subtitles", "image", "poster", "text")]
    archival = {
        "arc:recordCode": code,
        "arc:title": primary.title,
        "arc:retentionPeriod": primary.retention_period,
        "arc:accessLevel": primary.access_level,
        "arc:languages": [ISO639_3.get(lang, lang) for lang in languages],
        "arc:startDate": start.isoformat() if start else None,
        "arc:endDate": end.isoformat() if end else None,
        "arc:keywords": sorted(
            {k for v in item.versions for k in split_keywords(v.keywords)}
            | {t.code for t in topics}
        ),
        "arc:documentCount": len(documents),
        "arc:producingUnit": _term(unit) if unit else None,
    }
    tags = {
        "cms:topics": [_term(t) for t in topics],
        "cms:productType": {**_term(product_type), "mediaKind": media_kind}
        if product_type
        else None,
        "cms:audiences": [_term(a) for a in audiences],
        "cms:languages": [
            {"code": lang, "bcp47": BCP47.get(lang, lang), "iso639_3": ISO639_3.get(lang, lang)}
            for lang in languages
        ],
        "cms:coverage": [_unit(u) for u in coverage],
        "cms:provinces": sorted(
            {p.code for u in coverage for p in provinces_of(u)}
            | ({province.code} if province else set())
        ),
        "cms:funding": primary.funding_source or None,
        "cms:channels": [{**_term(c), "isDigital": c.is_digital} for c in channels],
        "cms:bulletinClass": primary.bulletin_class
        if isinstance(primary, RadioSegmentPage)
        else None,
        "cms:cooperatingUnits": [_term(u) for u in cooperating],
    }
    versions = []
    for version in item.versions:
        lang = version.locale.language_code
        versions.append(
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
                "files": [f"data/{p}" for p in by_language.get(lang, [])],
                "keywords": version.keywords,
                "credits": version.credits,
                "fields": {**named.get(lang, {}), **_page_fields(version)},
            }
        )
    record: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": item_id,
        "@type": "edm:ProvidedCHO",
        "cms:translationKey": str(item.translation_key),
        "cms:collection": {"title": parent.title, "urlPath": parent.url_path} if parent else None,
        "dcterms:created": primary.first_published_at.isoformat()
        if primary.first_published_at
        else None,
        **{f"dc:{name}": values for name, values in dc.items()},
        "dcterms:spatial": [
            {
                "@id": place_iri(covered.code),
                "@type": "edm:Place",
                "code": covered.code,
                "name": covered.name,
            }
            for covered in coverage
        ],
        "edm:type": media_kind,
        AGGREGATION_KEY: aggregation,
        "arc:record": archival,
        "cms:tags": tags,
        "cms:versions": versions,
        "cms:files": [f.describe() for f in files],
    }
    return record


def _page_fields(page: ItemPage) -> dict[str, Any]:
    """Type-specific fields, so ``import_archive`` can restore the page from its bag."""
    if isinstance(page, RadioSegmentPage):
        return {
            "bulletinClass": page.bulletin_class,
            "airFrom": page.air_from.isoformat() if page.air_from else None,
            "airUntil": page.air_until.isoformat() if page.air_until else None,
        }
    if isinstance(page, ExhibitionPage):
        return {"place": page.place, "intro": page.intro}
    return {}


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


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def validate(record: dict[str, Any]) -> None:
    """Raise ``RecordInvalid`` naming every way the record breaks the JSON Schema."""
    errors = sorted(validator().iter_errors(record), key=lambda e: list(e.absolute_path))
    if errors:
        raise RecordInvalid(
            [f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in errors]
        )


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def pretty_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def unvalidated_record(item: Item) -> tuple[dict[str, Any], list[MediaFile]]:
    planned = plan_files(item)
    return build_record(item, planned), planned[0]


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


def iter_items(keys: Iterable[uuid.UUID]) -> Iterator[tuple[uuid.UUID, Item | None]]:
    for key in keys:
        yield key, load_item(key)
