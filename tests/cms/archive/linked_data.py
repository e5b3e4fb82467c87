"""Linked-data checks of the archive record with tools this project did not write.

- ``lost_keys``: pyld expands the record (offline: any remote context is refused) and every
  key of the compacted record, at every depth, must reach the expanded form as an absolute
  IRI, with as many values as the record has. A key without a term in the ``@context``
  (pyld drops it) or a prefix nobody defined (it would stay ``foo:bar``) is reported.
- ``edm_graph`` / ``shape_violations``: the record as RDF (pyld's N-Quads read by rdflib)
  checked by pySHACL against ``cms/archive/schema/edm-shapes.ttl``.
- ``structure_problems``: what RDF cannot show (a repeated literal is one triple).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pyld import jsonld
from pyshacl import validate
from rdflib import Graph

from cms.archive import metadata_profile

ABSOLUTE = ("http://", "https://", "urn:")


def refuse_network(url: str, options: Any = None) -> Any:
    raise AssertionError(f"the record's @context asked for a remote document: {url}")


def expand(record: dict[str, Any]) -> list[dict[str, Any]]:
    return jsonld.expand(record, {"documentLoader": refuse_network})  # type: ignore[arg-type]


@cache
def _term_iri(context_json: str, key: str) -> str | None:
    """The IRI a key expands to under the record's context, or None when pyld drops it."""
    context = json.loads(context_json)
    expanded = jsonld.expand(
        {"@context": context, "@id": "urn:x", key: "probe"},
        {"documentLoader": refuse_network},  # type: ignore[arg-type]
    )
    if not expanded:
        return None
    keys = [k for k in expanded[0] if not k.startswith("@")]
    return keys[0] if keys else None


def _reverse_iri(context: dict[str, Any], key: str) -> str | None:
    definition = context.get(key)
    if isinstance(definition, dict) and "@reverse" in definition:
        return str(definition["@reverse"])
    return None


def lost_keys(record: dict[str, Any]) -> list[str]:
    """Every place where a key of the record does not survive expansion whole."""
    context = record["@context"]
    context_json = json.dumps(context, sort_keys=True)
    expanded = expand(record)
    assert len(expanded) == 1, "the record is one top-level node"
    problems: list[str] = []

    def values(value: Any) -> list[Any]:
        items = value if isinstance(value, list) else [value]
        return [v for v in items if v is not None]

    def compare(compact: Any, full: Any, path: str) -> None:
        if isinstance(compact, dict) and ("@value" in compact or "@id" in compact):
            if not isinstance(full, dict):
                problems.append(f"{path}: became {full!r}")
                return
            for key in ("@value", "@language", "@id"):
                if key in compact and compact[key] != full.get(key):
                    problems.append(f"{path}/{key}: {compact[key]!r} became {full.get(key)!r}")
            nested = {k: v for k, v in compact.items() if not k.startswith("@")}
            if nested:
                compare_node(compact, full, path)
            return
        if isinstance(compact, dict):
            compare_node(compact, full, path)
            return
        # A scalar: a value object (or an @id when the term coerces to IRIs).
        if not isinstance(full, dict) or (full.get("@value", full.get("@id")) != compact):
            problems.append(f"{path}: {compact!r} became {full!r}")

    def compare_node(compact: dict[str, Any], full: dict[str, Any], path: str) -> None:
        if not isinstance(full, dict):
            problems.append(f"{path}: the object became {full!r}")
            return
        types = compact.get("@type")
        for n, kind in enumerate(values(types)):
            got = full.get("@type", [])
            if n >= len(got) or not str(got[n]).startswith(ABSOLUTE):
                problems.append(f"{path}/@type: {kind!r} is not an absolute IRI when expanded")
        for key, value in compact.items():
            if key.startswith("@"):
                continue
            here = f"{path}/{key}"
            wanted = values(value)
            reverse = _reverse_iri(context, key)
            if reverse is not None:
                got = full.get("@reverse", {}).get(_absolute(context, reverse), [])
                if len(got) != len(wanted):
                    problems.append(f"{here}: {len(wanted)} reverse values, {len(got)} kept")
                    continue
                for n, (a, b) in enumerate(zip(wanted, got, strict=True)):
                    compare(a, b, f"{here}[{n}]")
                continue
            iri = _term_iri(context_json, key)
            if iri is None:
                problems.append(f"{here}: dropped (no IRI in the @context)")
                continue
            if not iri.startswith(ABSOLUTE):
                problems.append(f"{here}: expands to {iri!r}, not an absolute IRI")
                continue
            got = full.get(iri)
            if got is None:
                if wanted:
                    problems.append(f"{here}: dropped ({iri})")
                continue
            if len(got) != len(wanted):
                problems.append(f"{here}: {len(wanted)} values, {len(got)} kept ({iri})")
                continue
            for n, (a, b) in enumerate(zip(wanted, got, strict=True)):
                compare(a, b, f"{here}[{n}]")

    compare_node(record, expanded[0], "")
    return problems


def _absolute(context: dict[str, Any], compact_iri: str) -> str:
    prefix, _, suffix = compact_iri.partition(":")
    base = context.get(prefix)
    return f"{base}{suffix}" if isinstance(base, str) else compact_iri


def edm_graph(record: dict[str, Any]) -> Graph:
    quads = jsonld.to_rdf(
        record,
        {"format": "application/n-quads", "documentLoader": refuse_network},  # type: ignore[arg-type]
    )
    graph = Graph()
    graph.parse(data=quads, format="nt")  # the record has no named graph: N-Quads are N-Triples
    return graph


@cache
def shapes() -> Graph:
    graph = Graph()
    graph.parse(metadata_profile.EDM_SHAPES_PATH, format="turtle")
    return graph


def shape_violations(record: dict[str, Any]) -> str | None:
    """None when the record's graph conforms to the EDM shapes, else pySHACL's report."""
    conforms, _graph, text = validate(
        edm_graph(record), shacl_graph=shapes(), inference="none", advanced=True
    )
    return None if conforms else str(text)


def structure_problems(record: dict[str, Any]) -> list[str]:
    """Checks on the JSON that RDF cannot make (identical literals are one triple)."""
    problems: list[str] = []
    for key, value in record.items():
        if key.startswith(("dc:", "dcterms:")) and isinstance(value, list):
            seen: list[Any] = []
            for item in value:
                if item in seen:
                    problems.append(f"{key} repeats {item!r}")
                seen.append(item)
    spatial = {
        place.get("@id") for place in record.get("dcterms:spatial", []) if isinstance(place, dict)
    }
    for unit in record["cms:tags"]["cms:coverage"]:
        if metadata_profile.place_iri(unit["code"]) not in spatial:
            problems.append(f"dcterms:spatial lacks the administrative unit {unit['code']}")
    return problems
