"""The two metadata formats the archive disseminates, rendered from the JSON-LD record.

- ``oai_dc``: simple Dublin Core, every language's value with ``xml:lang``;
- ``vn_cms``: the full metadata profile: the JSON-LD record itself, embedded verbatim (as text) in a
  small XML wrapper that also names the record code and the schema. Embedding keeps one
  source of truth: the national database reads the same JSON-LD that is in every bag and
  that ``schema/item.schema.json`` validates, instead of a second XML vocabulary that could
  drift from it.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from cms.archive.metadata_profile import DC_ELEMENTS, METADATA_PROFILE_NS

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
VN_CMS_NS = f"{METADATA_PROFILE_NS}oai/"

FORMATS: dict[str, dict[str, str]] = {
    "oai_dc": {
        "schema": "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "namespace": OAI_DC_NS,
    },
    "vn_cms": {
        "schema": "",  # absolute URL to /oai/schemas/vn_cms.xsd, filled in by the view
        "namespace": VN_CMS_NS,
    },
}


def oai_dc(record: dict[str, Any]) -> etree._Element:
    root = etree.Element(
        f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    root.set(
        f"{{{XSI_NS}}}schemaLocation",
        f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    )
    for name in DC_ELEMENTS:
        for value in record.get(f"dc:{name}", []):
            element = etree.SubElement(root, f"{{{DC_NS}}}{name}")
            if isinstance(value, dict) and "@value" in value:
                element.text = value["@value"]
                element.set(XML_LANG, value["@language"])
            elif isinstance(value, dict):
                element.text = value.get("@id", "")
            else:
                element.text = str(value)
    return root


def vn_cms(record: dict[str, Any], schema_url: str = "") -> etree._Element:
    root = etree.Element(f"{{{VN_CMS_NS}}}record", nsmap={"vn": VN_CMS_NS, "xsi": XSI_NS})
    if schema_url:
        root.set(f"{{{XSI_NS}}}schemaLocation", f"{VN_CMS_NS} {schema_url}")
    root.set("recordCode", record["arc:record"]["arc:recordCode"])
    root.set("id", record["@id"])
    body = etree.SubElement(root, f"{{{VN_CMS_NS}}}jsonld")
    body.set("contentType", "application/ld+json")
    body.set("schema", "https://schemas.tuyentruyen.gov.vn/cms/item.schema.json")
    body.text = json.dumps(record, ensure_ascii=False, sort_keys=True)
    return root


VN_CMS_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{VN_CMS_NS}"
           xmlns:vn="{VN_CMS_NS}" elementFormDefault="qualified">
  <xs:element name="record">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="jsonld">
          <xs:complexType>
            <xs:simpleContent>
              <xs:extension base="xs:string">
                <xs:attribute name="contentType" type="xs:string" use="required"/>
                <xs:attribute name="schema" type="xs:anyURI" use="required"/>
              </xs:extension>
            </xs:simpleContent>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:attribute name="recordCode" type="xs:string" use="required"/>
      <xs:attribute name="id" type="xs:anyURI" use="required"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""
