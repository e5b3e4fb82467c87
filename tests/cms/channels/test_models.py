"""Channel posts: only of live items, http(s) addresses, past times, active channels; the
time typed the Vietnamese way."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.channels.forms import ChannelPostForm
from cms.channels.models import Channel, ChannelPost

from .conftest import HCM, at

pytestmark = pytest.mark.django_db


def errors_of(post: ChannelPost) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        post.full_clean()
    return raised.value.message_dict


def test_a_post_of_a_live_item_is_valid(items: dict[str, Any], channels: dict[str, Any]) -> None:
    post = ChannelPost(
        channel=channels["zalo"],
        page=items["published"],
        url="https://zalo.me/so-tu-phap/bai-1",
        posted_at=at("30/11/2026", "14:30"),
    )
    post.full_clean()


def test_a_draft_cannot_have_posts(items: dict[str, Any], channels: dict[str, Any]) -> None:
    post = ChannelPost(
        channel=channels["zalo"],
        page=items["draft"],
        url="https://zalo.me/so-tu-phap/bai-1",
        posted_at=at("30/11/2026"),
    )
    message = " ".join(errors_of(post)["page"])
    assert "chưa được xuất bản" in message and "Bản nháp" in message


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://zalo.me/x", "zalo", "https://", "data:text/html,<b>x</b>"],
)
def test_only_http_addresses(items: dict[str, Any], channels: dict[str, Any], url: str) -> None:
    post = ChannelPost(
        channel=channels["zalo"], page=items["published"], url=url, posted_at=at("30/11/2026")
    )
    assert "url" in errors_of(post)


def test_a_channel_address_is_http_too(db: None) -> None:
    channel = Channel(kind="zalo", name="X", url="javascript:alert(1)")
    with pytest.raises(ValidationError) as raised:
        channel.full_clean()
    assert "url" in raised.value.message_dict


def test_not_in_the_future(items: dict[str, Any], channels: dict[str, Any]) -> None:
    post = ChannelPost(
        channel=channels["zalo"],
        page=items["published"],
        url="https://zalo.me/x",
        posted_at=timezone.now() + datetime.timedelta(days=2),
    )
    assert errors_of(post)["posted_at"] == ["Thời điểm đăng không được ở tương lai."]


def test_not_on_a_retired_channel(items: dict[str, Any], channels: dict[str, Any]) -> None:
    post = ChannelPost(
        channel=channels["tiktok"],
        page=items["published"],
        url="https://tiktok.com/@cu/video/1",
        posted_at=at("30/11/2026"),
    )
    assert "ngừng hoạt động" in errors_of(post)["channel"][0]


def test_the_form_reads_a_vietnamese_date_and_time(
    items: dict[str, Any], channels: dict[str, Any]
) -> None:
    item = items["published"]
    form = ChannelPostForm(
        {
            "channel": channels["zalo"].pk,
            "page": item.pk,
            "url": "zalo.me/so-tu-phap/bai-2",  # no scheme: read as https
            "posted_at": "30/11/2026 14:30",
        },
        item=item,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["posted_at"] == datetime.datetime(2026, 11, 30, 14, 30, tzinfo=HCM)
    assert form.cleaned_data["url"] == "https://zalo.me/so-tu-phap/bai-2"
    # the retired channel is not offered
    assert channels["tiktok"] not in form.fields["channel"].queryset


def test_an_unreadable_date_is_a_vietnamese_error(
    items: dict[str, Any], channels: dict[str, Any]
) -> None:
    item = items["published"]
    form = ChannelPostForm(
        {
            "channel": channels["zalo"].pk,
            "page": item.pk,
            "url": "https://zalo.me/x",
            "posted_at": "31/02/2026 14:30",
        },
        item=item,
    )
    assert not form.is_valid()
    assert "Không đọc được ngày giờ này" in form.errors["posted_at"][0]


def test_the_same_post_is_recorded_once(items: dict[str, Any], channels: dict[str, Any]) -> None:
    fields = {
        "channel": channels["zalo"],
        "page": items["published"],
        "url": "https://zalo.me/x",
        "posted_at": at("30/11/2026"),
    }
    ChannelPost.objects.create(**fields)
    with pytest.raises(ValidationError):
        ChannelPost(**fields).full_clean()
