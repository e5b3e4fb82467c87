"""A station technician on a 360×740 phone (issue 14, item 21): finds a package, reads its
languages and durations, checks a checksum (a wrong one first), confirms receipt and records
the airing of every language version; and the admin side: "Phát hành" in plain sight with a
message, the station form's channels once each, screen profiles by name.

Taps are counted (``Taps``) and printed: the figure for the technician's main task."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from cms.stations.models import AiringReport, PackageDelivery

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
KHMER_TITLE = "សិទ្ធិកុមារ"

#: WCAG relative luminance contrast of an element's text against the first opaque
#: background behind it (the element's own, else its ancestors').
CONTRAST_JS = """
(el) => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const fg = parse(getComputedStyle(el).color);
  let node = el, bg = null;
  while (node && node.nodeType === 1) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length >= 3 && (c.length === 3 || c[3] > 0)) { bg = c; break; }
    node = node.parentElement;
  }
  bg = bg || [255, 255, 255];
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


class Taps:
    """Every click or tap the technician makes, counted."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def tap(self, target: Locator) -> None:
        self.count += 1
        target.click()


@pytest.fixture
def browser(db: None) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def no_horizontal_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360 px phone"


def test_technician_on_a_phone_checks_and_records_every_language(
    live_server: Any, phone: Page, make_item, make_station, make_package, release, units,
    station_user,
) -> None:  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    item = make_item("Quyền trẻ em ở thôn bản", languages=("vi", "km"), titles={"km": KHMER_TITLE})
    station = make_station("xa-cao-loc", unit="cao_loc", languages=("vi", "km"))
    [delivery] = release(make_package("Gói tuần 42", [item], units=[units["cao_loc"]]))
    station_user("dai-xa", station)
    page = phone
    taps = Taps(page)

    page.goto(f"{live_server.url}/stations/")
    page.fill("input[name=username]", "dai-xa")
    page.fill("input[name=password]", "pw-12345!")
    taps.tap(page.locator("main button[type=submit]"))
    expect(page.locator("h1")).to_have_text("Gói phát sóng của đài")
    no_horizontal_overflow(page)
    logout = page.get_by_role("button", name="Đăng xuất")
    contrast = logout.evaluate(CONTRAST_JS)
    assert contrast >= 4.5, f"“Đăng xuất” has {contrast:.2f}:1 contrast"
    card = page.locator("[data-package]").first
    # The card says which languages the package carries and how long each plays (m:ss).
    expect(card.locator(".languages")).to_contain_text("Tiếng Việt 0:03")
    expect(card.locator(".languages")).to_contain_text("Tiếng Khmer 0:03")
    page.screenshot(path=str(ARTIFACTS / "portal-phone-list.png"), full_page=True)

    taps.tap(card.locator("a"))
    expect(page.locator("h1")).to_contain_text("Gói tuần 42")
    no_horizontal_overflow(page)
    rundown = page.locator("table.rundown")
    expect(rundown).not_to_contain_text("loudspeaker")
    for label in ("Loa truyền thanh (MP3)", "Phát sóng (WAV)", "Lời bình (văn bản)"):
        expect(rundown.get_by_role("link", name=label).first).to_be_visible()
    build = PackageDelivery.objects.select_related("build").get(pk=delivery.pk).build
    mp3 = next(
        f for f in build.manifest["files"] if f.get("role") == "loudspeaker" and "/vi/" in f["path"]
    )
    expect(rundown).to_contain_text(mp3["sha256"])  # each file's checksum beside its link
    expect(rundown.locator("td[data-label='Thời lượng']").first).to_have_text("0:03")
    page.screenshot(path=str(ARTIFACTS / "portal-phone-package.png"), full_page=True)

    # A mistyped checksum gets a Vietnamese explanation, not the browser's pattern bubble.
    page.fill("#sha256-input", "abc123")
    taps.tap(page.get_by_role("button", name="Xác nhận đã nhận đủ"))
    expect(page.locator(".messages")).to_contain_text("Mã SHA-256 phải gồm đúng 64 ký tự")
    page.fill("#sha256-input", "0" * 64)
    taps.tap(page.get_by_role("button", name="Xác nhận đã nhận đủ"))
    expect(page.locator(".messages")).to_contain_text("Mã kiểm tra SHA-256 không khớp")

    taps_before_check = taps.count
    taps.tap(page.locator("#fetch-verify"))
    expect(page.locator("#verify-result")).to_have_text("Mã kiểm tra khớp: tệp nguyên vẹn.")
    taps.tap(page.get_by_role("button", name="Xác nhận đã nhận đủ"))
    expect(page.locator(".messages")).to_contain_text("Đã xác nhận nhận gói")

    # The airing form lists each language version, with boxes big enough for a thumb.
    versions = page.locator("#airing-form input[name=items]")
    expect(versions).to_have_count(2)
    expect(page.locator("#airing-form")).to_contain_text("Quyền trẻ em ở thôn bản (Tiếng Việt)")
    expect(page.locator("#airing-form")).to_contain_text(f"{KHMER_TITLE} (Tiếng Khmer)")
    for box in versions.all():
        size = box.bounding_box()
        assert size is not None and size["width"] >= 24 and size["height"] >= 24, size
    no_horizontal_overflow(page)
    page.fill("#id_aired_date", "2026-01-05")
    page.fill("#id_aired_time", "06:30")
    for box in versions.all():
        taps.count += 1
        box.check()
    taps.tap(page.get_by_role("button", name="Ghi nhận đã phát"))
    expect(page.locator("#airing-history")).to_contain_text("(Tiếng Khmer)")
    page.screenshot(path=str(ARTIFACTS / "portal-phone-recorded.png"), full_page=True)
    report = AiringReport.objects.get(delivery_id=delivery.pk)
    assert sorted(i["language"] for i in report.items) == ["km", "vi"]
    assert {i["title"] for i in report.items} == {"Quyền trẻ em ở thôn bản", KHMER_TITLE}
    print(
        f"\nstation technician taps: {taps.count} in all, "
        f"{taps.count - taps_before_check} from checking the download to recording the airing"
    )


@pytest.mark.django_db
def test_rundown_csv_has_vietnamese_headers_and_manifest_keeps_machine_names(
    make_item, make_station, make_package, release, units
) -> None:
    from django.core.files.storage import default_storage

    item = make_item("Phòng, chống mua bán người")
    make_station("cao-loc")
    [delivery] = release(make_package("Gói A", [item], units=[units["cao_loc"]]))
    build = delivery.build
    entry = build.file_entry("data/rundown.csv")
    with default_storage.open(entry["storage_name"]) as handle:
        text = handle.read().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header == [
        "Thứ tự",
        "Ngôn ngữ",
        "Tiêu đề",
        "Tệp",
        "Thời lượng (giây)",
        "Điểm vào",
        "Điểm ra",
        "Ghi chú",
    ]
    roles = {f["role"] for f in build.manifest["files"] if f.get("role")}
    assert {"loudspeaker", "broadcast"} <= roles
    assert set(build.manifest["rundown"][0]["files"]) >= {"loudspeaker", "broadcast"}
