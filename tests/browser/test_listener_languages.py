"""A listener on a 360×740 phone in several languages (issue 14: 2, 5, 6, 8).

- Each language's home, sections and item labels are in that language; a language whose
  chrome has no translation shows the whole chrome in Vietnamese, never half and half.
- The language switcher is one line that opens a list, usable with the keyboard, each
  language named in its own script with its ``lang``.
- Chinese renders from the site's own sliced Noto Sans SC on a machine with no CJK font
  (Chromium runs with a fontconfig that hides the OS's CJK fonts), and the page fetches
  only the slices its characters need.
- A Vietnamese item page weighs at most 120 KB on a first visit, summed from the bodies
  Chromium received.

Screenshots: ``test-artifacts/languages-*``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.page_weight import PHONE, first_visit, new_phone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

VI_RADIO = "/vi/phat-thanh/quyen-tre-em-o-thon-ban/"
KM_VIDEO = "/km/video/bao-cao-quyen-con-nguoi/"
BUDGET = 120 * 1024
# Letters only Vietnamese uses among the site's Latin-script languages' chrome.
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")

# What a listener must read on each language's home page (issue 14: 2).
HOMES = {
    "en": ("Human rights information", ["Radio", "Video", "Exhibitions"], "Skip to main content"),
    "zh-hans": ("人权信息宣传", ["广播", "视频", "展览"], None),
    "km": ("ព័ត៌មានផ្សព្វផ្សាយអំពីសិទ្ធិមនុស្ស", ["វិទ្យុ", "វីដេអូ", "ការតាំងពិព័រណ៍"], None),
}


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> None:
    from cms.content import demo

    settings.VAR_DIR = tmp_path / "var"
    demo.load()


def fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a 360 px phone"


def check_switcher(live_server: Any, phone: Page, artifacts: Path) -> None:
    """One line on a phone, opened with the keyboard, autonyms with their lang."""
    phone.goto(live_server.url + VI_RADIO)
    switcher = phone.locator("nav.languages")
    summary = switcher.locator("summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Tiếng Việt")
    box = summary.bounding_box()
    assert box is not None and box["height"] <= 60, box  # one line, not 3–4
    links = switcher.get_by_role("link")
    expect(links.first).to_be_hidden()  # closed until asked for
    header = phone.locator("header").bounding_box()
    assert header is not None and header["height"] <= 200, header
    fits_the_phone(phone)
    phone.screenshot(path=str(artifacts / "languages-switcher-closed-phone.png"))

    # Keyboard: Tab to the switcher, open it with Enter, Tab to English, follow it.
    phone.locator("body").focus()
    for _ in range(20):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    assert phone.evaluate("document.activeElement.tagName") == "SUMMARY"
    phone.keyboard.press("Enter")
    expect(links.first).to_be_visible()
    expect(links).to_have_count(10)
    names = {links.nth(i).get_attribute("lang"): links.nth(i).inner_text() for i in range(10)}
    assert names["km"] == "ភាសាខ្មែរ" and names["zh-Hans"] == "简体中文", names
    assert names["en"] == "English" and names["hmn"] == "Hmoob", names
    fits_the_phone(phone)
    phone.screenshot(path=str(artifacts / "languages-switcher-open-phone.png"))
    for _ in range(12):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.getAttribute('lang')") == "km":
            break
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r"/km/phat-thanh/"))
    expect(phone.locator("html")).to_have_attribute("lang", "km")
    expect(phone.get_by_role("heading", level=1)).to_have_text("សិទ្ធិកុមារនៅតាមភូមិ")


def check_home(live_server: Any, browser: Browser, artifacts: Path, code: str) -> None:
    title, sections, skip = HOMES[code]
    page = new_phone(browser)
    page.goto(f"{live_server.url}/{code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    nav = page.locator("main nav")
    for name in sections:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    main_text = page.locator("main").inner_text()
    header_text = page.locator("header").inner_text()
    footer_text = page.locator("footer").inner_text()
    for text in (main_text, header_text, footer_text):
        assert not VIETNAMESE_LETTERS.search(text), (code, text)
    expect(page.locator("main .untranslated")).to_have_count(0)  # translated: no marker
    if skip:
        assert page.locator("a.skip").inner_text() == skip
    fits_the_phone(page)
    page.screenshot(path=str(artifacts / f"languages-home-{code}-phone.png"), full_page=True)
    # A section lists its items with their type in this language.
    nav.get_by_role("link", name=sections[0], exact=True).click()
    page.wait_for_load_state("load")
    assert not VIETNAMESE_LETTERS.search(page.locator("main").inner_text())
    page.context.close()


def check_khmer_video(live_server: Any, phone: Page, artifacts: Path) -> None:
    phone.goto(live_server.url + KM_VIDEO)
    expect(phone.locator("html")).to_have_attribute("lang", "km")
    # Title, description, transcript and headings; the metadata list is checked apart.
    text = phone.evaluate(
        """() => { const a = document.querySelector("main article").cloneNode(true);
          a.querySelectorAll("dl.meta").forEach((d) => d.remove()); return a.innerText; }"""
    )
    assert "វីដេអូ" in text
    assert not VIETNAMESE_LETTERS.search(text), text
    assert not VIETNAMESE_LETTERS.search(phone.locator("header").inner_text())
    topics = phone.locator("dl.meta dd").nth(1).inner_text()
    assert "សិទ្ធិមនុស្ស" in topics, topics
    # The producing unit is named in Khmer too (the vocabulary's Khmer name).
    unit = phone.locator("dl.meta dd").first.inner_text()
    assert "មន្ទីរវប្បធម៌" in unit and not VIETNAMESE_LETTERS.search(unit), unit
    phone.screenshot(path=str(artifacts / "languages-video-km-phone.png"), full_page=True)


def check_hmong(live_server: Any, phone: Page, artifacts: Path) -> None:
    phone.goto(live_server.url + "/hmn/")
    expect(phone.locator("html")).to_have_attribute("lang", "hmn")
    # No checked Mông translation of the chrome yet: all of it in Vietnamese, marked so.
    expect(phone.locator("header")).to_have_attribute("lang", "vi")
    expect(phone.locator("footer")).to_have_attribute("lang", "vi")
    header = phone.locator("header")
    expect(header.get_by_role("button", name="Tìm", exact=True)).to_be_visible()
    assert "Nrhiav" not in header.inner_text()
    expect(phone.locator("nav.languages summary .current-language")).to_have_text("Hmoob")
    expect(phone.locator("nav.languages summary .current-language")).to_have_attribute(
        "lang", "hmn"
    )
    # The home page exists in H'Mông and says it is not translated yet, in no word of H'Mông
    # nobody here could check: the language's own name struck through after a "not
    # available" sign, then the sentence in Vietnamese, marked so; the text is Vietnamese.
    marker = phone.locator("main .untranslated")
    expect(marker).to_be_visible()
    expect(marker.locator(".untranslated-sign")).to_be_visible()
    expect(marker.locator("[lang=hmn]")).to_have_text("Hmoob")
    expect(marker.locator(".untranslated-text")).to_have_attribute("lang", "vi")
    expect(phone.locator("main [lang=vi] h1")).to_have_text(
        "Thông tin tuyên truyền về quyền con người"
    )
    phone.screenshot(path=str(artifacts / "languages-home-hmn-phone.png"), full_page=True)


# --- Chinese without a CJK system font (issue 14: 6) ---------------------------------

FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""

# Draw each character on a canvas in the heading's font: tofu boxes are all alike.
GLYPHS_JS = """async (chars) => {
  await document.fonts.ready;
  const family = getComputedStyle(document.querySelector("h1")).fontFamily;
  for (const ch of chars) {  // a blocked font rejects: then the fallback draws
    try { await document.fonts.load(`48px ${family}`, ch); } catch (e) { /* blocked */ }
  }
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext("2d");
  return chars.map((ch) => {
    ctx.clearRect(0, 0, 64, 64);
    ctx.font = `48px ${family}`;
    ctx.fillText(ch, 4, 52);
    return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(",");
  });
}"""


def check_chinese(live_server: Any, browser_without_cjk: Browser, artifacts: Path) -> None:
    chars = ["人", "权", "广", "播"]
    # Control: with the site's fonts blocked, this browser draws every Chinese character
    # as the same box, so the check below can fail.
    blocked = new_phone(browser_without_cjk)
    blocked.route("**/static/fonts/noto-sans-sc-*", lambda route: route.abort())
    blocked.route("**/fonts/han/**", lambda route: route.abort())  # the page's own subset
    blocked.goto(f"{live_server.url}/zh-hans/")
    drawn = blocked.evaluate(GLYPHS_JS, chars)
    assert len(set(drawn)) == 1, "this Chromium has a CJK font of its own: the test proves nothing"
    blocked.screenshot(path=str(artifacts / "languages-home-zh-hans-tofu-phone.png"))
    blocked.context.close()

    page = new_phone(browser_without_cjk)
    fonts: list[str] = []
    page.on(
        "response",
        lambda r: fonts.append(r.url.rsplit("/", 1)[-1]) if "/fonts/" in r.url else None,
    )
    page.goto(f"{live_server.url}/zh-hans/")
    expect(page.get_by_role("heading", level=1)).to_have_text("人权信息宣传")
    drawn = page.evaluate(GLYPHS_JS, chars)
    assert len(set(drawn)) == len(chars), "Chinese characters still render as boxes"
    loaded = page.evaluate(
        """async () => { await document.fonts.ready;
          return [...document.fonts].filter((f) => f.family.replace(/["']/g, "") ===
            "Noto Sans SC" && f.status === "loaded").length; }"""
    )
    declared = page.evaluate(
        """() => [...document.fonts].filter((f) => f.family.replace(/["']/g, "") ===
            "Noto Sans SC").length"""
    )
    # The shared core and the page's own subset (cms/i18n/han_page_font.py), no slice.
    assert declared == loaded == 2, (loaded, declared)
    subsets = [name for name in fonts if name.endswith(".woff2") and "noto-sans" not in name]
    assert len(subsets) == 1 and "noto-sans-sc-core.woff2" in fonts, fonts
    assert not [name for name in fonts if name.startswith("noto-sans-sc-0")], fonts
    page.screenshot(path=str(artifacts / "languages-home-zh-hans-phone.png"), full_page=True)
    page.context.close()


# --- Page weight (issue 14: 8) ------------------------------------------------------


def first_visit_weight(browser: Browser, url: str) -> tuple[int, dict[str, int]]:
    """Bytes of every response body Chromium received for a first visit (no cache)."""
    total, _, bodies, page = first_visit(browser, url)
    page.context.close()
    return total, bodies


def check_weights(live_server: Any, browser: Browser) -> None:
    total, bodies = first_visit_weight(browser, live_server.url + VI_RADIO)
    fonts = sorted(url.rsplit("/", 1)[-1] for url in bodies if "/static/fonts/" in url)
    report = "\n".join(f"{size:>8} {url}" for url, size in bodies.items())
    print(f"PAGE-WEIGHT {VI_RADIO} {total}\n{report}", flush=True)
    assert not [name for name in fonts if "latin-ext" in name or "khmer" in name], fonts
    assert total <= BUDGET, f"{total} bytes > {BUDGET}:\n{report}"
    # The figures for docs/benchmarks.md; every page stays within twice the vi budget.
    for path in ("/vi/", "/en/", "/km/phat-thanh/quyen-tre-em-o-thon-ban/", "/zh-hans/", "/hmn/"):
        total, bodies = first_visit_weight(browser, live_server.url + path)
        names = " ".join(url.rsplit("/", 1)[-1] for url in bodies if "/static/fonts/" in url)
        print(f"PAGE-WEIGHT {path} {total} {names}", flush=True)
        if path.startswith("/zh-hans/"):
            # Held to its own budget as production sends it: test_han_page_weight.py.
            continue
        assert total <= 2 * BUDGET, (path, total, bodies)


@pytest.fixture
def browsers(tmp_path: Path) -> Iterator[tuple[Browser, Browser]]:
    """Chromium as installed, and Chromium that sees only /usr/share/fonts/truetype: a
    device with no CJK font."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTCONFIG.format(cache=tmp_path / "fc-cache"), encoding="utf-8")
    with sync_playwright() as p:
        normal = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        without_cjk = p.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            env={**os.environ, "FONTCONFIG_FILE": str(conf)},
        )
        yield normal, without_cjk
        without_cjk.close()
        normal.close()


def test_listener_on_a_phone_in_several_languages(
    demo: None, live_server: Any, browsers: tuple[Browser, Browser], artifacts: Path
) -> None:
    """One demo load (slow on two cores) for every journey of this file."""
    browser, without_cjk = browsers
    check_weights(live_server, browser)
    refused: list[str] = []
    phone = new_phone(browser)
    phone.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    check_switcher(live_server, phone, artifacts)
    for code in HOMES:
        check_home(live_server, browser, artifacts, code)
    check_khmer_video(live_server, phone, artifacts)
    check_hmong(live_server, phone, artifacts)
    check_chinese(live_server, without_cjk, artifacts)
    phone.context.close()
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)
