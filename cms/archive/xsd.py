"""Validation against the official XML schemas, offline.

The schemas are vendored in ``schema/vendor/`` (provenance in its README). They, and the
documents the archive emits, name each other by their official URLs; a resolver maps those
URLs to the vendored files, and the parser refuses the network, so validation never
depends on (or waits for) openarchives.org, dublincore.org, w3.org or loc.gov.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from cms.archive.oai_formats import VN_CMS_NS, VN_CMS_XSD

VENDOR_DIR = Path(__file__).resolve().parent / "schema" / "vendor"

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
PREMIS_NS = "http://www.loc.gov/premis/v3"

# Official location (and the other spellings met in the wild) -> vendored file.
OFFICIAL: dict[str, str] = {
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": "oai_dc.xsd",
    "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd": "oai-identifier.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.loc.gov/standards/premis/v3/premis-v3-0.xsd": "premis-v3-0.xsd",
    "http://www.loc.gov/standards/premis/v3/premis.xsd": "premis-v3-0.xsd",
}
# The project's own format schema, served at /oai/schemas/vn_cms.xsd.
VN_CMS_LOCATION = "urn:cms:schema:vn_cms.xsd"


class VendoredResolver(etree.Resolver):
    """Answers every official schema URL with the vendored copy."""

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        if not system_url:
            return None
        url = system_url.replace("https://", "http://", 1)
        if url in OFFICIAL:
            return self.resolve_filename(str(VENDOR_DIR / OFFICIAL[url]), context)
        if url == VN_CMS_LOCATION or url.endswith("/oai/schemas/vn_cms.xsd"):
            return self.resolve_string(VN_CMS_XSD, context)
        return None


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(VendoredResolver())
    return parser


def _wrapper(imports: dict[str, str]) -> etree.XMLSchema:
    lines = [
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">'
    ]
    for namespace, location in imports.items():
        lines.append(f'  <xs:import namespace="{namespace}" schemaLocation="{location}"/>')
    lines.append("</xs:schema>")
    document = etree.fromstring(
        "\n".join(lines).encode(), _parser(), base_url=str(VENDOR_DIR / "wrapper.xsd")
    )
    return etree.XMLSchema(etree.ElementTree(document))


@cache
def oai_pmh_schema() -> etree.XMLSchema:
    """OAI-PMH 2.0 responses with every format and description this repository emits:
    OAI-PMH.xsd + oai_dc.xsd + oai-identifier.xsd + vn_cms.xsd."""
    return _wrapper(
        {
            OAI_NS: "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
            OAI_DC_NS: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            OAI_IDENTIFIER_NS: "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
            VN_CMS_NS: VN_CMS_LOCATION,
        }
    )


@cache
def premis_schema() -> etree.XMLSchema:
    return _wrapper({PREMIS_NS: "http://www.loc.gov/standards/premis/v3/premis-v3-0.xsd"})


def parse(content: bytes) -> etree._Element:
    return etree.fromstring(content, _parser())


def assert_valid_oai(content: bytes) -> etree._Element:
    """Parse an OAI-PMH response and raise ``etree.DocumentInvalid`` unless it is valid."""
    document = parse(content)
    oai_pmh_schema().assertValid(document)
    return document


def assert_valid_premis(content: bytes) -> etree._Element:
    document = parse(content)
    premis_schema().assertValid(document)
    return document
