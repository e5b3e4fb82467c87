"""Co-operating units are searchable checkboxes, not a Ctrl-click list (issue 14, item 11)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def picker(html: str, name: str) -> str:
    """The checkbox list holding the inputs named ``name``."""
    for block in re.findall(
        r"<div class=\"checkbox-list.*?data-checkbox-list-empty.*?</div>", html, re.S
    ):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no checkbox list for {name}")


def test_cooperating_units_are_searchable_checkboxes(
    client: Any, make_user: Any, section: Any
) -> None:
    from cms.taxonomy.models import ProducingUnit

    ProducingUnit.objects.get_or_create(name="Trung tâm Văn hóa huyện Cao Lộc")
    client.force_login(make_user("phongvien", "reporter"))
    html = client.get(f"/admin/pages/add/content/radiosegmentpage/{section.pk}/").content.decode()

    assert not re.search(r'<select[^>]*name="cooperating_units"', html)
    units = picker(html, "cooperating_units")
    assert re.search(r'type="checkbox" name="cooperating_units"', units)
    assert 'aria-label="Tìm đơn vị"' in units
    assert "Không có đơn vị nào khớp." in units
    assert "ngày sản xuất" not in units  # the area's note is the area's alone

    area = picker(html, "coverage")
    assert 'aria-label="Tìm đơn vị hành chính"' in area
    assert "Chỉ hiện các đơn vị hành chính còn hiệu lực vào ngày sản xuất" in area
