"""Issue 15: every ``events.premis.xml`` the export writes validates against the vendored
official PREMIS v3 schema (premis-v3-0.xsd), offline (``cms.archive.xsd``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from lxml import etree

from cms.archive import xsd


@pytest.mark.django_db
def test_every_exported_premis_file_is_schema_valid(radio_item, exhibition_item, tmp_path):
    usb = tmp_path / "usb"
    call_command("export_archive", "--to-dir", str(usb))
    files = sorted(Path(usb).glob("items/*/v*/data/metadata/events.premis.xml"))
    assert len(files) == 2
    for path in files:
        try:
            xsd.assert_valid_premis(path.read_bytes())
        except etree.DocumentInvalid as error:
            raise AssertionError(f"{path}: {error}") from error


def test_the_premis_schema_refuses_an_invalid_event() -> None:
    bad = b'<premis xmlns="http://www.loc.gov/premis/v3" version="3.0"><event/></premis>'
    with pytest.raises(etree.DocumentInvalid):
        xsd.assert_valid_premis(bad)
