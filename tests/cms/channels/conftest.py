"""Items and official channels for the channel tests.

published: a Vietnamese radio segment of Sở Tư pháp, produced 10/03/2026, live;
other_unit: a live segment of Sở VHTTDL; draft: a segment never published.
Channels: a Zalo OA and a fanpage of Sở Tư pháp, a YouTube channel of Sở VHTTDL, the
office's website (no unit) and a retired TikTok channel.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest

from cms.channels.models import Channel, ChannelKind, ChannelPost
from cms.content.models import RadioSegmentPage
from cms.taxonomy.models import ProducingUnit
from tests.cms.search.conftest import add_item

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def unit(code: str) -> ProducingUnit:
    return ProducingUnit.objects.get(code=code, locale__language_code="vi")


def at(day: str, time: str = "10:00") -> datetime.datetime:
    d, m, y = (int(part) for part in day.split("/"))
    hh, mm = (int(part) for part in time.split(":"))
    return datetime.datetime(y, m, d, hh, mm, tzinfo=HCM)


@pytest.fixture
def items(section: Any, master_factory: Any) -> dict[str, Any]:
    master = master_factory("vi_speech.ogg")
    day = datetime.date(2026, 3, 10)
    return {
        "published": add_item(
            section,
            RadioSegmentPage(title="Quyền trẻ em", slug="a", audio=master),
            production_date=day,
        ),
        "other_unit": add_item(
            section,
            RadioSegmentPage(title="Bình đẳng giới", slug="b", audio=master),
            production_date=day,
            producing_unit="so-vhttdl",
        ),
        "draft": add_item(
            section,
            RadioSegmentPage(title="Bản nháp", slug="c", audio=master),
            production_date=day,
            publish=False,
        ),
    }


@pytest.fixture
def channels(db: None) -> dict[str, Channel]:
    make = Channel.objects.create
    return {
        "zalo": make(
            kind=ChannelKind.ZALO,
            name="Sở Tư pháp",
            url="https://zalo.me/so-tu-phap",
            producing_unit=unit("so-tu-phap"),
        ),
        "fanpage": make(
            kind=ChannelKind.FANPAGE,
            name="Pháp luật mỗi ngày",
            url="https://facebook.com/phapluat",
            producing_unit=unit("so-tu-phap"),
        ),
        "youtube": make(
            kind=ChannelKind.YOUTUBE,
            name="Văn hóa Lạng Sơn",
            url="https://youtube.com/@vhls",
            producing_unit=unit("so-vhttdl"),
        ),
        "website": make(kind=ChannelKind.WEBSITE, name="Cổng thông tin", url="https://tinh.gov.vn"),
        "tiktok": make(
            kind=ChannelKind.TIKTOK, name="Cũ", url="https://tiktok.com/@cu", active=False
        ),
    }


def post(channel: Channel, page: Any, when: datetime.datetime, url: str = "") -> ChannelPost:
    return ChannelPost.objects.create(
        channel=channel,
        page=page,
        url=url or f"{channel.url}/bai/{page.pk}/{when:%Y%m%d%H%M}",
        posted_at=when,
    )
