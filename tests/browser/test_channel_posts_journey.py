"""An editor records that a published item went out on the office's Zalo OA; the office
head sees it counted in the plan report (issue #18 §2, cms/channels).

The editor opens the published item, opens "Kênh" from the editor's header menu, picks the
Zalo OA channel, pastes the post's address, types the time the Vietnamese way
("30/11/2026 14:30") and saves; the post is listed with that time, and the item has no new
revision to approve. The office head then opens the plan report for 2026 and finds the
item counted under the Zalo channel and one official social channel in use.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cms.channels.models import Channel, ChannelPost
from cms.content.models import RadioSegmentPage
from cms.taxonomy.models import ProducingUnit
from tests.cms.search.conftest import add_item

from .conftest import login, logout

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

POST_URL = "https://zalo.me/sotuphap/bai-viet/quyen-tre-em-2026"


@pytest.fixture
def published(section: Any, master_factory: Any) -> Any:
    return add_item(
        section,
        RadioSegmentPage(
            title="Quyền trẻ em", slug="quyen-tre-em", audio=master_factory("vi_speech.ogg")
        ),
        production_date=datetime.date(2026, 3, 10),
    )


@pytest.fixture
def zalo(db: None) -> Channel:
    unit = ProducingUnit.objects.get(code="so-tu-phap", locale__language_code="vi")
    Channel.objects.create(
        kind="fanpage",
        name="Pháp luật mỗi ngày",
        url="https://facebook.com/pl",
        producing_unit=unit,
    )
    return Channel.objects.create(
        kind="zalo", name="Sở Tư pháp", url="https://zalo.me/sotuphap", producing_unit=unit
    )


def test_editor_records_a_zalo_post_and_the_head_sees_it_counted(
    live_server: Any, page: Page, make_user: Any, published: Any, zalo: Channel, artifacts: Any
) -> None:
    make_user("bientap", "editor")
    make_user("lanhdao", "approver")
    revisions = published.revisions.count()
    login(page, live_server.url, "bientap")
    page.goto(f"{live_server.url}/admin/pages/{published.pk}/edit/")
    header = page.locator("header")
    header.locator("[data-w-dropdown-target=toggle]:visible").first.click()
    channels_link = page.get_by_role("menuitem", name="Kênh").or_(
        page.get_by_role("link", name="Kênh")
    )
    expect(channels_link.first).to_be_visible()
    page.wait_for_timeout(400)  # the menu fades in
    page.screenshot(path=str(artifacts / "channels-editor-menu.png"))
    channels_link.first.click()
    page.wait_for_url(f"**/admin/channels/item/{published.pk}/")
    expect(page.locator("h1")).to_contain_text("Quyền trẻ em")
    expect(page.locator("[data-post-list]")).to_contain_text("Chưa ghi nhận lần đăng nào.")

    page.get_by_label("Kênh").select_option(label="Zalo OA: Sở Tư pháp")
    page.get_by_label("Địa chỉ bài đăng (URL)").fill(POST_URL)
    when = page.locator("#id_posted_at")
    when.click()
    when.press("Control+a")
    when.press_sequentially("30/11/2026 14:30")
    when.press("Tab")  # blur: the typed text must stay
    expect(when).to_have_value("30/11/2026 14:30")
    page.get_by_label("Ghi chú").fill("Đăng kèm ảnh minh họa")
    page.screenshot(path=str(artifacts / "channels-form-filled.png"), full_page=True)
    page.get_by_role("button", name="Ghi nhận").click()

    expect(page.locator(".messages")).to_contain_text(
        "Đã ghi nhận bài đăng trên Zalo OA: Sở Tư pháp"
    )
    row = page.locator("[data-post-list] tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Zalo OA: Sở Tư pháp")
    expect(row).to_contain_text("30/11/2026 14:30")
    expect(row).to_contain_text("Tiếng Việt – Quyền trẻ em (đã xuất bản)")
    expect(row.get_by_role("link", name=POST_URL[:57], exact=False)).to_have_attribute(
        "href", POST_URL
    )
    page.wait_for_timeout(400)  # the message slides in
    page.screenshot(path=str(artifacts / "channels-post-listed.png"), full_page=True)
    recorded = ChannelPost.objects.get()
    assert recorded.posted_at == datetime.datetime(2026, 11, 30, 7, 30, tzinfo=datetime.UTC)
    assert recorded.recorded_by.username == "bientap"
    assert published.revisions.count() == revisions  # no new revision, no re-approval

    logout(page)
    login(page, live_server.url, "lanhdao")
    page.goto(f"{live_server.url}/admin/reports/?period=year&year=2026")
    channel_table = page.locator("[data-section=official_channel]")
    expect(channel_table.locator("tr", has_text="Zalo OA: Sở Tư pháp")).to_contain_text("1")
    in_use = page.locator("[data-section=official_channels_in_use]")
    expect(
        in_use.locator("tr", has_text="Kênh mạng xã hội chính thức có sản phẩm đăng trong kỳ")
    ).to_contain_text("1")
    expect(
        in_use.locator("tr", has_text="Kênh mạng xã hội chính thức đang hoạt động")
    ).to_contain_text("2")
    page.locator("[data-section=official_channel_kind]").screenshot(
        path=str(artifacts / "channels-report-by-kind.png")
    )
    channel_table.screenshot(path=str(artifacts / "channels-report-by-channel.png"))
    in_use.screenshot(path=str(artifacts / "channels-report-in-use.png"))
