"""Issue 15, defect 3: a deleted record keeps every set it ever belonged to.

An exhibition in Vietnamese and English, unpublished in the admin (vi first, then en) by an
approver: a harvester of ``set=language:vi`` must see the deleted header, and that header
names every set the record was ever in.
"""

from __future__ import annotations

import pytest
from django.test import Client

from cms.archive import catalog, xsd
from cms.archive.models import ArchiveItem
from tests.cms.archive.conftest import translate, unpublish_in_admin

NS = {"o": "http://www.openarchives.org/OAI/2.0/"}


def harvest(spec: str, method: str = "get") -> list[tuple[str, str | None, list[str]]]:
    """ListIdentifiers for one set, every response validated: (identifier, status, sets)."""
    response = getattr(Client(), method)(
        "/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": spec}
    )
    root = xsd.assert_valid_oai(response.content)
    if root.find("o:error", NS) is not None:
        assert root.find("o:error", NS).get("code") == "noRecordsMatch"
        return []
    return [
        (
            header.findtext("o:identifier", namespaces=NS),
            header.get("status"),
            header.xpath("o:setSpec/text()", namespaces=NS),
        )
        for header in root.iterfind(".//o:header", NS)
    ]


@pytest.mark.django_db
def test_deleted_record_stays_in_every_set_it_was_in(
    exhibition_item, make_user, django_capture_on_commit_callbacks
) -> None:
    english = translate(exhibition_item, "en", title="Gender equality posters and photos")
    row = catalog.sync_item(exhibition_item.translation_key)
    assert row is not None and not row.deleted
    identifier = f"oai:archive.test.vn:{exhibition_item.translation_key}"
    assert [h[:2] for h in harvest("language:vi")] == [(identifier, None)]
    assert [h[:2] for h in harvest("language:en")] == [(identifier, None)]
    approver = make_user("duyet", "approver")

    unpublish_in_admin(approver, exhibition_item, django_capture_on_commit_callbacks)
    # Still live in English: shown in its current sets only.
    (live,) = harvest("language:en")
    assert live[1] is None and "language:vi" not in live[2]

    unpublish_in_admin(approver, english, django_capture_on_commit_callbacks)
    assert ArchiveItem.objects.get(translation_key=exhibition_item.translation_key).deleted
    for method in ("get", "post"):
        for spec in ("language:vi", "language:en", "type:exhibition"):
            headers = harvest(spec, method)
            assert [h[:2] for h in headers] == [(identifier, "deleted")], (spec, headers)
            assert {"language:vi", "language:en", "type:exhibition"} <= set(headers[0][2])
    # GetRecord's header names the same sets.
    response = Client().get(
        "/oai/", {"verb": "GetRecord", "metadataPrefix": "vn_cms", "identifier": identifier}
    )
    root = xsd.assert_valid_oai(response.content)
    assert root.find(".//o:header", NS).get("status") == "deleted"
    assert "language:vi" in root.xpath("//o:header/o:setSpec/text()", namespaces=NS)


@pytest.mark.django_db
def test_republished_record_is_shown_in_its_current_sets_only(exhibition_item) -> None:
    english = translate(exhibition_item, "en", title="Gender equality posters and photos")
    catalog.sync_item(exhibition_item.translation_key)
    english.unpublish()
    catalog.sync_item(exhibition_item.translation_key)
    assert harvest("language:en") == []
    (live,) = harvest("language:vi")
    assert live[1] is None and "language:en" not in live[2]
