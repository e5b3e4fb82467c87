"""The plan report is a page of Wagtail's reports viewset: the slim header with breadcrumbs
naming the scope, and every figures table a ui.tables component with its caption."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_report_page_has_wagtails_header_and_table_components(client, make_user) -> None:
    client.force_login(make_user("quantri", "administrator"))
    body = client.get("/admin/reports/", {"period": "year", "year": "2025"}).content.decode()
    assert 'data-controller="w-breadcrumbs"' in body
    tables = re.findall(r'<table[^>]*class="listing"[^>]*>.*?</table>', body, re.S)
    assert len(tables) >= 2  # the indicator and the sections
    assert all('<caption class="w-sr-only">' in t for t in tables)
    assert 'data-table="indicator"' in tables[0]
    assert all('<th scope="col">' in t for t in tables)
    # the files of the report shown, through the viewset's URL names
    assert 'href="/admin/reports/export.xlsx?period=year&amp;year=2025"' in body


def test_report_page_refuses_those_who_see_no_figures(client, make_user) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    assert client.get("/admin/reports/").status_code in (302, 403)
