"""A small year of products in several languages and channels, counted by hand in the tests.

Reporting year 2025 with the default cut-offs (annual 14/12, 6-month 14/6) runs
15/12/2024–14/12/2025; the first half ends 14/06/2025.

product  lang  type          topics                  channels (* digital)   unit        date
A        vi    radio_report  crc                     commune-loudspeaker    so-tu-phap  2025-03-10
A-km     km    radio_report  crc                     commune-loudspeaker    so-tu-phap  p 2025-08-01
B        vi    video         crc, gender-equality    web-portal*, commune   so-vhttdl   2025-05-20
C        vi    bulletin      anti-trafficking        commune-loudspeaker    so-tu-phap  2025-10-02
C-en     en    bulletin      anti-trafficking        commune-loudspeaker    so-tu-phap  p 2025-10-05
F        vi    skit          child-online-protection ip-loudspeaker*        so-vhttdl   2025-12-14
D        vi    radio_report  crc                     commune-loudspeaker    so-tu-phap  2024-12-10
E        vi    draft, never published
F-tyz    tyz   skit          (as F)                  (as F)                 so-vhttdl   p 2025-12-15

(* digital; p: first published.) Coverage: C, C-en in Hà Nội, the rest in Lạng Sơn (2025).
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from wagtail.models import Page

from cms.content.models import RadioSegmentPage, VideoPage
from cms.search.indexing import index_page
from tests.cms.search.conftest import add_item, translate

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def master(master_factory: Any) -> Any:
    return master_factory("vi_speech.ogg")


def published_on(page: Page, day: datetime.date) -> None:
    moment = datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=HCM)
    Page.objects.filter(pk=page.pk).update(first_published_at=moment, last_published_at=moment)
    index_page(page)


@pytest.fixture
def year_2025(section: Page, master: Any, master_factory: Any) -> dict[str, Any]:
    video_master = master_factory("silent_no_audio.mp4")
    a = add_item(
        section,
        RadioSegmentPage(title="A", slug="a", audio=master),
        production_date=datetime.date(2025, 3, 10),
    )
    a_km = translate(a, "km", title="A km")
    published_on(a_km, datetime.date(2025, 8, 1))
    b = add_item(
        section,
        VideoPage(title="B", slug="b", video=video_master),
        product_type="video",
        topics=("crc", "gender-equality"),
        channels=("web-portal", "commune-loudspeaker"),
        producing_unit="so-vhttdl",
        production_date=datetime.date(2025, 5, 20),
    )
    c = add_item(
        section,
        RadioSegmentPage(title="C", slug="c", audio=master),
        product_type="bulletin",
        topics=("anti-trafficking",),
        units=("P2025-01",),
        production_date=datetime.date(2025, 10, 2),
    )
    c_en = translate(c, "en", title="C en")
    published_on(c_en, datetime.date(2025, 10, 5))
    f = add_item(
        section,
        RadioSegmentPage(title="F", slug="f", audio=master),
        product_type="skit",
        topics=("child-online-protection",),
        channels=("ip-loudspeaker",),
        producing_unit="so-vhttdl",
        production_date=datetime.date(2025, 12, 14),
    )
    f_tyz = translate(f, "tyz", title="F tyz")
    published_on(f_tyz, datetime.date(2025, 12, 15))
    add_item(
        section,
        RadioSegmentPage(title="D", slug="d", audio=master),
        production_date=datetime.date(2024, 12, 10),
    )
    add_item(
        section,
        RadioSegmentPage(title="E", slug="e", audio=master),
        publish=False,
        production_date=datetime.date(2025, 4, 1),
    )
    return {"a": a, "a_km": a_km, "b": b, "c": c, "c_en": c_en, "f": f, "f_tyz": f_tyz}
