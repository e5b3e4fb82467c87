"""PREMIS 3 preservation metadata of a bag (``data/metadata/events.premis.xml``).

Objects: the item (an intellectual entity) and every content file (bag path, SHA-256,
size, PRONOM format from FIDO, original name, and a structural "is included in"
relationship to the item). Events: the item's history from the media, page log and
archive tables, plus the history carried over from the bag an item was restored from.
Agents: people by user name, software by name and version.

Every ``eventType`` names its vocabulary (``authority``/``authorityURI``/``valueURI``):
the Library of Congress preservation event types where one fits, the project's own
vocabulary (``METADATA_PROFILE_NS/eventType``) for the three editorial events it does not cover.
The mapping and the reasons are in docs/archive.md ("PREMIS vocabulary").
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from lxml import etree
from wagtail.models import PageLogEntry

from cms.archive import formats
from cms.archive.metadata_profile import METADATA_PROFILE_NS
from cms.archive.models import ArchiveEvent, EventType
from cms.media.models import MediaMaster, MediaRendition, RenditionStatus

if TYPE_CHECKING:
    from cms.archive.package import BagPlan

PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
LOC = "http://id.loc.gov/vocabulary/preservation"
LOC_EVENT_TYPE = f"{LOC}/eventType"
LOCAL_EVENT_TYPE = f"{METADATA_PROFILE_NS}eventType"

# The project's event -> (PREMIS eventType label, LoC code; None: the project's own term).
EVENT_TYPES: dict[str, tuple[str, str | None]] = {
    "ingestion": ("ingestion", "ing"),  # a master uploaded
    "message digest calculation": ("message digest calculation", "mes"),  # its SHA-256
    "format identification": ("format identification", "for"),  # FIDO, when the bag is built
    "migration": ("migration", "mig"),  # a rendition transcoded from the master
    "creation": ("creation", "cre"),  # wagtail.create
    "publication": ("dissemination", "dis"),  # wagtail.publish: made available to users
    "approval": ("approval", None),  # editorial workflow, no LoC term
    "rejection": ("rejection", None),
    "unpublication": ("unpublication", None),  # withdrawn from the public site only
    EventType.DELETION: ("deletion", "del"),  # a language version deleted
    EventType.EXPORT: ("replication", "rep"),  # a bag copied to a store
    EventType.WITHDRAWAL: ("deaccession", "dea"),  # a tombstone version written
    EventType.FIXITY_CHECK: ("fixity check", "fix"),
    EventType.IMPORT: ("recovery", "rec"),  # restored from a bag after a deletion
}
# Labels found in bags written before the types carried their vocabulary.
LEGACY_LABELS = {"publication": "publication", "import": EventType.IMPORT}
PAGE_EVENTS = {
    "wagtail.create": "creation",
    "wagtail.workflow.approve": "approval",
    "wagtail.workflow.reject": "rejection",
    "wagtail.publish": "publication",
    "wagtail.unpublish": "unpublication",
}
ITEM_ID_TYPE = "urn:uuid"
PATH_ID_TYPE = "bag path"


@dataclass(frozen=True)
class EventKind:
    label: str
    authority: str
    authority_uri: str
    value_uri: str

    @classmethod
    def of(cls, kind: str) -> EventKind:
        label, code = EVENT_TYPES[kind]
        if code is None:
            return cls(label, "cms-eventType", LOCAL_EVENT_TYPE, f"{LOCAL_EVENT_TYPE}#{label}")
        return cls(label, "eventType", LOC_EVENT_TYPE, f"{LOC_EVENT_TYPE}/{code}")


@dataclass(frozen=True)
class Event:
    when: datetime
    kind: EventKind
    outcome: str
    detail: str
    agent: str  # an agent identifier (see ``Agent``)
    objects: tuple[tuple[str, str], ...]  # (identifier type, value)
    identifier: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.identifier, self.when.isoformat(), self.kind.label)


@dataclass
class Agent:
    identifier: str
    name: str
    kind: str  # person | software
    version: str = ""
    notes: list[str] = field(default_factory=list)


# --- Agents --------------------------------------------------------------------------


@cache
def cms_version() -> str:
    try:
        data = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text("utf-8"))
        return str(data["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


@cache
def ffmpeg_version() -> str:
    from media_pipeline.ffmpeg_adapter import FFMPEG_BIN

    try:
        result = subprocess.run(
            [FFMPEG_BIN, "-version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    match = re.match(r"ffmpeg version (\S+)", result.stdout)
    return match.group(1) if match else "unknown"


def is_software(name: str) -> bool:
    return name in ("cms", "fido") or "/" in name or name.startswith("cms.")


def agent_for(name: str) -> Agent:
    """People by user name; software by name and the version running when the bag was
    built (bags are built once, so that is also the version that wrote the events of
    the build itself)."""
    if not is_software(name):
        return Agent(name, name, "person")
    if name == "fido":
        version = formats.FIDO_VERSION
        notes = [formats.agent_note(), "Open Preservation Foundation FIDO (opf-fido)"]
    elif name.startswith("media_pipeline"):
        version = ffmpeg_version()
        notes = ["FFmpeg through the project's media_pipeline; version when the bag was built"]
    else:
        import django
        import wagtail

        version = cms_version()
        notes = [f"Wagtail {wagtail.__version__}, Django {django.__version__}"]
    return Agent(f"{name}@{version}", name, "software", version, notes)


# --- Events --------------------------------------------------------------------------


def collect_events(
    package: BagPlan,
    formats_found: dict[str, formats.FormatMatch | None] | None = None,
    built_at: datetime | None = None,
) -> tuple[list[Event], dict[str, Agent]]:
    """The item's preservation history and its agents."""
    item = package.item
    entity = ((ITEM_ID_TYPE, f"urn:uuid:{item.translation_key}"),)
    events: list[Event] = []
    agents: dict[str, Agent] = {}

    def agent(name: str) -> str:
        found = agent_for(name)
        agents.setdefault(found.identifier, found)
        return found.identifier

    def path(value: str) -> tuple[tuple[str, str], ...]:
        return ((PATH_ID_TYPE, value),)

    # History carried over from the bags the item was restored from (oldest first).
    imports = list(
        ArchiveEvent.objects.filter(translation_key=item.translation_key, event_type="import")
        .exclude(premis="")
        .order_by("created_at", "pk")
    )
    for imported in imports:
        carried_events, carried_agents = parse_history(imported.premis.encode("utf-8"))
        events.extend(carried_events)
        for identifier, carried in carried_agents.items():
            agents.setdefault(identifier, carried)
    restored_at = max((event.created_at for event in imports), default=None)

    refs = {media.object_ref: media.path for media in package.files}
    master_ids = [int(r.split(":")[1]) for r in refs if r.startswith("master:")]
    for master in MediaMaster.objects.filter(pk__in=master_ids).select_related("uploaded_by"):
        file_path = path(f"data/{refs[f'master:{master.pk}']}")
        uploader = master.uploaded_by.get_username() if master.uploaded_by else "cms"
        events.append(
            Event(
                master.created_at,
                EventKind.of("ingestion"),
                "success",
                f"upload {master.original_name}; sha256 {master.sha256}",
                agent(uploader),
                file_path,
                f"master-{master.pk}-ingest",
            )
        )
        events.append(
            Event(
                master.created_at,
                EventKind.of("message digest calculation"),
                "success",
                f"SHA-256 {master.sha256}",
                agent("cms"),
                file_path,
                f"master-{master.pk}-digest",
            )
        )
    renditions = MediaRendition.objects.filter(
        master_id__in=master_ids, status=RenditionStatus.DONE
    )
    for rendition in renditions:
        rendition_path = refs.get(f"rendition:{rendition.pk}")
        if rendition_path is None or rendition.finished_at is None:
            continue
        source = refs.get(f"master:{rendition.master_id}")
        events.append(
            Event(
                rendition.finished_at,
                EventKind.of("migration"),
                "success",
                f"transcode to profile {rendition.profile}",
                agent("media_pipeline/ffmpeg"),
                (path(f"data/{source}") if source else ()) + path(f"data/{rendition_path}"),
                f"rendition-{rendition.pk}-transcode",
            )
        )
    page_ids = [version.pk for version in item.versions]
    entries = PageLogEntry.objects.filter(page_id__in=page_ids, action__in=list(PAGE_EVENTS))
    if restored_at is not None:
        # The restore itself created and published every version: those entries are the
        # recovery event; the history before it came with the source bag.
        entries = entries.filter(timestamp__gt=restored_at)
    for entry in entries.select_related("user"):
        events.append(
            Event(
                entry.timestamp,
                EventKind.of(PAGE_EVENTS[entry.action]),
                "success",
                f"{entry.action} page {entry.page_id} ({entry.label})",
                agent(entry.user.get_username() if entry.user else "cms"),
                entity,
                f"pagelog-{entry.pk}",
            )
        )
    master_events = ArchiveEvent.objects.filter(master_id__in=master_ids)
    for row in ArchiveEvent.objects.filter(translation_key=item.translation_key) | master_events:
        if row.event_type not in EVENT_TYPES:
            continue
        events.append(
            Event(
                row.created_at,
                EventKind.of(row.event_type),
                row.outcome,
                " ".join(x for x in (row.target, row.object_name, row.detail) if x),
                agent(row.agent or "cms.archive"),
                entity,
                f"archive-{row.pk}",
            )
        )
    if formats_found and built_at is not None:
        found = [p for p, match in formats_found.items() if match is not None]
        by_signature = sum(1 for m in formats_found.values() if m and m.basis == "signature")
        events.append(
            Event(
                built_at,
                EventKind.of("format identification"),
                "success" if len(found) == len(formats_found) else "partial",
                f"PRONOM formats of {len(formats_found)} file(s): {by_signature} by signature, "
                f"{len(found) - by_signature} by extension, "
                f"{len(formats_found) - len(found)} not identified",
                agent("fido"),
                tuple((PATH_ID_TYPE, f"data/{p}") for p in sorted(formats_found)),
                f"format-identification-{built_at.strftime('%Y%m%dT%H%M%S.%fZ')}",
            )
        )
    unique: dict[tuple[str, str, str], Event] = {}
    for found_event in events:  # carried events first: a table row they list is skipped
        unique.setdefault(found_event.key, found_event)
    ordered = sorted(unique.values(), key=lambda e: (e.when, e.identifier))
    used = {e.agent for e in ordered}
    return ordered, {k: v for k, v in agents.items() if k in used}


