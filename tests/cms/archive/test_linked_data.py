"""Issue 15, defects 6 and 7: the JSON-LD record loses nothing when expanded (pyld), and
its EDM graph has the shape the Europeana mapping guidelines ask for (rdflib + pySHACL
against the vendored ``cms/archive/schema/edm-shapes.ttl``).

Checked for a multilingual radio segment (vi, km, cjm, each its own recording), a video and
an exhibition, so every optional key of the record (exhibition items, type-specific fields,
poster, subtitles, file sizes and digests) is present in at least one record.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from rdflib import RDF, Literal, Namespace, URIRef

from cms.archive import metadata_profile
from cms.archive.items import load_item
from cms.archive.record import validated_record

from .linked_data import edm_graph, expand, lost_keys, shape_violations, structure_problems

# A video in vi, km (own subtitles) and cjm with a poster; the exhibition in vi and km.
from .test_roundtrip import bilingual_exhibition, video_item  # noqa: F401

EDM = Namespace("http://www.europeana.eu/schemas/edm/")
ORE = Namespace("http://www.openarchives.org/ore/terms/")
DC = Namespace("http://purl.org/dc/elements/1.1/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
DCMITYPE = Namespace("http://purl.org/dc/dcmitype/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
CMS = Namespace(metadata_profile.CMS_VOCABULARY)


def more_items(request: Any) -> list[Any]:
    return [request.getfixturevalue(name) for name in ("video_item", "bilingual_exhibition")]


def records(*pages: Any) -> list[dict[str, Any]]:
    found = []
    for page in pages:
        item = load_item(page.translation_key)
        assert item is not None
        found.append(validated_record(item)[0])
    return found


@pytest.mark.django_db
def test_expansion_loses_no_key(radio_item, request) -> None:
    for record in records(radio_item, *more_items(request)):
        assert lost_keys(record) == []
        # Spot checks of what pyld used to drop: the files, the versions, the providers.
        node = expand(record)[0]
        files = node[str(CMS.files)]
        assert len(files) == len(record["cms:files"])
        for described, expanded in zip(record["cms:files"], files, strict=True):
            assert expanded[str(CMS.path)] == [{"@value": described["path"]}]
            assert expanded[str(CMS.mimeType)] == [{"@value": described["mimeType"]}]
            if "sha256" in described:
                assert expanded[str(CMS.sha256)] == [{"@value": described["sha256"]}]
        assert len(node[str(CMS.versions)]) == len(record["cms:versions"])


@pytest.mark.django_db
def test_a_key_without_an_iri_is_caught(radio_item) -> None:
    """The check itself: a new key nobody gave an IRI is reported, at any depth."""
    (record,) = records(radio_item)
    broken = copy.deepcopy(record)
    broken["cms:files"][0]["checksumNote"] = "x"
    broken["cms:versions"][0]["fields"]["newField"] = "y"
    broken["nowhere:thing"] = "z"
    problems = lost_keys(broken)
    assert any("/cms:files[0]/checksumNote: dropped" in p for p in problems), problems
    assert any("/fields[0]/newField: dropped" in p for p in problems), problems
    assert any("/nowhere:thing: expands to 'nowhere:thing'" in p for p in problems), problems


@pytest.mark.django_db
def test_providers_are_named_organisations(radio_item) -> None:
    (record,) = records(radio_item)
    graph = edm_graph(record)
    aggregations = list(graph.subjects(RDF.type, ORE.Aggregation))
    assert len(aggregations) == 1
    for prop in (EDM.dataProvider, EDM.provider):
        (organisation,) = graph.objects(aggregations[0], prop)
        assert isinstance(organisation, URIRef), f"{prop} is a blank node"
        assert (organisation, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Organization")) in graph
        assert list(graph.objects(organisation, SKOS.prefLabel)), f"{prop} has no name"


@pytest.mark.django_db
def test_edm_shape(radio_item, request) -> None:
    for record in records(radio_item, *more_items(request)):
        assert shape_violations(record) is None, shape_violations(record)
        assert structure_problems(record) == []


@pytest.mark.django_db
def test_edm_mapping_of_a_multilingual_item(radio_item) -> None:
    """One ProvidedCHO with language-tagged literals and one aggregation: isShownAt and
    isShownBy once (the default-language version), the other languages' recordings as
    edm:hasView; edm:type on the CHO; DCMI type and rights as IRIs (http form)."""
    (record,) = records(radio_item)
    graph = edm_graph(record)
    cho = URIRef(record["@id"])
    (aggregation,) = graph.subjects(EDM.aggregatedCHO, cho)
    assert (cho, RDF.type, EDM.ProvidedCHO) in graph
    assert list(graph.objects(cho, EDM.type)) == [Literal("SOUND")]
    assert not list(graph.objects(aggregation, EDM.type))
    assert not list(graph.predicates(cho, None)) or EDM.aggregation not in set(
        graph.predicates(cho, None)
    )
    (shown_at,) = graph.objects(aggregation, EDM.isShownAt)
    assert str(shown_at) == record["cms:versions"][0]["url"]
    (shown_by,) = graph.objects(aggregation, EDM.isShownBy)
    views = set(graph.objects(aggregation, EDM.hasView))
    assert len(views) == 2 and shown_by not in views  # the km and cjm recordings
    assert (cho, DC.type, DCMITYPE.Sound) in graph
    assert not [t for t in graph.objects(cho, DC.type) if str(t) == "Sound"]
    (rights,) = graph.objects(aggregation, EDM.rights)
    assert str(rights) == "http://creativecommons.org/licenses/by/4.0/"
    titles = {t.language: str(t) for t in graph.objects(cho, DC.title)}
    assert titles["vi"] == "Quyền trẻ em ở thôn bản" and titles["km"] == "សិទ្ធិកុមារនៅតាមភូមិ"

    # Coverage: each name once; the administrative units as edm:Place.
    coverage = [v["@value"] for v in record["dc:coverage"] if isinstance(v, dict)]
    assert len(coverage) == len(set(coverage))
    places = set(graph.objects(cho, DCTERMS.spatial))
    codes = {unit["code"] for unit in record["cms:tags"]["cms:coverage"]}
    assert places == {URIRef(metadata_profile.place_iri(code)) for code in codes}
    for place in places:
        assert (place, RDF.type, EDM.Place) in graph
        assert list(graph.objects(place, SKOS.prefLabel))


@pytest.mark.django_db
def test_shapes_catch_the_old_mapping(radio_item) -> None:
    """The shapes fail the mapping issue 15 found: edm:type on the aggregation, one
    isShownAt per language, an edm:aggregation property, a DCMI type as a literal, an
    https Creative Commons URI, a nameless provider."""
    (record,) = records(radio_item)
    aggregation = record[metadata_profile.AGGREGATION_KEY]
    cases: dict[str, Any] = {}
    moved = copy.deepcopy(record)
    moved[metadata_profile.AGGREGATION_KEY]["edm:type"] = moved.pop("edm:type")
    cases["edm:type on the aggregation"] = moved
    twice = copy.deepcopy(record)
    twice[metadata_profile.AGGREGATION_KEY]["edm:isShownAt"] = [
        aggregation["edm:isShownAt"],
        {"@id": "http://cms.test/km/x/"},
    ]
    cases["two isShownAt"] = twice
    not_edm = copy.deepcopy(record)
    not_edm["edm:aggregation"] = {"@id": aggregation["@id"]}
    cases["edm:aggregation"] = not_edm
    literal_type = copy.deepcopy(record)
    literal_type["dc:type"] = ["Sound"]
    cases["DCMI type as a literal"] = literal_type
    https = copy.deepcopy(record)
    https[metadata_profile.AGGREGATION_KEY]["edm:rights"] = {
        "@id": "https://creativecommons.org/licenses/by/4.0/"
    }
    cases["https rights"] = https
    nameless = copy.deepcopy(record)
    nameless[metadata_profile.AGGREGATION_KEY]["edm:provider"] = {"cms:note": "x"}
    cases["nameless provider"] = nameless
    for label, broken in cases.items():
        assert shape_violations(broken) is not None, label


def test_bags_exported_before_issue_15_still_restore_their_rights_and_units() -> None:
    """The importer reads an older record: ``edm:aggregation`` and an https CC URI."""
    old = {
        "edm:aggregation": {"edm:rights": {"@id": "https://creativecommons.org/licenses/by/4.0/"}}
    }
    aggregation = metadata_profile.aggregation_of(old)
    assert metadata_profile.rights_code(aggregation["edm:rights"]["@id"]) == "cc_by_4"
    assert metadata_profile.rights_code("http://creativecommons.org/licenses/by/4.0/") == "cc_by_4"
    assert metadata_profile.rights_code("http://example.org/other") == ""
