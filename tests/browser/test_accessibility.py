"""axe-core in Debian's Chromium (issue 14, item 22): the public site, the admin dashboard,
the page editor, the renditions page, the plan report and the station portal have no
serious or critical violation.

axe-core comes from npm (``tests/browser/package.json`` and its lock file, installed by
``make test`` with ``npm ci``); it is evaluated in the page through the DevTools protocol, so
the site's Content Security Policy needs no exception for it.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from cms.content.models import RadioSegmentPage
from tests.cms.search.conftest import add_item
from tests.cms.stations.conftest import (  # noqa: F401 - fixtures
    make_item,
    make_package,
    make_station,
    release,
    rendered,
    station_user,
    units,
)

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
#: The rules axe runs: WCAG 2.0/2.1 A and AA, and its best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: Violations that fail the test: the issue names these impacts, and two moderate and minor
#: rules it found (one landmark name per landmark kind, no empty table header).
FAILING_IMPACTS = {"serious", "critical"}
ALSO_FAILING_RULES = {"landmark-unique", "empty-table-header"}

RUN_AXE = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}
"""


def axe_source() -> str:
    assert AXE.exists(), (
        f"{AXE} is missing: install it with `npm ci --no-audit --no-fund --prefix tests/browser`"
        " (make test does)"
    )
    return AXE.read_text("utf-8")


def check(page: Page, name: str, artifacts: Path) -> list[dict[str, Any]]:
    """Run axe on the page as it is; the violations that fail, with a screenshot."""
    page.wait_for_load_state("load")
    page.screenshot(path=str(artifacts / f"axe-{name}.png"), full_page=True)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    violations = page.evaluate(RUN_AXE, TAGS)
    (artifacts / f"axe-{name}.json").write_text(
        json.dumps(violations, ensure_ascii=False, indent=2), "utf-8"
    )
    return [
        v for v in violations if v["impact"] in FAILING_IMPACTS or v["id"] in ALSO_FAILING_RULES
    ]


def assert_clean(results: dict[str, list[dict[str, Any]]]) -> None:
    failing = {name: found for name, found in results.items() if found}
    assert not failing, json.dumps(failing, ensure_ascii=False, indent=2)


def test_public_pages(live_server: Any, page: Page, section: Any, master_factory: Any, artifacts):
    master = master_factory("vi_speech.ogg")
    item = add_item(section, RadioSegmentPage(title="Nước sạch cho bản làng", slug="nuoc-sach",
                                              audio=master))  # fmt: skip
    results = {}
    for name, url in (
        ("public-home", "/vi/"),
        ("public-section", section.url),
        ("public-radio", item.url),
        ("public-search", "/vi/search/?q=n%C6%B0%E1%BB%9Bc"),
    ):
        response = page.goto(live_server.url + url)
        assert response is not None and response.status == 200, url
        results[name] = check(page, name, artifacts)
    assert_clean(results)


def test_admin_dashboard_editor_renditions_and_plan_report(
    live_server: Any, page: Page, make_user: Any, section: Any, master_factory: Any, artifacts
) -> None:
    master = master_factory("vi_speech.ogg")
    item = add_item(
        section,
        RadioSegmentPage(title="Nước sạch cho bản làng", slug="nuoc-sach", audio=master),
        channels=("social-media",),
        production_date=datetime.date(2026, 3, 10),
    )
    make_user("quantri", "administrator")
    login(page, live_server.url, "quantri")
    results = {"admin-dashboard": check(page, "admin-dashboard", artifacts)}
    page.goto(f"{live_server.url}/admin/pages/{item.pk}/edit/")
    page.locator("form#page-edit-form").wait_for()
    results["admin-page-editor"] = check(page, "admin-page-editor", artifacts)
    page.goto(f"{live_server.url}/admin/media-masters/{master.pk}/renditions/")
    results["admin-renditions"] = check(page, "admin-renditions", artifacts)
    page.goto(f"{live_server.url}/admin/reports/?period=year&year=2026")
    results["admin-plan-report"] = check(page, "admin-plan-report", artifacts)
    assert_clean(results)


def test_translator_dashboard_and_station_portal(
    live_server: Any, page: Page, make_user: Any, artifacts: Path, request: Any
) -> None:
    # The stations' fixtures (imported above), by name: they make released packages.
    stations = {
        name: request.getfixturevalue(name)
        for name in ("make_item", "make_station", "make_package", "release", "units")
    }
    item = stations["make_item"]("Quyền trẻ em ở thôn bản")
    station = stations["make_station"]("xa-cao-loc", unit="cao_loc")
    cao_loc = [stations["units"]["cao_loc"]]
    stations["release"](stations["make_package"]("Gói tuần 42", [item], units=cao_loc))
    [urgent] = stations["release"](
        stations["make_package"]("Bão số 5 khẩn cấp", [item], "emergency", units=cao_loc)
    )
    request.getfixturevalue("station_user")("dai-xa", station)
    make_user("biendich", "translator")
    results = {}
    login(page, live_server.url, "biendich")
    results["admin-translator-dashboard"] = check(page, "admin-translator-dashboard", artifacts)
    page.context.clear_cookies()

    page.goto(f"{live_server.url}/stations/")
    results["portal-login"] = check(page, "portal-login", artifacts)
    page.fill("input[name=username]", "dai-xa")
    page.fill("input[name=password]", "pw-12345!")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/stations/")
    results["portal-list"] = check(page, "portal-list", artifacts)
    page.goto(f"{live_server.url}/stations/goi/{urgent.package_id}/")
    results["portal-package"] = check(page, "portal-package", artifacts)
    page.set_viewport_size({"width": 360, "height": 740})
    results["portal-package-phone"] = check(page, "portal-package-phone", artifacts)
    assert_clean(results)
