"""Issue 15, defect 4: withdrawals reach the stores on the next normal export run.

An exported item in vi, km and cjm is unpublished in the admin, language by language (vi
first), by an approver with CSRF enforced; the catalogue follows on commit, so its row is
already deleted. The next plain ``export_archive`` run (no ``--item``) writes a tombstone
version in both stores, titled in the record's own language (vi), and moves ``latest.json``.
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from cms.archive.models import ArchiveItem, ItemVersion, VersionKind
from tests.cms.archive.conftest import unpublish_in_admin

BUCKETS = ("national-archive", "second-copy")


def stored_json(s3: Any, bucket: str, name: str) -> Any:
    return json.loads(s3.client().get_object(Bucket=bucket, Key=name)["Body"].read())


def run_export() -> str:
    out = StringIO()
    call_command("export_archive", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_withdrawn_item_gets_a_tombstone_on_the_next_normal_run(
    s3, radio_item, make_user, django_capture_on_commit_callbacks
) -> None:
    key = radio_item.translation_key
    assert "exported: 1" in run_export()
    for bucket in BUCKETS:
        assert stored_json(s3, bucket, f"cms/items/{key}/latest.json")["version"] == 1

    approver = make_user("duyet", "approver")
    versions = sorted(
        radio_item.get_translations(inclusive=True), key=lambda p: p.locale.language_code != "vi"
    )
    assert versions[0].locale.language_code == "vi"
    for page in versions:
        unpublish_in_admin(approver, page, django_capture_on_commit_callbacks)
    row = ArchiveItem.objects.get(translation_key=key)
    assert row.deleted  # the row flipped before the export run

    output = run_export()
    assert "withdrawn: 1" in output, output
    for bucket in BUCKETS:
        latest = stored_json(s3, bucket, f"cms/items/{key}/latest.json")
        assert latest == {"version": 2, "kind": "tombstone", "label": "v0002"}
        tombstone = stored_json(s3, bucket, f"cms/items/{key}/v0002.tombstone.json")
        assert tombstone["title"] == "Quyền trẻ em ở thôn bản"
        assert tombstone["language"] == "vi"
        assert tombstone["previousVersion"] == 1
    kinds = list(ItemVersion.objects.filter(item=row).values_list("kind", flat=True))
    assert kinds == [VersionKind.BAG, VersionKind.TOMBSTONE]
    # Nothing more to do on the run after.
    assert "withdrawn: 0" in run_export()


@pytest.mark.django_db
def test_deleted_item_gets_a_tombstone_titled_from_its_last_record(
    s3, radio_item, django_capture_on_commit_callbacks
) -> None:
    key = radio_item.translation_key
    assert "exported: 1" in run_export()
    with django_capture_on_commit_callbacks(execute=True):
        for page in sorted(
            radio_item.get_translations(inclusive=True),
            key=lambda p: p.locale.language_code == "vi",  # vi, the default, deleted last
        ):
            page.delete()
    assert ArchiveItem.objects.get(translation_key=key).deleted
    assert "withdrawn: 1" in run_export()
    for bucket in BUCKETS:
        tombstone = stored_json(s3, bucket, f"cms/items/{key}/v0002.tombstone.json")
        assert (tombstone["language"], tombstone["title"]) == ("vi", "Quyền trẻ em ở thôn bản")
        assert stored_json(s3, bucket, f"cms/items/{key}/latest.json")["kind"] == "tombstone"
