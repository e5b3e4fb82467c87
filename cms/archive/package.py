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

A bag is built in a hidden directory next to its destination and renamed into place, so
nobody ever sees a half-written bag.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit
from lxml import etree
from wagtail.models import PageLogEntry

from cms.archive import oai_formats
from cms.archive.models import ArchiveEvent
from cms.archive.profile import (
    Item,
    MediaFile,
    aggregation_of,
    canonical_json,
    pretty_json,
    record_code,
    unvalidated_record,
    validated_record,
)
from cms.media.models import MediaMaster, MediaRendition, RenditionStatus

CHECKSUMS = ["sha256", "sha512"]
COPY_CHUNK = 4 * 1024 * 1024
PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PAGE_EVENTS = {
    "wagtail.create": "creation",
    "wagtail.workflow.approve": "approval",
    "wagtail.workflow.reject": "rejection",
    "wagtail.publish": "publication",
    "wagtail.unpublish": "unpublication",
}


@dataclass
class PlannedPackage:
    """Everything needed to build an item's bag, computed from the database."""

    item: Item
    record: dict[str, Any]
    files: list[MediaFile]
    technical: dict[str, Any]
    fingerprint: str

    @property
    def record_code(self) -> str:
        return record_code(self.item.primary)


def plan(item: Item, validate: bool = True) -> PlannedPackage:
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
    return PlannedPackage(item, record, files, technical, hasher.hexdigest())


def bag_info(package: PlannedPackage, version: int) -> dict[str, str]:
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
    assert media.source is not None
    storage = media.source.storage
    with storage.open(media.source.name or "", "rb") as source, target.open("wb") as sink:
        shutil.copyfileobj(source, sink, COPY_CHUNK)


