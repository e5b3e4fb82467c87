"""The metadata profile for the shared national database (docs/design.md#metadata-profile):
its vocabulary (namespaces, JSON-LD context, Dublin Core and EDM terms, IRIs) and the JSON
Schema a record is validated against (``schema/item.schema.json``).

One JSON-LD record per item: an item is every published language version of one page
(pages sharing a ``translation_key``), so a harvester sees the Khmer and Tày versions of a
radio segment as one archival record with several languages, never as unrelated records.
The record carries Dublin Core (all 15 elements), an EDM-style aggregation, the archival
fields of Circular 05/2025/TT-BNV and the project's own tags.

The work is split by job: ``items`` loads an item's language versions, ``readiness`` says
what it still lacks, ``files`` plans the files of its bag, ``record`` builds, validates and
serialises the record (and its OAI sets); this module holds what they share.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from cms.i18n.languages import LANGUAGES as CONTENT_LANGUAGES

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "item.schema.json"
METADATA_PROFILE_NS = "https://schemas.tuyentruyen.gov.vn/cms/"
CMS_VOCABULARY = f"{METADATA_PROFILE_NS}terms#"
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
    "arc": f"{METADATA_PROFILE_NS}archival#",
    "cms": CMS_VOCABULARY,
    AGGREGATION_KEY: {"@reverse": "edm:aggregatedCHO"},
    "code": "skos:notation",
    "name": "skos:prefLabel",
    **{term: f"cms:{term}" for term in CMS_TERMS},
}


def place_iri(code: str) -> str:
    """The IRI of an administrative unit (an ``edm:Place``), by its stable code."""
    return f"{METADATA_PROFILE_NS}id/administrative-unit/{code}"


def organisation_iri(kind: str, code: str) -> str:
    """The IRI of a producing unit or a providing province (a ``foaf:Organization``)."""
    return f"{METADATA_PROFILE_NS}id/{kind}/{code}"


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
BCP47 = {lang.code: lang.bcp47 for lang in CONTENT_LANGUAGES}


class RecordInvalid(Exception):
    """The record does not match the JSON Schema; the message names every problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


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
