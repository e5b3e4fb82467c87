"""Archival packages: one BagIt bag (RFC 8493) per item version, made by the ``bagit`` library.

Layout (see docs/archive.md)::

    bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-*.txt
    data/metadata/record.jsonld        the JSON-LD record (validated against the schema)
    data/metadata/oai_dc.xml           the same record as Dublin Core
    data/metadata/technical.json       ffprobe metadata and loudness report per file
    data/metadata/events.premis.xml    PREMIS 3 events: ingest, transcode, approve, publish,
                                       export, fixity checks
    data/<lang>/master/<name>          the master, byte for byte, under its own language
    data/<lang>/renditions/<profile>/<name>
    data/<lang>/subtitles/<name>
    data/<lang>/text/script.txt | transcript.txt | captions.txt  (UTF-8, NFC)
    data/images/<name>                 exhibition photos and posters, video poster images

A bag is built in a hidden directory next to its destination and renamed into place
(``cms.staging``), so nobody ever sees a half-written bag.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit
from django.utils import timezone
from lxml import etree

from cms.archive import oai_formats
from cms.archive.files import MediaFile
from cms.archive.items import Item
from cms.archive.metadata_profile import aggregation_of
from cms.archive.premis import identify_formats, premis_events
from cms.archive.record import (
    canonical_json,
    pretty_json,
    record_code,
    unvalidated_record,
    validated_record,
)
from cms.media import storage
from cms.staging import staged

CHECKSUMS = ["sha256", "sha512"]
COPY_CHUNK = 4 * 1024 * 1024


@dataclass
class BagPlan:
    """Everything needed to build an item's bag, computed from the database."""

    item: Item
    record: dict[str, Any]
    files: list[MediaFile]
    technical: dict[str, Any]
    fingerprint: str

    @property
    def record_code(self) -> str:
        return record_code(self.item.primary)


def plan_bag(item: Item, validate: bool = True) -> BagPlan:
    """The package of an item and its content fingerprint, without reading any media.

    With ``validate=False`` the record is not checked against the schema yet: an export
    run validates only what it is about to write (an unchanged record was validated when
    it was exported), which keeps the "nothing changed" path cheap.

    The fingerprint covers the record, the technical metadata and every file's identity
    (path, digest, size) but not the event log, which grows with every export and fixity
    check: an item whose content did not change keeps its fingerprint and is not exported
    again.
    """
    record, files = validated_record(item) if validate else unvalidated_record(item)
    technical = {
        f"data/{media.path}": {
            "role": media.role,
            "technical": media.technical,
            **({"loudness": media.loudness} if media.loudness else {}),
        }
        for media in files
        if media.technical or media.loudness
    }
    hasher = hashlib.sha256()
    hasher.update(canonical_json(record))
    hasher.update(canonical_json(technical))
    for media in files:
        hasher.update(canonical_json([media.path, media.digest, media.size]))
    return BagPlan(item, record, files, technical, hasher.hexdigest())


def bag_info(package: BagPlan, version: int) -> dict[str, str]:
    primary = package.item.primary
    unit = primary.producing_unit
    aggregation = aggregation_of(package.record)
    provider = aggregation["edm:provider"] or {}
    return {
        "Source-Organization": unit.name if unit else "",
        "Producing-Unit-Code": unit.code if unit else "",
        "Provider-Province": f"{provider.get('code', '')} {provider.get('name', '')}".strip(),
        "External-Identifier": package.record_code,
        "Record-Code": package.record_code,
        "External-Description": primary.title,
        "Internal-Sender-Identifier": f"urn:uuid:{package.item.translation_key}",
        "Bag-Group-Identifier": str(package.item.translation_key),
        "Bag-Version": str(version),
        "Content-Fingerprint": package.fingerprint,
        "Languages": " ".join(package.item.languages),
    }


def copy_stored(media: MediaFile, target: Path) -> None:
    """Stream a stored file (local or S3) into the bag, never loading it whole."""
    if media.source is None:
        raise ValueError(f"{media.path}: no stored file to copy into the bag")
    storage.copy_stored(media.source.storage, media.source.name or "", target, COPY_CHUNK)


def _stage_content(package: BagPlan, partial: Path) -> None:
    for media in package.files:
        target = partial / media.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if media.text is not None:
            target.write_bytes(media.text.encode("utf-8"))
        else:
            copy_stored(media, target)


