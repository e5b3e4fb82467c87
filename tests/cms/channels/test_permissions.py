"""Who may record posts and manage channels, over HTTP with each role's own session."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cms.channels.models import Channel, ChannelPost
from cms.reports.models import ReportingMembership
from tests.cms.test_access_matrix import denied

from .conftest import post, unit

pytestmark = pytest.mark.django_db


def session(make_user: Any, role: str, **extra: Any) -> tuple[Client, Any]:
    user = make_user(f"nguoi-{role}", role=role)
    client = Client()
    client.force_login(user)
    return client, user


def form_data(channel: Channel, page: Any, url: str = "https://zalo.me/so-tu-phap/bai-1") -> dict:
    return {"channel": channel.pk, "page": page.pk, "url": url, "posted_at": "30/11/2026 14:30"}


@pytest.mark.parametrize("role", ["reporter", "editor", "approver", "administrator"])
def test_staff_who_edit_the_item_record_a_post(
    role: str, make_user: Any, items: dict[str, Any], channels: dict[str, Any]
) -> None:
    client, user = session(make_user, role)
    item = items["published"]
    url = reverse("channels_item_posts", args=[item.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(channels["zalo"], item))
    assert response.status_code == 302, response.content.decode()[:2000]
    recorded = ChannelPost.objects.get()
    assert (recorded.page_id, recorded.channel_id, recorded.recorded_by) == (
        item.pk,
        channels["zalo"].pk,
        user,
    )
    listing = client.get(url).content.decode()
    assert "https://zalo.me/so-tu-phap/bai-1" in listing and "30/11/2026 14:30" in listing


def test_recording_a_post_needs_no_new_revision(
    make_user: Any, items: dict[str, Any], channels: dict[str, Any]
) -> None:
    client, _user = session(make_user, "reporter")
    item = items["published"]
    revisions = item.revisions.count()
    client.post(reverse("channels_item_posts", args=[item.pk]), form_data(channels["zalo"], item))
    item.refresh_from_db()
    assert item.revisions.count() == revisions
    assert item.live and not item.has_unpublished_changes
    assert item.current_workflow_state is None


@pytest.mark.parametrize("role", ["translator", None])
def test_others_may_not_record(
    role: str | None, make_user: Any, items: dict[str, Any], channels: dict[str, Any]
) -> None:
    client = Client()
    if role:
        client, _user = session(make_user, role)
    item = items["published"]
    url = reverse("channels_item_posts", args=[item.pk])
    assert denied(client.get(url))
    assert denied(client.post(url, form_data(channels["zalo"], item)))
    assert not ChannelPost.objects.exists()


def test_a_draft_item_gets_a_clear_error(
    make_user: Any, items: dict[str, Any], channels: dict[str, Any]
) -> None:
    client, _user = session(make_user, "editor")
    item = items["draft"]
    url = reverse("channels_item_posts", args=[item.pk])
    page = client.get(url).content.decode()
    assert "Tác phẩm chưa được xuất bản" in page
    response = client.post(url, form_data(channels["zalo"], item))
    assert response.status_code == 400
    assert "chưa được xuất bản (đang là bản nháp)" in response.content.decode()
    assert not ChannelPost.objects.exists()


def test_a_reporter_changes_only_their_own_posts(
    make_user: Any, items: dict[str, Any], channels: dict[str, Any]
) -> None:
    from .conftest import at

    client, reporter = session(make_user, "reporter")
    item = items["published"]
    theirs = post(channels["zalo"], item, at("01/11/2026"))
    theirs.recorded_by = reporter
    theirs.save()
    others = post(channels["fanpage"], item, at("02/11/2026"))
    edit = reverse("channels_edit_post", args=[item.pk, theirs.pk])
    assert client.get(edit).status_code == 200
    data = form_data(channels["zalo"], item, "https://zalo.me/so-tu-phap/bai-sua")
    assert client.post(edit, data).status_code == 302
    theirs.refresh_from_db()
    assert theirs.url.endswith("bai-sua")
    for name in ("channels_edit_post", "channels_delete_post"):
        url = reverse(name, args=[item.pk, others.pk])
        assert denied(client.get(url)) and denied(client.post(url, data))
    assert ChannelPost.objects.filter(pk=others.pk, url__startswith="https://facebook").exists()
    # an editor may delete anyone's
    editor = Client()
    editor.force_login(make_user("bien-tap", role="editor"))
    delete = reverse("channels_delete_post", args=[item.pk, others.pk])
    assert editor.get(delete).status_code == 200
    assert editor.post(delete).status_code == 302
    assert not ChannelPost.objects.filter(pk=others.pk).exists()


def test_a_post_is_reached_only_through_its_own_item(
    make_user: Any, items: dict[str, Any], channels: dict[str, Any]
) -> None:
    from .conftest import at

    client, _user = session(make_user, "editor")
    record = post(channels["zalo"], items["published"], at("01/11/2026"))
    url = reverse("channels_edit_post", args=[items["other_unit"].pk, record.pk])
    assert client.get(url).status_code == 404


def test_a_unit_reporter_records_only_on_the_units_items(
    make_user: Any, home: Any, items: dict[str, Any], channels: dict[str, Any], master_factory: Any
) -> None:
    import datetime

    from cms.content.models import RadioSegmentPage
    from cms.editorial.units import setup_unit_section
    from tests.cms.search.conftest import add_item

    unit_section = setup_unit_section(unit("so-tu-phap"), home)
    own = add_item(
        unit_section.section,
        RadioSegmentPage(
            title="Của đơn vị", slug="cua-don-vi", audio=master_factory("vi_speech.ogg")
        ),
        production_date=datetime.date(2026, 3, 10),
    )
    reporter = make_user("pv-don-vi")
    reporter.groups.add(unit_section.groups["reporter"])
    client = Client()
    client.force_login(reporter)
    assert (
        client.post(
            reverse("channels_item_posts", args=[own.pk]), form_data(channels["zalo"], own)
        ).status_code
        == 302
    )
    outside = items["published"]  # in the office-wide section
    assert denied(client.get(reverse("channels_item_posts", args=[outside.pk])))


def test_reporters_do_not_manage_channels(make_user: Any, channels: dict[str, Any]) -> None:
    client, _user = session(make_user, "reporter")
    assert denied(client.get(reverse("wagtailsnippets_channels_channel:list")))
    edit = reverse("wagtailsnippets_channels_channel:edit", args=[channels["zalo"].pk])
    assert denied(client.get(edit))
    assert denied(client.post(edit, {"kind": "zalo", "name": "Bị đổi", "url": "https://x.vn"}))
    assert Channel.objects.get(pk=channels["zalo"].pk).name == "Sở Tư pháp"


def test_an_office_head_manages_only_their_units_channels(
    make_user: Any, channels: dict[str, Any]
) -> None:
    client, head = session(make_user, "approver")
    ReportingMembership.objects.create(user=head, producing_unit=unit("so-tu-phap"))
    listing = client.get(reverse("wagtailsnippets_channels_channel:list")).content.decode()
    assert "Pháp luật mỗi ngày" in listing and "Văn hóa Lạng Sơn" not in listing
    own = reverse("wagtailsnippets_channels_channel:edit", args=[channels["zalo"].pk])
    assert client.get(own).status_code == 200
    other = channels["youtube"]
    url = reverse("wagtailsnippets_channels_channel:edit", args=[other.pk])
    data = {
        "kind": "youtube",
        "name": "Bị đổi",
        "url": "https://youtube.com/@x",
        "producing_unit": other.producing_unit_id,
        "active": "on",
    }
    assert denied(client.get(url)) and denied(client.post(url, data))
    assert Channel.objects.get(pk=other.pk).name == "Văn hóa Lạng Sơn"
    # nor make a channel for another unit
    add = reverse("wagtailsnippets_channels_channel:add")
    response = client.post(add, {**data, "name": "Kênh mới"})
    assert response.status_code == 200 and not Channel.objects.filter(name="Kênh mới").exists()
    data["producing_unit"] = channels["zalo"].producing_unit_id
    assert client.post(add, {**data, "name": "Kênh mới"}).status_code == 302
    assert Channel.objects.filter(name="Kênh mới").exists()


def test_an_office_wide_head_and_administrators_manage_every_channel(
    make_user: Any, channels: dict[str, Any]
) -> None:
    for role in ("approver", "administrator"):
        client, _user = session(make_user, role)
        listing = client.get(reverse("wagtailsnippets_channels_channel:list")).content.decode()
        assert "Văn hóa Lạng Sơn" in listing and "Cổng thông tin" in listing


def test_forged_cross_site_posts_are_refused(
    make_user: Any, items: dict[str, Any], channels: dict[str, Any]
) -> None:
    from .conftest import at

    user = make_user("bien-tap-csrf", role="editor")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    item = items["published"]
    record = post(channels["zalo"], item, at("01/11/2026"))
    for url in (
        reverse("channels_item_posts", args=[item.pk]),
        reverse("channels_edit_post", args=[item.pk, record.pk]),
        reverse("channels_delete_post", args=[item.pk, record.pk]),
    ):
        assert client.post(url, form_data(channels["fanpage"], item)).status_code == 403
    assert list(ChannelPost.objects.values_list("pk", "channel_id")) == [
        (record.pk, channels["zalo"].pk)
    ]
