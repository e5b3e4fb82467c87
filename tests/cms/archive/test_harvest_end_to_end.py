"""Issue 15, "done when": export, harvest and validate everything with tools this project did
not write, withdraw, export and harvest again.

1. Three items (a radio segment in vi/km/cjm, an exhibition, a one-language bulletin) are
   exported to two S3 stores (moto_server on loopback).
2. Every bag in both stores: ``bagit`` validates it (both manifests), its
   ``events.premis.xml`` is valid against the official PREMIS 3 XSD, its ``oai_dc.xml``
   against oai_dc.xsd, its ``record.jsonld`` loses no key when pyld expands it and its
   graph conforms to the EDM shapes (pySHACL).
3. sickle harvests the live server (small pages, so resumption tokens are used), GET and
   POST, every verb, both formats, every set; each response is validated against the
   official OAI-PMH schemas (lxml) before sickle reads it, and each ``vn_cms`` record gets
   the JSON-LD checks too.
4. The radio segment is unpublished in the admin language by language; the exhibition is
   deleted. The next plain export writes a tombstone to both stores for each; the next
   harvest of every set either belonged to shows it as a deleted header.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import bagit
import pytest
from django.core.management import call_command
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

from cms.archive import metadata_profile, xsd
from cms.archive.models import ArchiveItem
from cms.archive.oai_formats import VN_CMS_NS
from cms.archive.targets import S3Target

from .conftest import new_radio, unpublish_in_admin
from .linked_data import lost_keys, shape_violations, structure_problems

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BUCKETS = ("national-archive", "second-copy")
PREFIXES = ("oai_dc", "vn_cms")


class ValidatingSickle(Sickle):
    """sickle, with every response validated against the official schemas first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validated = 0
        self.records: list[dict[str, Any]] = []

    def harvest(self, **kwargs: Any) -> Any:
        response = super().harvest(**kwargs)
        try:
            root = xsd.assert_valid_oai(response.http_response.content)
        except etree.DocumentInvalid as error:
            raise AssertionError(
                f"{self.http_method} {kwargs}: {error}\n{response.raw[:3000]}"
            ) from error
        self.validated += 1
        for body in root.iter(f"{{{VN_CMS_NS}}}jsonld"):
            self.records.append(json.loads(body.text or ""))
        return response


def run_export() -> str:
    out = StringIO()
    call_command("export_archive", stdout=out)
    return out.getvalue()


def stored_json(s3: Any, bucket: str, name: str) -> Any:
    return json.loads(s3.client().get_object(Bucket=bucket, Key=name)["Body"].read())


def check_record(record: dict[str, Any], where: str) -> None:
    metadata_profile.validate(record)
    assert lost_keys(record) == [], where
    violations = shape_violations(record)
    assert violations is None, f"{where}: {violations}"
    assert structure_problems(record) == [], where


def check_bags(s3: Any, keys: list[str], dest: Path) -> int:
    """Download and validate the latest bag of every item from both stores."""
    checked = 0
    for bucket in BUCKETS:
        target = S3Target(bucket, "cms", s3.url)
        for key in keys:
            latest = stored_json(s3, bucket, f"cms/items/{key}/latest.json")
            assert latest["kind"] == "bag", latest
            bag_dir = dest / bucket / key
            target.download_prefix(f"items/{key}/{latest['label']}", bag_dir)
            bag = bagit.Bag(str(bag_dir))
            bag.validate()  # every payload and tag file against both manifests
            metadata = bag_dir / "data" / "metadata"
            try:
                xsd.assert_valid_premis((metadata / "events.premis.xml").read_bytes())
                xsd.oai_pmh_schema().assertValid(xsd.parse((metadata / "oai_dc.xml").read_bytes()))
            except etree.DocumentInvalid as error:
                raise AssertionError(f"{bucket} {key}: {error}") from error
            check_record(
                json.loads((metadata / "record.jsonld").read_text(encoding="utf-8")),
                f"{bucket} {key}",
            )
            checked += 1
    return checked


