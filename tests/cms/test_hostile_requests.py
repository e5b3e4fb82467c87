"""Forged and oversized requests.

CSRF: every route of the URL configuration (Wagtail's and ours) is sent a cross-site POST by
a signed-in administrator's browser, without the token: each must refuse it with the
Vietnamese 403 page before any view runs, unless it is one of the listed token or protocol
endpoints that a browser's cookies do not authorise. Oversized and over-long form posts are
refused with a clear page (JSON for the station API) and change nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import resolve
from wagtail.models import Page

from tests.cms.test_access_matrix import all_routes, placeholder_url

pytestmark = pytest.mark.django_db

HOSTILE_TEXT = {
    "title": '"><script>alert(1)</script> ស្គ្រីប ꨌꩌ',
    "caption": "\u202egnp.exe\u200b",
    "body": "Tiếng Việt",
}
# Routes that take POSTs without the CSRF token, and why a forged cross-site POST gains
# nothing there: they do not act on a browser's cookies.
CSRF_EXEMPT = {
    "oai": "OAI-PMH allows POST for harvesting; read-only",
    "stations:api_unknown": "station API: Bearer token only; unknown routes are JSON 404s",
    "stations:api_station": "station API: Bearer token only",
    "stations:api_packages": "station API: Bearer token only",
    "stations:api_package": "station API: Bearer token only",
    "stations:api_file": "station API: Bearer token only",
    "stations:api_receipt": "station API: Bearer token only",
    "stations:api_airings": "station API: Bearer token only",
    "stations:api_bag": "station API: Bearer token only",
    "stations:api_push": "push stream when nginx does not serve it: a JSON 404, changes nothing",
    "stations:api_push_authorize": "nginx's subscriber check: GET only, Bearer token only",
}
# Exempt from Django's middleware but checked by Django REST framework's session
# authentication inside the view (Wagtail's admin API, wagtail-localize's editor API):
# the forged POST must still be refused.
CHECKED_INSIDE = (
    "wagtailadmin_api:",
    "wagtail_localize:edit_string_translation",
    "wagtail_localize:edit_override",
    "wagtail_localize:snippets_api_",
)


@pytest.fixture
def administrator(make_user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("quantri", role="administrator"))
    return client


def routes_with_urls() -> list[tuple[str, str, bool]]:
    found = []
    for route in all_routes():
        url = placeholder_url(route)
        if url is None:
            continue
        exempt = bool(getattr(resolve(url).func, "csrf_exempt", False))
        found.append((route.name, url, exempt))
    return found


def test_every_route_refuses_a_forged_cross_site_post(administrator: Client) -> None:
    routes = routes_with_urls()
    assert len(routes) > 300, "the URL walk found too few routes"
    problems = []
    for name, url, exempt in routes:
        if exempt and name in CSRF_EXEMPT:
            continue
        response = administrator.post(url, HOSTILE_TEXT, HTTP_ORIGIN="https://evil.example")
        if exempt and name.startswith(CHECKED_INSIDE):
            if response.status_code not in (403, 405):
                problems.append(f"{name} {url}: {response.status_code} (exempt, not refused)")
        elif exempt:
            problems.append(f"{name}: CSRF-exempt but not reviewed (add it to CSRF_EXEMPT)")
        elif response.status_code != 403 or "Yêu cầu bị từ chối" not in response.content.decode():
            problems.append(f"{name} {url}: {response.status_code}")
    assert not problems, "\n".join(problems)
    stale = sorted(set(CSRF_EXEMPT) - {name for name, _, exempt in routes if exempt})
    assert not stale, f"CSRF_EXEMPT lists routes that are not exempt: {stale}"


def test_exempt_station_api_routes_ignore_the_browsers_session(administrator: Client) -> None:
    """A forged POST to the token API rides on the administrator's cookies: refused."""
    for name, url, exempt in routes_with_urls():
        if exempt and name.startswith("stations:api_") and name != "stations:api_openapi":
            response = administrator.post(url, {"x": "1"})
            assert response.status_code in (401, 404, 405), f"{name}: {response.status_code}"
            assert response["Content-Type"].startswith("application/json"), name


def test_the_token_from_the_form_with_a_foreign_origin_is_refused(
    administrator: Client, home: Page
) -> None:
    edit = f"/admin/pages/{home.pk}/edit/"
    assert administrator.get(edit).status_code == 200
    token = administrator.cookies["csrftoken"].value
    data = {"csrfmiddlewaretoken": token, "title": "Bị đổi", "slug": home.slug}
    forged = administrator.post(edit, data, HTTP_ORIGIN="https://evil.example")
    assert forged.status_code == 403
    assert Page.objects.get(pk=home.pk).get_latest_revision_as_object().title == home.title
    # the same form from the site itself is accepted (the check is not refusing everything)
    same_site = administrator.post(edit, data, HTTP_ORIGIN="http://testserver")
    assert same_site.status_code in (200, 302)
    assert Page.objects.get(pk=home.pk).get_latest_revision_as_object().title == "Bị đổi"


def test_oversized_and_over_long_form_posts_are_refused_and_change_nothing(
    make_user: Any, home: Page, settings: Any
) -> None:
    client = Client()
    client.force_login(make_user("bientap", role="editor"))
    edit = f"/admin/pages/{home.pk}/edit/"
    huge = {"title": "Ồ" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2 + 1), "slug": home.slug}
    many = {f"field-{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    for data in (huge, many):
        response = client.post(edit, data)
        assert response.status_code == 400
        body = response.content.decode()
        assert "Yêu cầu không hợp lệ" in body and '<html lang="vi"' in body
    revision = Page.objects.get(pk=home.pk).get_latest_revision_as_object()
    assert revision.title == home.title
