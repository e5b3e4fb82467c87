"""One item-type registry (issue 17, 1): every registered type provides the interface, and
the consumers (archive, stations, search, sharing, the publication rule of the model and
the form) take their per-type facts from it: changing a registered type changes what they
return, with no class test of their own to update."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import models
from django.test import RequestFactory
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from cms.content import itemtypes
from cms.content.itemtypes import (
    EXHIBITS,
    RECORDING,
    ItemKind,
    RadioSegmentKind,
    item_kinds,
    item_labels,
    kind_of,
)
from cms.content.models import (
    ExhibitionPage,
    ItemPage,
    RadioSegmentPage,
    SectionIndexPage,
    VideoPage,
)
from cms.content.publishing import REQUIRED_METADATA, required_fields
from cms.media.models import MediaKind, MediaMaster
from cms.search.models import ItemType


@pytest.fixture
def swap_radio() -> Iterator[Any]:
    """Register another behaviour for radio segments; the original comes back after."""
    original = kind_of(RadioSegmentPage)
    assert original is not None

    def swap(kind: ItemKind) -> ItemKind:
        itemtypes.register(kind)
        return kind

    yield swap
    itemtypes.register(original)


def test_every_registered_type_provides_the_interface() -> None:
    kinds = list(item_kinds())
    assert {k.label for k in kinds} == {
        "content.RadioSegmentPage",
        "content.VideoPage",
        "content.ExhibitionPage",
    }
    for kind in kinds:
        model = kind.model
        assert issubclass(model, ItemPage), kind.label
        assert kind_of(model) is kind and kind_of(model()) is kind
        assert ItemType(kind.search_code).label, kind.label
        assert kind.package_payload in (RECORDING, EXHIBITS)
        assert kind.media_field and kind.media_label
        assert model._meta.get_field(kind.media_field)
        if kind.master_field:
            field = model._meta.get_field(kind.master_field)
            assert isinstance(field, models.ForeignKey) and field.related_model is MediaMaster
            assert kind.master_kind in MediaKind.values
            assert kind.web_profiles and kind.schema_type
        for name in (kind.text_field, kind.subtitles_field, kind.poster_field):
            if name:
                model._meta.get_field(name)
        if kind.text_field:
            assert kind.text_role
        assert (kind.package_payload == EXHIBITS) == kind.has_exhibits
    assert kind_of(SectionIndexPage()) is None
    # the section's subpage types and the station's page chooser come from the registry
    assert SectionIndexPage.subpage_types == ["content.SectionIndexPage", *item_labels()]


def test_search_takes_the_type_code_and_spoken_text_from_the_registry(swap_radio: Any) -> None:
    from cms.search.indexing import body_text, item_models, item_type_of

    page = RadioSegmentPage(title="Nước sạch", script="Lời đọc", summary="Tóm tắt", credits="")
    assert item_type_of(page) == ItemType.RADIO_SEGMENT
    assert "Lời đọc" in body_text(page)

    class Spoken(RadioSegmentKind):
        search_code = "video"
        text_field = "summary"

    swap_radio(Spoken())
    assert item_type_of(page) == ItemType.VIDEO
    assert item_models()[RadioSegmentPage] == ItemType.VIDEO
    body = body_text(page)
    assert "Tóm tắt" in body and "Lời đọc" not in body


def test_archive_record_fields_and_item_membership_come_from_the_registry(
    swap_radio: Any,
) -> None:
    from cms.archive.items import _specific_versions, version_master
    from cms.archive.record import _bulletin_class, _page_fields

    page = RadioSegmentPage(title="Tin", air_from=datetime.datetime(2025, 1, 2, 6, 0))
    assert _page_fields(page)["airFrom"].startswith("2025-01-02T06:00")
    assert _bulletin_class(page) == "normal"

    class Leaflet(RadioSegmentKind):
        master_field = None

        def record_fields(self, page: Any) -> dict[str, Any]:
            return {"folds": 3}

        def bulletin_class(self, page: Any) -> str | None:
            return None

    swap_radio(Leaflet())
    assert _page_fields(page) == {"folds": 3}
    assert _bulletin_class(page) is None
    page.audio_id = 12345  # a master set, but the type says it carries none
    assert version_master(page) is None

    itemtypes.unregister("content.RadioSegmentPage")
    assert _specific_versions([]) == []
    assert kind_of(page) is None


def test_stations_package_what_the_registry_says(swap_radio: Any) -> None:
    from cms.stations.build_plan import page_master, texts_beside

    page = RadioSegmentPage(title="Tin", script="Lời đọc", summary="Tóm tắt")
    page.pk = 1
    master = MediaMaster(pk=9)
    page.audio = master
    assert page_master(page) is master

    build_plan = SimpleNamespace(path=lambda language, stem, suffix: f"{language}/{stem}{suffix}")
    item = SimpleNamespace(pk=7)

    def texts(kind: ItemKind) -> list[str]:
        files = texts_beside(build_plan, kind, item, 1, page, "vi", None)  # type: ignore[arg-type]
        return [f.text or "" for f in files]

    assert texts(kind_of(page)) == ["Lời đọc\n"]  # type: ignore[arg-type]

    class Silent(RadioSegmentKind):
        master_field = None
        text_field = "summary"

    swap_radio(Silent())
    assert page_master(page) is None
    assert texts(kind_of(page)) == ["Tóm tắt\n"]  # type: ignore[arg-type]


def test_sharing_types_come_from_the_registry(swap_radio: Any) -> None:
    from cms.sharing.meta import json_ld

    page = RadioSegmentPage(title="Tin", script="Lời đọc")
    meta = SimpleNamespace(
        description="", language="vi", url="https://x/", audio=None, video=None, image="i.jpg"
    )
    request = RequestFactory().get("/")
    data = json_ld(page, meta, request)  # type: ignore[arg-type]
    assert data["@type"] == "AudioObject" and data["transcript"] == "Lời đọc"

    class Podcast(RadioSegmentKind):
        schema_type = "PodcastEpisode"
        text_field = None

    swap_radio(Podcast())
    data = json_ld(page, meta, request)  # type: ignore[arg-type]
    assert data["@type"] == "PodcastEpisode" and "transcript" not in data


def test_one_publication_rule_for_the_model(swap_radio: Any) -> None:
    page = RadioSegmentPage(title="Tin", script="")
    assert page.missing_media() == ["Bản ghi gốc"]
    assert VideoPage(title="V").missing_media() == ["Video gốc"]
    assert [g.field for g in required_fields(kind_of(ExhibitionPage))][-1] == "items"

    class Scripted(RadioSegmentKind):
        media_field = "script"
        media_label = "Kịch bản"

    swap_radio(Scripted())
    assert page.missing_media() == ["Kịch bản"]
    page.script = "Lời đọc"
    assert page.missing_media() == []


@pytest.mark.django_db
def test_the_form_applies_the_same_rule(swap_radio: Any, section: Any, make_user: Any) -> None:
    user = make_user("phongvien", "reporter")

    def form() -> Any:
        form_class = RadioSegmentPage.get_edit_handler().get_form_class()
        data = nested_form_data(
            {"title": "Nước sạch", "slug": "nuoc-sach", "comments": inline_formset([])}
        )
        page = RadioSegmentPage(locale=section.locale)
        return form_class(data, instance=page, parent_page=section, for_user=user)

    before = form()
    assert not before.is_valid()
    assert "audio" in before.errors and "script" not in before.errors
    for name in REQUIRED_METADATA:
        assert name in before.errors, name

    class Scripted(RadioSegmentKind):
        media_field = "script"
        media_label = "Kịch bản"

    swap_radio(Scripted())
    after = form()
    assert not after.is_valid()
    assert "script" in after.errors and "audio" not in after.errors
    assert after.fields["script"].widget.attrs.get("data-required-for-submit") == "true"
