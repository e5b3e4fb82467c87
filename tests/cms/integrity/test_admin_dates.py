"""Dates typed in the admin are read as Vietnamese write them, or refused; never replaced.

A reporter saves the page editor's form (Client with CSRF checks, the form as the edit view
renders it) with the production date typed in each accepted form; the draft's revision holds
that day and the editor shows it back as dd/mm/yyyy. What cannot be read is refused with a
Vietnamese error and the stored date stays as it was.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from benchmarks.html_forms import FormFields
from cms.content.dates import AdminDateInput

pytestmark = [pytest.mark.django_db]

STORED = datetime.date(2025, 10, 1)
ERROR = "Không đọc được ngày này"


@pytest.fixture
def item(section: Any) -> Any:
    from cms.content.models import RadioSegmentPage

    page = RadioSegmentPage(
        title="Nước sạch cho đồng bào", slug="nuoc-sach", live=False, production_date=STORED
    )
    section.add_child(instance=page)
    page.save_revision()
    return page


@pytest.fixture
def reporter(make_user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("phongvien", "reporter"))
    return client


def edit_form(client: Client, page: Any) -> tuple[str, dict[str, list[str]]]:
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    parser = FormFields("page-edit-form")
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return html, data


def save_draft(client: Client, page: Any, typed: str) -> Any:
    _html, data = edit_form(client, page)
    assert "production_date" in data
    data["production_date"] = [typed]
    return client.post(f"/admin/pages/{page.pk}/edit/", data)


def saved_date(page: Any) -> datetime.date | None:
    page.refresh_from_db()
    return page.get_latest_revision_as_object().production_date


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("30/11/2026", datetime.date(2026, 11, 30)),
        ("30-11-2026", datetime.date(2026, 11, 30)),
        ("30.11.2026", datetime.date(2026, 11, 30)),
        (" 30/11/2026 ", datetime.date(2026, 11, 30)),
        ("1/2/2026", datetime.date(2026, 2, 1)),
        ("2026-11-30", datetime.date(2026, 11, 30)),
    ],
)
def test_typed_dates_are_read_day_first(reporter: Client, item: Any, typed: str, expected: Any):
    response = save_draft(reporter, item, typed)
    assert response.status_code == 302, ERROR in response.content.decode()
    assert saved_date(item) == expected
    # The editor shows it back the way it is typed.
    _html, data = edit_form(reporter, item)
    assert data["production_date"] == [expected.strftime("%d/%m/%Y")]


@pytest.mark.parametrize("typed", ["31/02/2026", "abc", "2026-13-01", "11/30/2026"])
def test_unreadable_dates_are_refused_in_vietnamese(reporter: Client, item: Any, typed: str):
    response = save_draft(reporter, item, typed)
    assert response.status_code == 200
    body = response.content.decode()
    assert ERROR in body
    assert "Enter a valid date" not in body
    assert saved_date(item) == STORED


def test_the_english_admin_reads_the_same_day(reporter: Client, item: Any, make_user: Any):
    """The widget shows day/month/year in every admin language, so English reads it too
    (Django's English input formats would read 01/02/2026 as 2 January)."""
    from wagtail.users.models import UserProfile

    user = make_user("english", "reporter")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = save_draft(client, item, "01/02/2026")
    assert response.status_code == 302
    assert saved_date(item) == datetime.date(2026, 2, 1)


def test_the_picker_keeps_what_was_typed() -> None:
    """The jQuery picker puts today in the box on blur when its own format cannot read the
    text; the widget turns that off and uses the server's display format."""
    config = AdminDateInput().get_config()
    assert config["validateOnBlur"] is False
    assert config["format"] == "d/m/Y"