def build_bag(package: BagPlan, version: int, destination: Path) -> Path:
    """Build the bag in a hidden sibling directory, validate it, then rename it into place.

    This happens once per version: the exporter keeps ``frozen_files`` of the result and
    every later copy of the version is ``assemble_bag`` of those files.
    Raises OSError (a full disk, a missing master file) after removing the partial bag.
    """
    with staged(destination.parent, destination.name) as stage:
        partial = stage.path
        _stage_content(package, partial)
        metadata = partial / "metadata"
        metadata.mkdir(exist_ok=True)
        (metadata / "record.jsonld").write_bytes(pretty_json(package.record))
        (metadata / "oai_dc.xml").write_bytes(
            etree.tostring(
                oai_formats.oai_dc(package.record),
                xml_declaration=True,
                encoding="UTF-8",
                pretty_print=True,
            )
        )
        (metadata / "technical.json").write_bytes(pretty_json(package.technical))
        # Images and documents have no recorded SHA-256 (Wagtail keeps a SHA-1): hash the
        # copies just made (small files) so every PREMIS file object carries its digest.
        digests = {
            media.path: media.sha256 or _file_sha256(partial / media.path)
            for media in package.files
        }
        built_at = timezone.now()
        found = identify_formats(partial, [(m.path, m.mime) for m in package.files])
        (metadata / "events.premis.xml").write_bytes(
            premis_events(package, digests, found, built_at)
        )
        stage.make_bag(bag_info(package, version), CHECKSUMS)
        stage.publish(destination)
    return destination


FROZEN_FOLDER = "data/metadata/"


class BagChanged(Exception):
    """A content file no longer matches the frozen bag of its version (its digest was
    not known from the database alone): the version cannot be copied again as it was."""


def frozen_files(bag_dir: Path) -> dict[str, str]:
    """Everything of a bag but its content files: the tag files (bagit.txt, bag-info.txt,
    manifests) and data/metadata/*, as UTF-8 text by relative path. Small (kilobytes),
    and with the content files from storage it makes the same bag again."""
    frozen: dict[str, str] = {}
    for path in sorted(bag_dir.rglob("*")):
        relative = path.relative_to(bag_dir).as_posix()
        if path.is_file() and (
            not relative.startswith("data/") or relative.startswith(FROZEN_FOLDER)
        ):
            frozen[relative] = path.read_bytes().decode("utf-8")
    return frozen


def assemble_bag(package: BagPlan, frozen: dict[str, str], destination: Path) -> Path:
    """The version's bag again, byte for byte: its frozen files and the content files
    from storage, checked by ``bagit`` against the frozen manifests (every digest, the
    Payload-Oxum, the tag manifests) before it is renamed into place.

    Raises ``BagChanged`` when a content file differs from the one the version was
    built with."""
    with staged(destination.parent, destination.name) as stage:
        partial = stage.path
        _stage_content(package, partial / "data")
        for relative, text in frozen.items():
            target = partial / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        try:
            bagit.Bag(str(partial)).validate(processes=1)
        except bagit.BagError as error:
            raise BagChanged(str(error)) from error
        stage.publish(destination)
    return destination


def copy_bag(source: Path, destination: Path) -> Path:
    """Copy a finished bag to another disk, check the copy, and only then make it visible."""
    with staged(destination.parent, destination.name) as stage:
        partial = stage.path
        files = [p for p in sorted(source.rglob("*")) if p.is_file()]
        needed = sum(p.stat().st_size for p in files)
        free = shutil.disk_usage(partial).free
        if needed > free:
            raise OSError(
                errno.ENOSPC,
                f"No space left on device: the bag needs {needed} bytes, {free} are free",
                str(destination.parent),
            )
        # File by file, not copytree: copytree gathers every failure into one shutil.Error
        # (a full disk would fail each remaining file), this stops at the first one.
        for path in files:
            target = partial / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        bagit.Bag(str(partial)).validate(processes=1)
        stage.publish(destination)
    return destination


def manifest_digest(bag_dir: Path) -> str:
    """SHA-256 of the bag's SHA-256 payload manifest: one value naming the bag's content."""
    return hashlib.sha256((bag_dir / "manifest-sha256.txt").read_bytes()).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
