"""Restore an item from its bag: the pages in every language, their masters, renditions,
subtitles, scripts and images, and the metadata, under the same translation key.

Export → delete → import gives back the same content: masters are restored byte for byte
(their SHA-256 is checked against the bag), texts come back from the UTF-8 files, and the
record's codes are resolved against the controlled vocabularies (codes never change).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
import uuid
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import bagit
from django.apps import apps
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Locale, Page

from cms.archive import catalog
from cms.archive.metadata_profile import aggregation_of, rights_code
from cms.archive.models import ArchiveEvent, EventOutcome, EventType
from cms.archive.record import record_code
from cms.content.itemtypes import kind_of
from cms.content.models import ExhibitionItem
from cms.media.models import (
    CustomDocument,
    CustomImage,
    MediaMaster,
    MediaRendition,
    RenditionStatus,
)
from cms.media.uploads import check_media_upload
from cms.taxonomy.models import (
    AdministrativeUnit,
    Audience,
    Channel,
    ProducingUnit,
    ProductType,
    Topic,
)

RESTORED_IMAGES = "_restoredImages"


class ImportRefused(Exception):
    """The bag is invalid, or the item still exists, or its section cannot be found."""


def _read_record(bag_dir: Path) -> dict[str, Any]:
    try:
        bagit.Bag(str(bag_dir)).validate(processes=1)
    except bagit.BagError as error:
        raise ImportRefused(f"invalid bag: {error}") from error
    record = json.loads((bag_dir / "data/metadata/record.jsonld").read_text(encoding="utf-8"))
    if not isinstance(record, dict):
        raise ImportRefused("invalid bag: record.jsonld is not a JSON object")
    return record


def _file(bag_dir: Path, path: str) -> Path:
    resolved = (bag_dir / unicodedata.normalize("NFC", path)).resolve()
    if not resolved.is_relative_to(bag_dir.resolve()):
        raise ImportRefused(f"path outside the bag: {path}")
    return resolved


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _master(bag_dir: Path, path: str, record: dict[str, Any]) -> MediaMaster:
    source = _file(bag_dir, path)
    digest = _sha256(source)
    described = next(f for f in record["cms:files"] if f["path"] == path)
    if described.get("sha256") and described["sha256"] != digest:
        raise ImportRefused(f"{path}: SHA-256 differs from the record")
    language = described.get("language") or PurePosixPath(path).parts[1]
    existing = MediaMaster.objects.filter(sha256=digest, language=language).first()
    if existing is not None:
        return existing
    with source.open("rb") as handle:
        upload = UploadedFile(handle, name=source.name, size=source.stat().st_size)
        checked = check_media_upload(upload)
        handle.seek(0)
        master = MediaMaster(title=source.stem, language=language, original_name=source.name)
        for attr in (
            "kind",
            "sha256",
            "size",
            "duration",
            "width",
            "height",
            "technical_metadata",
            "warnings",
        ):
            setattr(master, attr, getattr(checked, attr))
        master.file.save(source.name, File(handle, name=source.name), save=False)
        master.save()
    for entry in record["cms:files"]:
        folder = f"data/{language}/renditions/"
        if entry["role"] != "rendition" or not entry["path"].startswith(folder):
            continue
        if entry.get("profile") is None:
            continue
        _rendition(bag_dir, master, entry)
    return master


def _rendition(bag_dir: Path, master: MediaMaster, entry: dict[str, Any]) -> None:
    from django.core.files.storage import default_storage

    source = _file(bag_dir, entry["path"])
    technical = json.loads((bag_dir / "data/metadata/technical.json").read_text("utf-8")).get(
        entry["path"], {}
    )
    with source.open("rb") as handle:
        name = default_storage.save(
            f"renditions/{master.language}/{master.pk}/{source.name}", File(handle)
        )
    MediaRendition.objects.update_or_create(
        master=master,
        profile=entry["profile"],
        defaults={
            "key": f"{master.sha256}-{entry['profile']}-restored",
            "status": RenditionStatus.DONE,
            "file": name,
            "sha256": _sha256(source),
            "size": source.stat().st_size,
            "loudness": technical.get("loudness", {}),
            "technical_metadata": technical.get("technical", {}),
            "progress": 1.0,
        },
    )


def _image(bag_dir: Path, path: str, record: dict[str, Any]) -> CustomImage:
    # One image per bag file, however many language versions and items use it. The cache
    # lives in the record being restored: Wagtail leaves ``file_hash`` empty for images
    # not made through its forms, so the database alone cannot tell they are the same.
    restored: dict[str, CustomImage] = record.setdefault(RESTORED_IMAGES, {})
    if path in restored:
        return restored[path]
    source = _file(bag_dir, path)
    with source.open("rb") as handle:
        sha1 = hashlib.sha1(handle.read(), usedforsecurity=False).hexdigest()
    described: dict[str, Any] = next((f for f in record["cms:files"] if f["path"] == path), {})
    # The title names the image's file in the bag (Wagtail's stored name is ASCII only):
    # an image already in the library is reused only with the same content and title.
    title = described.get("title") or source.stem
    existing = CustomImage.objects.filter(file_hash=sha1, title=title).first()
    if existing is not None:
        restored[path] = existing
        image: CustomImage = existing
        return image
    with source.open("rb") as handle:
        image = CustomImage(title=title, file=File(handle, name=source.name), file_hash=sha1)
        image.save()
    restored[path] = image
    return image


def _document(bag_dir: Path, path: str, language: str, record: dict[str, Any]) -> CustomDocument:
    source = _file(bag_dir, path)
    described: dict[str, Any] = next((f for f in record["cms:files"] if f["path"] == path), {})
    title = described.get("title") or source.stem
    language = described.get("language") or language
    # A document still in the library (deleting a page keeps its documents) with the same
    # title, language and bytes is used again, as masters and images are: the restored
    # item is then the item that was archived, and needs no new archival version.
    data = source.read_bytes()
    for existing in CustomDocument.objects.filter(title=title, language=language):
        try:
            with existing.file.open("rb") as handle:
                if handle.read() == data:
                    document: CustomDocument = existing
                    return document
        except OSError:
            continue
    with source.open("rb") as handle:
        document = CustomDocument(
            title=title, language=language, file=File(handle, name=source.name)
        )
        document.save()
    return document


def _text(bag_dir: Path, path: str | None) -> str:
    return _file(bag_dir, path).read_text(encoding="utf-8") if path else ""


def _by_code(model: Any, codes: list[str]) -> list[Any]:
    vi = Locale.objects.get(language_code="vi")
    return list(model.objects.filter(code__in=codes, locale=vi))


def _shared_fields(record: dict[str, Any]) -> dict[str, Any]:
    tags = record["cms:tags"]
    archival = record["arc:record"]
    aggregation = aggregation_of(record)
    rights = rights_code((aggregation.get("edm:rights") or {}).get("@id", ""))
    unit = archival.get("arc:producingUnit") or aggregation["edm:dataProvider"]
    return {
        "product_type": _by_code(ProductType, [tags["cms:productType"]["code"]])[0],
        "producing_unit": _by_code(ProducingUnit, [unit["code"]])[0],
        "funding_source": tags["cms:funding"] or "",
        "rights": rights,
        "retention_period": archival["arc:retentionPeriod"],
        "access_level": archival["arc:accessLevel"],
        "production_date": dt.date.fromisoformat(archival["arc:startDate"]),
        "end_date": dt.date.fromisoformat(archival["arc:endDate"])
        if archival["arc:endDate"] != archival["arc:startDate"]
        else None,
    }


def _m2m(record: dict[str, Any]) -> dict[str, list[Any]]:
    tags = record["cms:tags"]
    return {
        "topics": _by_code(Topic, [t["code"] for t in tags["cms:topics"]]),
        "audiences": _by_code(Audience, [a["code"] for a in tags["cms:audiences"]]),
        "channels": _by_code(Channel, [c["code"] for c in tags["cms:channels"]]),
        "cooperating_units": _by_code(
            ProducingUnit, [u["code"] for u in tags.get("cms:cooperatingUnits", [])]
        ),
        "coverage": list(
            AdministrativeUnit.objects.filter(code__in=[u["code"] for u in tags["cms:coverage"]])
        ),
    }


def _version_fields(
    bag_dir: Path, record: dict[str, Any], version: dict[str, Any], page: Any
) -> None:
    fields = version.get("fields", {})
    page.title = version["title"]
    page.summary = version.get("summary", "")
    page.keywords = version.get("keywords", "")
    page.credits = version.get("credits", "")
    kind = kind_of(page)
    if kind is None:
        return
    if kind.master_field:
        master = _master(bag_dir, fields["master"], record) if fields.get("master") else None
        setattr(page, kind.master_field, master)
    if kind.text_field:
        setattr(page, kind.text_field, _text(bag_dir, fields.get(kind.text_role)))
    if kind.subtitles_field and fields.get("subtitles"):
        document = _document(bag_dir, fields["subtitles"], version["language"], record)
        setattr(page, kind.subtitles_field, document)
    if kind.poster_field and fields.get("posterImage"):
        setattr(page, kind.poster_field, _image(bag_dir, fields["posterImage"], record))
    kind.restore_fields(page, fields)


def _issued(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _source(bag_dir: Path, record: dict[str, Any], source: str | None) -> tuple[str, str]:
    """(store, version prefix) of the bag restored: where it came from, not the
    temporary folder an S3 download went to."""
    info = bagit.Bag(str(bag_dir)).info
    number = str(info.get("Bag-Version", "")).strip()
    key = record["cms:translationKey"]
    prefix = f"items/{key}/v{int(number):04d}" if number.isdigit() else f"items/{key}"
    if source:
        return source, prefix
    resolved = bag_dir.resolve()
    # A bag in the store layout (<root>/items/<key>/vNNNN) is named by its store root.
    if len(resolved.parents) > 2 and resolved.parents[1].name == "items":
        return f"dir:{resolved.parents[2]}", prefix
    return f"dir:{resolved}", prefix


def _slug(version: dict[str, Any]) -> str:
    path = urlsplit(version.get("url") or "").path.rstrip("/")
    slug = unquote(path.rsplit("/", 1)[-1]) if path else ""
    return slug or slugify(version["title"], allow_unicode=True) or "item"


@transaction.atomic
def restore(bag_dir: Path, parent: Page | None = None, source: str | None = None) -> Page:
    """Recreate the item described by the bag and publish it; returns the primary page.

    The restore keeps the item's history: each version's first publication
    (``cms:versions[].issued``, hence ``dcterms:created``) and the bag's PREMIS events,
    carried into every later bag. The recovery event names the store and version the bag
    came from (``source``: the store's name, for a bag downloaded to a temporary folder).
    """
    record = _read_record(bag_dir)
    key = uuid.UUID(record["cms:translationKey"])
    if Page.objects.filter(translation_key=key).exists():
        raise ImportRefused(f"item {key} still exists; delete it before restoring")
    versions = record["cms:versions"]
    primary_version = versions[0]
    if parent is None:
        collection = record.get("cms:collection") or {}
        parent = Page.objects.filter(url_path=collection.get("urlPath", "")).first()
    if parent is None:
        raise ImportRefused("the item's section no longer exists; choose one with --parent")
    model = apps.get_model(primary_version["pageType"])
    locale = Locale.objects.get(language_code=primary_version["language"])
    if parent.locale_id != locale.pk:
        parent = parent.get_translation(locale)
    page = model(translation_key=key, locale=locale, slug=_slug(primary_version), live=False)
    page.first_published_at = _issued(primary_version.get("issued"))
    _version_fields(bag_dir, record, primary_version, page)
    for name, value in _shared_fields(record).items():
        setattr(page, name, value)
    code = record["arc:record"]["arc:recordCode"]
    kind = kind_of(page)
    if kind is not None and kind.has_exhibits:
        _exhibition_items(bag_dir, page, primary_version, locale, record)
    parent.add_child(instance=page)
    if code != record_code(page):
        page.record_code = code
    for name, values in _m2m(record).items():
        getattr(page, name).set(values)
    page.save_revision().publish()
    page.refresh_from_db()
    for version in versions[1:]:
        target_locale = Locale.objects.get(language_code=version["language"])
        translation = page.copy_for_translation(target_locale, copy_parents=True)
        translation.slug = _slug(version)
        translation.first_published_at = _issued(version.get("issued"))
        _version_fields(bag_dir, record, version, translation)
        if kind is not None and kind.has_exhibits:
            _translated_items(bag_dir, translation, version, record)
        translation.save_revision().publish()
    store, prefix = _source(bag_dir, record, source)
    premis = bag_dir / "data/metadata/events.premis.xml"
    ArchiveEvent.objects.create(
        translation_key=key,
        event_type=EventType.IMPORT,
        outcome=EventOutcome.SUCCESS,
        target=store,
        object_name=prefix,
        detail=f"restored {len(versions)} language version(s) from the bag",
        agent="cms.archive.import",
        premis=premis.read_text(encoding="utf-8") if premis.exists() else "",
    )
    transaction.on_commit(lambda: catalog.sync_safely(key))
    return page


def _exhibition_items(
    bag_dir: Path,
    page: Any,
    version: dict[str, Any],
    locale: Locale,
    record: dict[str, Any],
) -> None:
    for data in version["fields"].get("items", []):
        page.items.add(
            ExhibitionItem(
                image=_image(bag_dir, data["image"], record),
                caption=data["caption"],
                credit=data.get("credit", ""),
                date=dt.date.fromisoformat(data["date"]) if data.get("date") else None,
                place=data.get("place", ""),
                locale=locale,
            )
        )


def _translated_items(
    bag_dir: Path, translation: Any, version: dict[str, Any], record: dict[str, Any]
) -> None:
    """The copied items get this language's captions, matched by image (not by position:
    a language version may list its photos in another order), and this version's order."""
    wanted = list(enumerate(version["fields"].get("items", [])))
    for entry in translation.items.all():
        for index, (position, data) in enumerate(wanted):
            if _image(bag_dir, data["image"], record).pk == entry.image_id:
                entry.caption = data["caption"]
                entry.credit = data.get("credit", "")
                entry.place = data.get("place", "")
                entry.date = dt.date.fromisoformat(data["date"]) if data.get("date") else None
                entry.sort_order = position
                entry.save()  # the revision published next is made from the saved rows
                del wanted[index]
                break