def _q(name: str) -> str:
    return f"{{{PREMIS_NS}}}{name}"


def parse_history(content: bytes) -> tuple[list[Event], dict[str, Agent]]:
    """The events and agents of a bag's events.premis.xml (for a restore)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    root = etree.fromstring(content, parser)
    events: list[Event] = []
    for node in root.iter(_q("event")):
        type_node = node.find(_q("eventType"))
        label = (type_node.text or "").strip() if type_node is not None else ""
        value_uri = type_node.get("valueURI", "") if type_node is not None else ""
        if value_uri and type_node is not None:
            kind = EventKind(
                label,
                type_node.get("authority", ""),
                type_node.get("authorityURI", ""),
                value_uri,
            )
        else:
            legacy = LEGACY_LABELS.get(label)
            by_label = {v[0]: k for k, v in EVENT_TYPES.items()}
            name = legacy or by_label.get(label)
            kind = EventKind(label, "", "", "") if name is None else EventKind.of(name)
        objects = tuple(
            (
                link.findtext(_q("linkingObjectIdentifierType"), ""),
                link.findtext(_q("linkingObjectIdentifierValue"), ""),
            )
            for link in node.findall(_q("linkingObjectIdentifier"))
        )
        events.append(
            Event(
                datetime.fromisoformat(node.findtext(_q("eventDateTime"), "")),
                kind,
                node.findtext(f"{_q('eventOutcomeInformation')}/{_q('eventOutcome')}", ""),
                node.findtext(f"{_q('eventDetailInformation')}/{_q('eventDetail')}", ""),
                node.findtext(
                    f"{_q('linkingAgentIdentifier')}/{_q('linkingAgentIdentifierValue')}", ""
                ),
                objects,
                node.findtext(f"{_q('eventIdentifier')}/{_q('eventIdentifierValue')}", ""),
            )
        )
    agents: dict[str, Agent] = {}
    for node in root.iter(_q("agent")):
        identifier = node.findtext(f"{_q('agentIdentifier')}/{_q('agentIdentifierValue')}", "")
        agents[identifier] = Agent(
            identifier,
            node.findtext(_q("agentName"), identifier),
            node.findtext(_q("agentType"), ""),
            node.findtext(_q("agentVersion"), ""),
            [n.text or "" for n in node.findall(_q("agentNote"))],
        )
    return events, agents


# --- The document --------------------------------------------------------------------


def premis_events(
    package: BagPlan,
    digests: dict[str, str] | None = None,
    formats_found: dict[str, formats.FormatMatch | None] | None = None,
    built_at: datetime | None = None,
) -> bytes:
    nsmap = {"premis": PREMIS_NS, "xsi": XSI_NS}
    root = etree.Element(_q("premis"), nsmap=nsmap, version="3.0")
    root.set(
        f"{{{XSI_NS}}}schemaLocation",
        f"{PREMIS_NS} http://www.loc.gov/standards/premis/v3/premis-v3-0.xsd",
    )
    item_id = f"urn:uuid:{package.item.translation_key}"

    def sub(parent: Any, name: str, text: str | None = None, **attributes: str) -> Any:
        element = etree.SubElement(parent, _q(name), **attributes)
        if text is not None:
            element.text = text
        return element

    def vocabulary(scheme: str, code: str) -> dict[str, str]:
        return {"authority": scheme, "authorityURI": f"{LOC}/{scheme}", "valueURI": code}

    # PREMIS 3 needs at least one object before the events: the item (an intellectual
    # entity) and every content file of the bag, with its size, digest and format.
    entity = sub(root, "object")
    entity.set(f"{{{XSI_NS}}}type", "premis:intellectualEntity")
    identifier = sub(entity, "objectIdentifier")
    sub(identifier, "objectIdentifierType", ITEM_ID_TYPE)
    sub(identifier, "objectIdentifierValue", item_id)
    for media in package.files:
        node = sub(root, "object")
        node.set(f"{{{XSI_NS}}}type", "premis:file")
        identifier = sub(node, "objectIdentifier")
        sub(identifier, "objectIdentifierType", PATH_ID_TYPE)
        sub(identifier, "objectIdentifierValue", f"data/{media.path}")
        characteristics = sub(node, "objectCharacteristics")
        digest = (digests or {}).get(media.path) or media.sha256
        if digest:
            fixity = sub(characteristics, "fixity")
            sub(fixity, "messageDigestAlgorithm", "SHA-256")
            sub(fixity, "messageDigest", digest)
        if media.size is not None:
            sub(characteristics, "size", str(media.size))
        _format(sub, characteristics, media.mime, (formats_found or {}).get(media.path))
        sub(node, "originalName", Path(media.path).name)
        relationship = sub(node, "relationship")
        sub(
            relationship,
            "relationshipType",
            "structural",
            **vocabulary("relationshipType", f"{LOC}/relationshipType/str"),
        )
        sub(
            relationship,
            "relationshipSubType",
            "is included in",
            **vocabulary("relationshipSubType", f"{LOC}/relationshipSubType/isi"),
        )
        related = sub(relationship, "relatedObjectIdentifier")
        sub(related, "relatedObjectIdentifierType", ITEM_ID_TYPE)
        sub(related, "relatedObjectIdentifierValue", item_id)

    events, agents = collect_events(package, formats_found, built_at)
    for event in events:
        node = sub(root, "event")
        identifier = sub(node, "eventIdentifier")
        sub(identifier, "eventIdentifierType", "local")
        sub(identifier, "eventIdentifierValue", event.identifier)
        kind = event.kind
        attributes = (
            {
                "authority": kind.authority,
                "authorityURI": kind.authority_uri,
                "valueURI": kind.value_uri,
            }
            if kind.value_uri
            else {}
        )
        sub(node, "eventType", kind.label, **attributes)
        sub(node, "eventDateTime", event.when.isoformat())
        sub(sub(node, "eventDetailInformation"), "eventDetail", event.detail)
        sub(sub(node, "eventOutcomeInformation"), "eventOutcome", event.outcome)
        agent = sub(node, "linkingAgentIdentifier")
        sub(agent, "linkingAgentIdentifierType", "local")
        sub(agent, "linkingAgentIdentifierValue", event.agent)
        for id_type, value in event.objects:
            linked = sub(node, "linkingObjectIdentifier")
            sub(linked, "linkingObjectIdentifierType", id_type)
            sub(linked, "linkingObjectIdentifierValue", value)
    for found in sorted(agents.values(), key=lambda a: a.identifier):
        agent = sub(root, "agent")
        identifier = sub(agent, "agentIdentifier")
        sub(identifier, "agentIdentifierType", "local")
        sub(identifier, "agentIdentifierValue", found.identifier)
        sub(agent, "agentName", found.name)
        sub(agent, "agentType", found.kind)
        if found.version:
            sub(agent, "agentVersion", found.version)
        for note in found.notes:
            sub(agent, "agentNote", note)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _format(sub: Any, parent: Any, mime: str, match: formats.FormatMatch | None) -> None:
    element = sub(parent, "format")
    designation = sub(element, "formatDesignation")
    sub(designation, "formatName", match.name if match else mime)
    if match and match.version:
        sub(designation, "formatVersion", match.version)
    if match:
        registry = sub(element, "formatRegistry")
        sub(registry, "formatRegistryName", "PRONOM")
        sub(registry, "formatRegistryKey", match.puid)
    sub(element, "formatNote", f"MIME type {mime}")
    if match:
        sub(
            element,
            "formatNote",
            f"identified by {match.basis} with FIDO {formats.FIDO_VERSION} "
            f"(PRONOM v{formats.signature_versions()['pronom']})",
        )
    else:
        sub(element, "formatNote", f"not identified by FIDO {formats.FIDO_VERSION}")


def identify_formats(root: Path, paths: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """PRONOM format of each (bag path under data/, MIME type) in a staged bag."""
    return {path: formats.identify(root / path, mime) for path, mime in paths}