def build_bag(package: PlannedPackage, version: int, destination: Path) -> Path:
    """Build the bag in a hidden sibling directory, validate it, then rename it into place.

    Raises OSError (a full disk, a missing master file) after removing the partial bag.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".partial-{destination.name}-", dir=destination.parent))
    try:
        for media in package.files:
            target = partial / media.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if media.text is not None:
                target.write_bytes(media.text.encode("utf-8"))
            else:
                copy_stored(media, target)
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
        (metadata / "events.premis.xml").write_bytes(premis_events(package, digests))
        bagit.make_bag(str(partial), bag_info(package, version), processes=1, checksums=CHECKSUMS)
        os.chmod(partial, 0o755)  # noqa: S103 (mkdtemp makes 0700; bags are shared)
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(partial, destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return destination


def copy_bag(source: Path, destination: Path) -> Path:
    """Copy a finished bag to another disk, check the copy, and only then make it visible."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".partial-{destination.name}-", dir=destination.parent))
    try:
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
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(partial, destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return destination


def manifest_digest(bag_dir: Path) -> str:
    """SHA-256 of the bag's SHA-256 payload manifest: one value naming the bag's content."""
    return hashlib.sha256((bag_dir / "manifest-sha256.txt").read_bytes()).hexdigest()


# --- PREMIS ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    when: Any
    event_type: str
    outcome: str
    detail: str
    agent: str
    objects: tuple[str, ...]
    identifier: str


def collect_events(package: PlannedPackage) -> list[Event]:
    """The item's preservation history from the media, page log and archive tables."""
    item = package.item
    events: list[Event] = []
    refs = {media.object_ref: media.path for media in package.files}
    master_ids = [int(r.split(":")[1]) for r in refs if r.startswith("master:")]
    for master in MediaMaster.objects.filter(pk__in=master_ids).select_related("uploaded_by"):
        events.append(
            Event(
                master.created_at,
                "ingestion",
                "success",
                f"upload {master.original_name}; sha256 {master.sha256}",
                master.uploaded_by.get_username() if master.uploaded_by else "cms",
                (f"data/{refs[f'master:{master.pk}']}",),
                f"master-{master.pk}-ingest",
            )
        )
        events.append(
            Event(
                master.created_at,
                "message digest calculation",
                "success",
                f"SHA-256 {master.sha256}",
                "cms",
                (f"data/{refs[f'master:{master.pk}']}",),
                f"master-{master.pk}-digest",
            )
        )
    renditions = MediaRendition.objects.filter(
        master_id__in=master_ids, status=RenditionStatus.DONE
    )
    for rendition in renditions:
        path = refs.get(f"rendition:{rendition.pk}")
        if path is None or rendition.finished_at is None:
            continue
        events.append(
            Event(
                rendition.finished_at,
                "migration",
                "success",
                f"transcode to profile {rendition.profile}",
                "media_pipeline/ffmpeg",
                (f"data/{path}",),
                f"rendition-{rendition.pk}-transcode",
            )
        )
    page_ids = [version.pk for version in item.versions]
    for entry in PageLogEntry.objects.filter(
        page_id__in=page_ids, action__in=list(PAGE_EVENTS)
    ).select_related("user"):
        events.append(
            Event(
                entry.timestamp,
                PAGE_EVENTS[entry.action],
                "success",
                f"{entry.action} page {entry.page_id} ({entry.label})",
                entry.user.get_username() if entry.user else "cms",
                (),
                f"pagelog-{entry.pk}",
            )
        )
    master_events = ArchiveEvent.objects.filter(master_id__in=master_ids)
    for event in ArchiveEvent.objects.filter(translation_key=item.translation_key) | master_events:
        events.append(
            Event(
                event.created_at,
                {"export": "replication", "fixity_check": "fixity check"}.get(
                    event.event_type, event.event_type
                ),
                event.outcome,
                " ".join(x for x in (event.target, event.object_name, event.detail) if x),
                event.agent or "cms.archive",
                (),
                f"archive-{event.pk}",
            )
        )
    events.sort(key=lambda e: (e.when, e.identifier))
    return events


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def premis_events(package: PlannedPackage, digests: dict[str, str] | None = None) -> bytes:
    nsmap = {"premis": PREMIS_NS, "xsi": XSI_NS}
    root = etree.Element(f"{{{PREMIS_NS}}}premis", nsmap=nsmap, version="3.0")
    root.set(
        f"{{{XSI_NS}}}schemaLocation",
        f"{PREMIS_NS} https://www.loc.gov/standards/premis/premis.xsd",
    )

    def sub(parent: Any, name: str, text: str | None = None) -> Any:
        element = etree.SubElement(parent, f"{{{PREMIS_NS}}}{name}")
        if text is not None:
            element.text = text
        return element

    # PREMIS 3 needs at least one object before the events: the item (an intellectual
    # entity) and every content file of the bag, with its size, digest and format.
    entity = sub(root, "object")
    entity.set(f"{{{XSI_NS}}}type", "premis:intellectualEntity")
    identifier = sub(entity, "objectIdentifier")
    sub(identifier, "objectIdentifierType", "urn:uuid")
    sub(identifier, "objectIdentifierValue", f"urn:uuid:{package.item.translation_key}")
    for media in package.files:
        node = sub(root, "object")
        node.set(f"{{{XSI_NS}}}type", "premis:file")
        identifier = sub(node, "objectIdentifier")
        sub(identifier, "objectIdentifierType", "bag path")
        sub(identifier, "objectIdentifierValue", f"data/{media.path}")
        characteristics = sub(node, "objectCharacteristics")
        digest = (digests or {}).get(media.path) or media.sha256
        if digest:
            fixity = sub(characteristics, "fixity")
            sub(fixity, "messageDigestAlgorithm", "SHA-256")
            sub(fixity, "messageDigest", digest)
        if media.size is not None:
            sub(characteristics, "size", str(media.size))
        designation = sub(sub(characteristics, "format"), "formatDesignation")
        sub(designation, "formatName", media.mime)
        sub(node, "originalName", Path(media.path).name)

    agents: dict[str, str] = {}
    events = collect_events(package)
    for event in events:
        node = sub(root, "event")
        identifier = sub(node, "eventIdentifier")
        sub(identifier, "eventIdentifierType", "local")
        sub(identifier, "eventIdentifierValue", event.identifier)
        sub(node, "eventType", event.event_type)
        sub(node, "eventDateTime", event.when.isoformat())
        sub(sub(node, "eventDetailInformation"), "eventDetail", event.detail)
        sub(sub(node, "eventOutcomeInformation"), "eventOutcome", event.outcome)
        agent = sub(node, "linkingAgentIdentifier")
        sub(agent, "linkingAgentIdentifierType", "local")
        sub(agent, "linkingAgentIdentifierValue", event.agent)
        software = event.agent == "cms" or "/" in event.agent or event.agent.startswith("cms.")
        agents.setdefault(event.agent, "software" if software else "person")
        for path in event.objects:
            linked = sub(node, "linkingObjectIdentifier")
            sub(linked, "linkingObjectIdentifierType", "bag path")
            sub(linked, "linkingObjectIdentifierValue", path)
    for name, kind in sorted(agents.items()):
        agent = sub(root, "agent")
        identifier = sub(agent, "agentIdentifier")
        sub(identifier, "agentIdentifierType", "local")
        sub(identifier, "agentIdentifierValue", name)
        sub(agent, "agentName", name)
        sub(agent, "agentType", kind)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
