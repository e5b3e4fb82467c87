"""Issue 15, defect 8: PREMIS events name their vocabulary (the Library of Congress
preservation event types, the project's own for editorial events), link the objects they
act on, files are related to the item, formats carry PRONOM identifiers found by FIDO,
software agents carry their versions, and deleting a language version is an event.
Every events.premis.xml is checked against the official PREMIS 3 schema (vendored)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import fido
import pytest
from lxml import etree
from wagtail.actions.delete_page import DeletePageAction
from wagtail.models import Locale

from cms.archive import xsd
from cms.archive.exporter import export
from cms.archive.targets import DirectoryTarget

NS = {"p": "http://www.loc.gov/premis/v3"}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
LOC = "http://id.loc.gov/vocabulary/preservation/eventType"
# The Library of Congress event types (id.loc.gov, 2017 revision) this project uses.
LOC_TERMS = {
    "ingestion": "ing",
    "message digest calculation": "mes",
    "format identification": "for",
    "migration": "mig",
    "creation": "cre",
    "dissemination": "dis",
    "deletion": "del",
    "replication": "rep",
    "deaccession": "dea",
    "fixity check": "fix",
    "recovery": "rec",
}


def premis(bag_dir: Path) -> etree._Element:
    content = (bag_dir / "data/metadata/events.premis.xml").read_bytes()
    return xsd.assert_valid_premis(content)


def events(tree: etree._Element) -> list[dict[str, Any]]:
    found = []
    for node in tree.findall("p:event", NS):
        kind = node.find("p:eventType", NS)
        found.append(
            {
                "type": kind.text,
                "attrs": dict(kind.attrib),
                "agent": node.findtext(
                    "p:linkingAgentIdentifier/p:linkingAgentIdentifierValue", namespaces=NS
                ),
                "objects": [
                    (
                        link.findtext("p:linkingObjectIdentifierType", namespaces=NS),
                        link.findtext("p:linkingObjectIdentifierValue", namespaces=NS),
                    )
                    for link in node.findall("p:linkingObjectIdentifier", NS)
                ],
                "detail": node.findtext("p:eventDetailInformation/p:eventDetail", namespaces=NS),
            }
        )
    return found


def fido_cli(paths: list[Path]) -> dict[str, set[str]]:
    """PUIDs from FIDO's own command line (its identify_file path), to cross-check."""
    result = subprocess.run(
        [sys.executable, "-m", "fido.fido", "-q", "-nocontainer", *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, set[str]] = {}
    for row in csv.reader(io.StringIO(result.stdout)):
        if row and row[0] == "OK":
            found.setdefault(row[6], set()).add(row[2])
    return found


@pytest.mark.django_db
def test_events_formats_relationships_and_agents(radio_item, tmp_path) -> None:
    key = str(radio_item.translation_key)
    usb = tmp_path / "usb"
    assert export([DirectoryTarget(usb)]).ok
    bag = usb / "items" / key / "v0001"
    tree = premis(bag)
    item_id = ("urn:uuid", f"urn:uuid:{key}")

    found = events(tree)
    labels = {e["type"] for e in found}
    assert {"creation", "dissemination", "ingestion", "format identification"} <= labels
    assert not labels & {"publication", "import"}  # not LoC terms
    for event in found:
        attrs = event["attrs"]
        assert set(attrs) == {"authority", "authorityURI", "valueURI"}, event
        if event["type"] in LOC_TERMS:
            assert attrs["authorityURI"] == LOC
            assert attrs["valueURI"] == f"{LOC}/{LOC_TERMS[event['type']]}"
        else:  # the editorial events LoC has no term for
            assert event["type"] in {"approval", "rejection", "unpublication"}
            assert attrs["valueURI"].endswith(f"eventType#{event['type']}")
        if event["type"] in ("creation", "dissemination"):
            assert item_id in event["objects"], event
        assert event["objects"], event  # every event says what it acted on

    # Every file object is part of the item and has a PRONOM format from FIDO.
    files = [o for o in tree.findall("p:object", NS) if o.get(XSI_TYPE) == "premis:file"]
    assert len(files) >= 4
    puids: dict[str, str] = {}
    for node in files:
        path = node.findtext("p:objectIdentifier/p:objectIdentifierValue", namespaces=NS)
        relationship = node.find("p:relationship", NS)
        assert relationship is not None, path
        assert relationship.findtext("p:relationshipType", namespaces=NS) == "structural"
        assert relationship.find("p:relationshipSubType", NS).get("valueURI", "").endswith("/isi")
        assert (
            relationship.findtext(
                "p:relatedObjectIdentifier/p:relatedObjectIdentifierValue", namespaces=NS
            )
            == item_id[1]
        )
        fmt = node.find("p:objectCharacteristics/p:format", NS)
        assert fmt.findtext("p:formatRegistry/p:formatRegistryName", namespaces=NS) == "PRONOM"
        puids[path] = fmt.findtext("p:formatRegistry/p:formatRegistryKey", namespaces=NS)
    by_cli = fido_cli([bag / p for p in puids])
    for path, puid in puids.items():
        assert puid in by_cli[str(bag / path)], (path, puid)
    names = {
        node.findtext("p:objectIdentifier/p:objectIdentifierValue", namespaces=NS): node.findtext(
            "p:objectCharacteristics/p:format/p:formatDesignation/p:formatName", namespaces=NS
        )
        for node in files
    }
    assert "Waveform" in next(n for p, n in names.items() if p.endswith(".wav"))
    assert "Ogg" in next(n for p, n in names.items() if p.endswith(".ogg"))
    assert "MPEG" in next(n for p, n in names.items() if p.endswith(".mp3"))

    # Software agents carry their version; FIDO names its PRONOM signature file.
    agents = {
        a.findtext("p:agentIdentifier/p:agentIdentifierValue", namespaces=NS): a
        for a in tree.findall("p:agent", NS)
    }
    software = [
        a for a in agents.values() if a.findtext("p:agentType", namespaces=NS) == "software"
    ]
    assert software
    for agent in software:
        assert agent.findtext("p:agentVersion", namespaces=NS), etree.tostring(agent)
    (fido_agent,) = [a for a in software if a.findtext("p:agentName", namespaces=NS) == "fido"]
    assert fido_agent.findtext("p:agentVersion", namespaces=NS) == fido.__version__
    notes = " ".join(n.text for n in fido_agent.findall("p:agentNote", NS))
    assert "formats-v" in notes and "PRONOM" in notes
    for event in found:
        assert event["agent"] in agents


@pytest.mark.django_db
def test_deleting_a_language_version_is_a_deletion_event(radio_item, make_user, tmp_path) -> None:
    key = str(radio_item.translation_key)
    usb = tmp_path / "usb"
    assert export([DirectoryTarget(usb)]).ok
    archivist = make_user("quantri", is_superuser=True, is_staff=True)
    km = radio_item.get_translation(Locale.objects.get(language_code="km"))
    DeletePageAction(km, user=archivist).execute()

    report = export([DirectoryTarget(usb)])
    assert [(o.status, o.version) for o in report.outcomes] == [("exported", 2)]
    deletions = [
        e for e in events(premis(usb / "items" / key / "v0002")) if e["type"] == "deletion"
    ]
    assert len(deletions) == 1
    (deletion,) = deletions
    assert deletion["attrs"]["valueURI"] == f"{LOC}/del"
    assert deletion["agent"] == "quantri"
    assert ("urn:uuid", f"urn:uuid:{key}") in deletion["objects"]
    assert f"page {km.pk} (km)" in deletion["detail"]
