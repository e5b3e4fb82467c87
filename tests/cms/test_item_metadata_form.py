"""The item form's metadata tab (issue 14, item 11): required fields are marked, topics,
audiences, channels and area are checkbox lists, the area offers the units valid on the
production date, and the server refuses a unit that was not valid then."""

from __future__ import annotations

import re
from typing import Any

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from cms.content.models import REQUIRED_METADATA, RadioSegmentPage
from cms.taxonomy.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def add_url(section: Any) -> str:
    return f"/admin/pages/add/content/radiosegmentpage/{section.pk}/"


@pytest.fixture
def reporter(client: Any, make_user: Any) -> Any:
    user = make_user("phongvien", "reporter")
    client.force_login(user)
    return user


def form_for(section: Any, user: Any, **values: Any) -> Any:
    form_class = RadioSegmentPage.get_edit_handler().get_form_class()
    lists = {name: value for name, value in values.items() if isinstance(value, list)}
    data = nested_form_data(
        {
            "title": "Nước sạch",
            "slug": "nuoc-sach",
            "comments": inline_formset([]),
            **{name: value for name, value in values.items() if name not in lists},
        }
    )
    data.update(lists)  # many-to-many values as lists (nested_form_data would number them)
    page = RadioSegmentPage(locale=section.locale)
    return form_class(data, instance=page, parent_page=section, for_user=user)


def label_html(html: str, name: str) -> str:
    match = re.search(rf'<label[^>]*for="id_{name}"[^>]*>.*?</label>', html, re.S)
    assert match, f"no label for {name}"
    return match.group(0)


def test_required_fields_are_marked_and_multi_selects_are_checkboxes(
    client: Any, reporter: Any, section: Any
) -> None:
    html = client.get(add_url(section)).content.decode()
    for name in [*REQUIRED_METADATA, "audio"]:
        assert re.search(
            rf'name="{name}"[^>]*data-required-for-submit|'
            rf'data-required-for-submit[^>]*name="{name}"',
            html,
        ), name
    for name in (
        "summary",
        "product_type",
        "producing_unit",
        "funding_source",
        "rights",
        "retention_period",
        "access_level",
        "production_date",
        "audio",
    ):
        assert "w-required-mark" in label_html(html, name), name
    for name in ("topics", "audiences", "channels", "coverage"):
        assert not re.search(rf'<select[^>]*name="{name}"', html), name
        assert re.search(rf'type="checkbox" name="{name}"', html), name
    assert "data-checkbox-list-search" in html  # the area picker has a search box


def test_area_picker_offers_the_units_of_the_production_date(reporter: Any, section: Any) -> None:
    old = AdministrativeUnit.objects.get(code="P-20")  # Lạng Sơn until 30/06/2025
    new = AdministrativeUnit.objects.get(code="P2025-20")

    def shown(day: str) -> set[str]:
        html = str(form_for(section, reporter, production_date=day)["coverage"])
        options = re.findall(
            r'<div class="checkbox-list__option"[^>]*?( hidden)?>.*?value="(\d+)"', html, re.S
        )
        return {pk for hidden, pk in options if not hidden}

    before, after = shown("01/05/2024"), shown("01/10/2025")
    assert str(old.pk) in before and str(new.pk) not in before
    assert str(new.pk) in after and str(old.pk) not in after


def test_a_unit_not_valid_on_the_production_date_is_refused(reporter: Any, section: Any) -> None:
    old = AdministrativeUnit.objects.get(code="P-20")
    form = form_for(section, reporter, production_date="01/10/2025", coverage=[str(old.pk)])
    form.defer_required_fields()  # even a draft
    assert not form.is_valid()
    assert "Không có hiệu lực vào ngày sản xuất 01/10/2025" in str(form.errors["coverage"])

    form = form_for(section, reporter, production_date="01/05/2024", coverage=[str(old.pk)])
    form.defer_required_fields()
    assert form.is_valid(), form.errors


def test_a_draft_may_still_leave_required_fields_empty(reporter: Any, section: Any) -> None:
    form = form_for(section, reporter)
    form.defer_required_fields()
    assert form.is_valid(), form.errors
    form = form_for(section, reporter)
    assert not form.is_valid()  # sending for approval: every one is asked for
    for name in [*REQUIRED_METADATA, "audio"]:
        assert name in form.errors, name
    assert "Chưa thể gửi duyệt hoặc xuất bản, còn thiếu: Tóm tắt" in str(form.non_field_errors())
