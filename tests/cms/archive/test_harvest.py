"""A real harvester (sickle) harvests the whole repository over HTTP with resumption tokens
while new items are published between its requests, and gets every record exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

from cms.archive.models import ArchiveItem

from .conftest import new_radio

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_harvest_while_items_are_published(
    live_server: Any, settings: Any, section: Any, samples: Path
) -> None:
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "OAI_PAGE_SIZE": 3}
    for n in range(8):
        new_radio(section, samples, n)  # catalogued by the publish signal, after commit
    existing = {
        f"oai:archive.test.vn:{key}"
        for key in ArchiveItem.objects.values_list("translation_key", flat=True)
    }
    assert len(existing) == 8

    sickle = Sickle(f"{live_server.url}/oai/", max_retries=0, timeout=30)
    harvested: list[str] = []
    responses = []
    records = sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False)
    added = 100
    for record in records:
        harvested.append(record.header.identifier)
        assert record.metadata["title"][0].startswith("Bản tin số ")
        if len(harvested) % 3 == 1:  # in the middle of every page: publish another item
            new_radio(section, samples, added)
            added += 1
        responses.append(records.oai_response)
        assert len(harvested) < 50, "the harvest does not end"
    assert len(harvested) == len(set(harvested)), "a record came twice"
    assert set(harvested) == existing
    assert len({id(r) for r in responses}) == 3  # three pages of three, three and two

    # The next incremental harvest (from the first response's date) picks up the new items.
    first_date = responses[0].xml.findtext("{http://www.openarchives.org/OAI/2.0/}responseDate")
    later = {
        header.identifier
        for header in sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": first_date})
    }
    new_keys = set(
        ArchiveItem.objects.exclude(
            translation_key__in=[i.rsplit(":", 1)[1] for i in existing]
        ).values_list("translation_key", flat=True)
    )
    assert len(new_keys) == added - 100
    assert {f"oai:archive.test.vn:{key}" for key in new_keys} <= later

    with pytest.raises(NoRecordsMatch):
        list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="language:km"))
