"""What a visitor sees on the public site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # whitenoise looks for STATIC_ROOT, which the tests do not collect into.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

KHMER_TITLE = "សិទ្ធិកុមារនៅតាមភូមិ"

# Every FontFace of a family with its status, after the page's fonts have settled.
FONT_STATUS_JS = """async (family) => {
  await document.fonts.ready;
  return [...document.fonts]
    .filter((f) => f.family.replace(/["']/g, "") === family)
    .map((f) => ({weight: f.weight, status: f.status}));
}"""


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> None:
    from cms.content import demo

    settings.VAR_DIR = tmp_path / "var"
    demo.load()


def test_visitor_reads_khmer_in_khmer_font(
    demo: None, live_server: Any, page: Page, artifacts: Path
) -> None:
    font_responses: dict[str, int] = {}
    page.on(
        "response",
        lambda r: (
            font_responses.__setitem__(r.url.rsplit("/", 1)[-1], r.status)
            if "/static/fonts/" in r.url
            else None
        ),
    )
    response = page.goto(f"{live_server.url}/km/phat-thanh/quyen-tre-em-o-thon-ban/")
    assert response is not None and response.status == 200

    expect(page.locator("html")).to_have_attribute("lang", "km")
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text(KHMER_TITLE)
    expect(title).to_be_visible()

    faces = page.evaluate(FONT_STATUS_JS, "Noto Sans Khmer")
    assert faces, "fonts.css declared no Noto Sans Khmer face"
    assert {"weight": "400", "status": "loaded"} in faces, faces
    assert page.evaluate("document.fonts.check('16px \"Noto Sans Khmer\"', 'ក')")
    # The stylesheet and the Khmer subset really came from the server.
    assert font_responses.get("fonts.css") == 200, font_responses
    assert font_responses.get("noto-sans-khmer-khmer-400.woff2") == 200, font_responses
    # The title is laid out in the web font, not a system fallback.
    rendered = page.evaluate(
        """() => {
          const h1 = document.querySelector("h1");
          return getComputedStyle(h1).fontFamily;
        }"""
    )
    assert "Noto Sans Khmer" in rendered

    page.screenshot(path=str(artifacts / "km-radio-segment.png"), full_page=True)