def harvest_everything(sickle: ValidatingSickle) -> dict[str, dict[str, Any]]:
    """Every verb, both formats, every set; returns each header's state and sets."""
    sickle.Identify()
    formats = [f.metadataPrefix for f in sickle.ListMetadataFormats()]
    assert formats == list(PREFIXES)
    specs = [s.setSpec for s in sickle.ListSets()]
    assert "language:vi" in specs and "language:km" in specs
    headers: dict[str, dict[str, Any]] = {}
    for prefix in PREFIXES:
        for record in sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=False):
            header = record.header
            headers[header.identifier] = {
                "deleted": header.deleted,
                "sets": set(header.setSpecs),
            }
        for header in sickle.ListIdentifiers(metadataPrefix=prefix, ignore_deleted=False):
            assert headers[header.identifier]["deleted"] == header.deleted
        for identifier in headers:
            record = sickle.GetRecord(identifier=identifier, metadataPrefix=prefix)
            assert record.header.deleted == headers[identifier]["deleted"]
    by_set: dict[str, set[str]] = {}
    for spec in specs:
        try:
            found = sickle.ListIdentifiers(metadataPrefix="oai_dc", set=spec, ignore_deleted=False)
            by_set[spec] = {h.identifier for h in found if h.deleted}
        except NoRecordsMatch:
            by_set[spec] = set()
    for identifier, state in headers.items():
        state["deleted_in_sets"] = {spec for spec, ids in by_set.items() if identifier in ids}
    return headers


def test_export_harvest_validate_withdraw_and_harvest_again(
    live_server: Any,
    settings: Any,
    s3: Any,
    section: Any,
    samples: Path,
    radio_item: Any,
    exhibition_item: Any,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "OAI_PAGE_SIZE": 2}
    bulletin = new_radio(section, samples, 1)
    items = {
        "radio": radio_item.translation_key,
        "exhibition": exhibition_item.translation_key,
        "bulletin": bulletin.translation_key,
    }
    keys = [str(key) for key in items.values()]
    identifier = {name: f"oai:archive.test.vn:{key}" for name, key in items.items()}

    # 1-2. Export; every bag in both stores is valid by every validator.
    output = run_export()
    assert "exported: 3" in output, output
    assert check_bags(s3, keys, tmp_path / "first") == 6

    # 3. Harvest everything, GET and POST; every response valid, every record sound.
    for method in ("GET", "POST"):
        sickle = ValidatingSickle(
            f"{live_server.url}/oai/", http_method=method, max_retries=0, timeout=60
        )
        headers = harvest_everything(sickle)
        assert set(headers) == set(identifier.values())
        assert not any(state["deleted"] for state in headers.values())
        assert sickle.records, "no vn_cms record was harvested"
        for record in sickle.records:
            check_record(record, f"{method} vn_cms {record['@id']}")
    before = headers
    radio_sets = before[identifier["radio"]]["sets"]
    assert {"language:vi", "language:km", "language:cjm"} <= radio_sets

    # 4. Withdraw: the radio segment unpublished language by language (vi first) in the
    # admin, the exhibition deleted.
    approver = make_user("duyet", "approver")
    for page in sorted(
        radio_item.get_translations(inclusive=True), key=lambda p: p.locale.language_code != "vi"
    ):
        unpublish_in_admin(approver, page, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        exhibition_item.delete()
    assert ArchiveItem.objects.filter(deleted=True).count() == 2

    output = run_export()
    assert "withdrawn: 2" in output, output
    for bucket in BUCKETS:
        for name in ("radio", "exhibition"):
            latest = stored_json(s3, bucket, f"cms/items/{items[name]}/latest.json")
            assert latest == {"version": 2, "kind": "tombstone", "label": "v0002"}, latest
            tombstone = stored_json(s3, bucket, f"cms/items/{items[name]}/v0002.tombstone.json")
            assert tombstone["language"] == "vi" and tombstone["previousVersion"] == 1
        latest = stored_json(s3, bucket, f"cms/items/{items['bulletin']}/latest.json")
        assert latest["kind"] == "bag"
    assert check_bags(s3, [str(items["bulletin"])], tmp_path / "second") == 2

    # The harvest after: deleted headers for both, in every set each ever belonged to.
    for method in ("GET", "POST"):
        sickle = ValidatingSickle(
            f"{live_server.url}/oai/", http_method=method, max_retries=0, timeout=60
        )
        after = harvest_everything(sickle)
        for name in ("radio", "exhibition"):
            state = after[identifier[name]]
            assert state["deleted"], name
            ever = before[identifier[name]]["sets"]
            assert ever <= state["sets"], (name, ever, state["sets"])
            assert ever <= state["deleted_in_sets"], (name, ever, state["deleted_in_sets"])
        assert not after[identifier["bulletin"]]["deleted"]
        for record in sickle.records:
            check_record(record, f"{method} vn_cms {record['@id']}")
