"""Who may reach which view, generated from the URL configuration.

Every URL the project serves (Wagtail's and ours, 400+) is requested by an anonymous visitor
and by a station user; every view of this project's own apps is requested by every role and
checked against ``EXPECTED``. A new view that is not in ``EXPECTED`` fails
``test_every_project_view_has_an_expected_outcome``, so it cannot ship unreviewed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404

pytestmark = pytest.mark.django_db

EDITORIAL_ROLES = ("reporter", "editor", "approver", "translator", "administrator")
ROLES_UNDER_TEST = (*EDITORIAL_ROLES, "archivist")
EDITORIAL = frozenset(EDITORIAL_ROLES)
ARCHIVIST_GROUP = "Lưu trữ viên"
NOBODY: frozenset[str] = frozenset()
EVERYONE = frozenset({"anonymous", "station", *ROLES_UNDER_TEST})
PACKAGERS = frozenset({"editor", "approver", "administrator"})
ARCHIVISTS = frozenset({"archivist"})
# Everyone who may open the admin at all.
ADMIN_USERS = EDITORIAL | ARCHIVISTS
ADMINISTRATORS = frozenset({"administrator"})


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    module: str

    @property
    def ours(self) -> bool:
        return self.module.startswith("cms.") or self.name.startswith(
            ("stations:", "stations_admin:")
        )


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            view_class = getattr(callback, "view_class", None)
            module = (view_class or callback).__module__
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Route(name, prefix + str(pattern.pattern), module)


def all_routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


PLACEHOLDERS = ("999999", "x", "x/y")


def placeholder_url(route: Route) -> str | None:
    """A URL that resolves to this route, with made-up arguments (no object exists)."""
    if not route.name:
        return None
    groups = re.findall(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>", route.route)
    names = [group[1] or group[2] for group in groups]
    for values in itertools.product(PLACEHOLDERS, repeat=len(names)):
        try:
            url = reverse(route.name, kwargs=dict(zip(names, values, strict=True)))
        except NoReverseMatch:
            continue
        try:
            match = resolve(url)
        except Resolver404:
            continue
        if match.view_name == route.name:
            return url
    if not names:
        try:
            return reverse(route.name)
        except NoReverseMatch:
            return None
    return None


def is_login_redirect(response: Any) -> bool:
    location = response.get("Location", "").split("?")[0]
    return response.status_code == 302 and (
        location.endswith(("/admin/login/", "/stations/dang-nhap/"))
    )


def is_permission_redirect(response: Any) -> bool:
    """Wagtail turns PermissionDenied in the admin into a redirect to the dashboard."""
    location = response.get("Location", "").split("?")[0]
    return response.status_code == 302 and location == reverse("wagtailadmin_home")


def denied(response: Any) -> bool:
    return (
        is_login_redirect(response)
        or is_permission_redirect(response)
        or response.status_code in (401, 403, 404, 405)
    )


# Views anyone may request. Everything else must refuse an anonymous visitor.
PUBLIC_NAMES = {
    "health",
    "not_available",
    "oai",
    "oai_vn_cms_xsd",
    "oai_item_schema",
    "search",
    "share_card",
    "sitemap",
    "robots_txt",
    "han_page_font",
    "subtitles_vtt",
    "feed_radio",
    "feed_section",
    "feed_transcript",
    "feed_artwork",
    "stations:login",
    "stations:logout",
    "stations:api_openapi",
    "stations:api_unknown",
    "wagtail_serve",
    "wagtaildocs_serve",
    "wagtaildocs_authenticate_with_password",
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailcore_login",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "wagtailcore_authenticate_with_password",
}


@pytest.fixture
def station_user(make_station_user: Any) -> Any:
    return make_station_user()


def test_the_walk_finds_the_whole_site() -> None:
    routes = all_routes()
    names = {route.name for route in routes}
    assert len(routes) > 300
    assert {"wagtailadmin_home", "stations:api_packages", "oai", "reports:index"} <= names


def test_anonymous_visitors_reach_only_public_views(home: Any, client: Client) -> None:
    problems = []
    checked = 0
    for route in all_routes():
        url = placeholder_url(route)
        if url is None:
            continue
        response = client.get(url)
        checked += 1
        if response.status_code >= 500:
            problems.append(f"{route.name} {url}: {response.status_code}")
        elif route.name not in PUBLIC_NAMES and not denied(response):
            problems.append(f"{route.name} {url}: {response.status_code} for anonymous")
    assert checked > 300
    assert not problems, "\n".join(problems)


def test_station_users_never_reach_the_admin(home: Any, station_user: Any) -> None:
    client = Client()
    client.force_login(station_user)
    problems = []
    for route in all_routes():
        if not route.route.startswith("admin/") or route.name in PUBLIC_NAMES:
            continue
        url = placeholder_url(route)
        if url is None:
            continue
        response = client.get(url)
        if response.status_code >= 500 or not denied(response):
            problems.append(f"{route.name} {url}: {response.status_code}")
    assert not problems, "\n".join(problems)


def translated_segment(home: Any, section: Any, master: Any) -> Any:
    """A draft segment with a draft Khmer translation (wagtail-localize's views)."""
    from cms.content.models import RadioSegmentPage
    from tests.cms.conftest import draft_translation

    page = RadioSegmentPage(title="Bản tin thử", slug="ban-tin-thu", audio=master, live=False)
    return draft_translation(home, section, page)


@pytest.fixture
def objects(
    home: Any, section: Any, master_factory: Any, station_user: Any, samples: Path
) -> dict[str, Any]:
    """One real object per URL argument, so role checks run past the object lookup."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cms.media.models import CustomDocument, CustomImage, MediaRendition, RenditionStatus
    from cms.stations import tokens
    from cms.stations.models import BroadcastPackage

    master = master_factory("vi_speech.ogg")
    rendition = MediaRendition.objects.create(
        master=master, profile="loudspeaker", key="matrix", status=RenditionStatus.FAILED
    )
    station = station_user.station_membership.station
    package = BroadcastPackage.objects.create(title="Bản tin thử")
    token = tokens.issue(station, label="máy tự động").token
    document = CustomDocument(title="Phụ đề")
    document.file.save("phu-de.srt", ContentFile(b"1\n00:00:00,000 --> 00:00:01,000\nXin chao\n"))
    image = CustomImage(
        title="Ảnh thử",
        file=SimpleUploadedFile("anh.jpg", (samples / "photo_3000x2000.jpg").read_bytes()),
    )
    image.save()
    translation = translated_segment(home, section, master)
    from cms.ingest.models import IngestBatch

    batch = IngestBatch(sheet_name="bang-ke.csv", folder=".", status="done")
    batch.sheet.save("bang-ke.csv", ContentFile(b"file;title\n"), save=False)
    batch.report.save("bao-cao.csv", ContentFile("Dòng;Tệp\n".encode()), save=False)
    batch.save()
    from cms.channels.models import Channel, ChannelPost

    channel = Channel.objects.create(kind="zalo", name="Zalo OA thử", url="https://zalo.me/1")
    channel_post = ChannelPost.objects.create(  # by nobody: a reporter may not change it
        channel=channel,
        page=translation.get_target_instance(),
        url="https://zalo.me/1/bai-1",
        posted_at=timezone.now(),
    )
    return {
        "post_id": channel_post.pk,
        "batch_id": batch.pk,
        "translation_source_id": translation.source_id,
        "translation_id": translation.pk,
        "overridable_segment_id": translation.source.overridablesegment_set.first().pk,
        "page_id": translation.get_target_instance().pk,
        "image_id": image.pk,
        "master_id": master.pk,
        "rendition_id": rendition.pk,
        "package_id": package.pk,
        "station_id": station.pk,
        "token_id": token.pk,
        "document_id": document.pk,
        "section_id": section.pk,
        "path": "manifest.json",
        "key": "0" * 64,  # a share card no page has
        # a Chinese font subset the site never signed
        "version": "0" * 12,
        "token": "4e2d6587.forged",
    }


# url name -> (HTTP method, roles that may use it). The other roles must be refused.
# ``None``: anyone may, and where it leads depends on who asks (logout).
EXPECTED: dict[str, tuple[str, frozenset[str] | None]] = {
    "media_master_renditions": ("GET", EDITORIAL),
    "media_rendition_retry": ("POST", EDITORIAL),
    "media_image_renditions": ("GET", EDITORIAL),
    # the renditions pages' in-place status (issue 14, item 14): the pages' own check
    "media_master_renditions_status": ("GET", EDITORIAL),
    "media_image_renditions_status": ("GET", EDITORIAL),
    # The fixture's rendition belongs to a master, not to this image: refused like a missing one.
    "media_image_rendition_retry": ("POST", NOBODY),
    "media_rendition_cancel": ("POST", EDITORIAL),
    # /media/<path>: a file that is not a rendition of anything is refused to everyone.
    "media_file": ("GET", NOBODY),
    # The masters' upload form is ours now ("Tải bản ghi mới" prefills it): add_mediamaster.
    "wagtailsnippets_media_mediamaster:add": ("GET", EDITORIAL),
    "outdated_translations": ("GET", ADMIN_USERS),
    # wagtail-localize's views, answered by cms.editorial.localize (same URLs): syncing needs
    # submit_translation; making a translation an alias (live) needs publish permission;
    # the override endpoint takes PUT/DELETE only (tests/cms/integrity/test_translation_*).
    "localize_update_translations": ("GET", frozenset({"translator", "administrator"})),
    "localize_convert_to_alias": ("GET", frozenset({"approver", "administrator"})),
    "localize_edit_override": ("POST", NOBODY),
    # Editors bundle and release packages and follow their carriage; reporters and
    # translators do not. Station tokens are the administrators' business only.
    "stations_admin:dashboard": ("GET", PACKAGERS),
    "stations_admin:package": ("GET", PACKAGERS),
    # The listings' results-only views (Wagtail's filtering without a page reload).
    "stations_admin:dashboard_results": ("GET", PACKAGERS),
    "stations_admin:package_results": ("GET", PACKAGERS),
    "stations_admin:release": ("GET", PACKAGERS),
    "stations_admin:tokens": ("GET", ADMINISTRATORS),
    "stations_admin:revoke_token": ("POST", ADMINISTRATORS),
    "archive:readiness": ("GET", ARCHIVISTS),
    "archive:readiness_results": ("GET", ARCHIVISTS),
    "archive:exports": ("GET", ARCHIVISTS),
    "archive:exports_results": ("GET", ARCHIVISTS),
    "archive:run_export": ("POST", ARCHIVISTS),
    "archive_search_admin": ("GET", ADMIN_USERS),
    # Bulk ingest of digitised material (issue #18 §4): drafts only, by archivists and
    # content administrators.
    "ingest_index": ("GET", ARCHIVISTS | ADMINISTRATORS),
    "ingest_template": ("GET", ARCHIVISTS | ADMINISTRATORS),
    "ingest_batch": ("GET", ARCHIVISTS | ADMINISTRATORS),
    "ingest_status": ("GET", ARCHIVISTS | ADMINISTRATORS),
    "ingest_report": ("GET", ARCHIVISTS | ADMINISTRATORS),
    "ingest_run": ("POST", ARCHIVISTS | ADMINISTRATORS),
    "security_two_factor": ("GET", ADMIN_USERS),
    # Province-wide figures; a unit's own staff get theirs through a reporting membership.
    # Office heads (approvers) answer for the plan's figures, so their role holds
    # reports.view_report (issue 14, item 19; tests/cms/reports/test_office_head.py).
    "reports:index": ("GET", frozenset({"approver", "administrator"})),
    "reports:export_xlsx": ("GET", frozenset({"approver", "administrator"})),
    "reports:export_csv": ("GET", frozenset({"approver", "administrator"})),
    # Where an item was posted on the office's channels (issue #18 §2, cms/channels): whoever
    # may edit the item and record posts (not translators); a reporter changes or deletes
    # only the posts they recorded (this one is nobody's).
    "channels_item_posts": ("GET", frozenset({"reporter", "editor", "approver", "administrator"})),
    "channels_edit_post": ("GET", frozenset({"editor", "approver", "administrator"})),
    "channels_delete_post": ("GET", frozenset({"editor", "approver", "administrator"})),
    # Snippet choosers with a scope (cms/users/snippet_scope.py): masters for those who work
    # with masters; stations for package makers; station users for administrators.
    **{
        f"wagtailsnippetchoosers_{model}:{view}": ("GET", allowed)
        for model, allowed in [
            ("media_mediamaster", EDITORIAL),
            ("stations_station", PACKAGERS),
            ("stations_broadcastpackage", PACKAGERS),
            ("stations_stationmembership", ADMINISTRATORS),
            # the official channels: office heads and content administrators manage them
            ("channels_channel", frozenset({"approver", "administrator"})),
        ]
        for view in ("choose", "choose_results", "chosen_multiple")
    },
    # The masters' chooser uploads (issue 14, item 10): for those who may add masters.
    "wagtailsnippetchoosers_media_mediamaster:create": ("POST", EDITORIAL),
    # The other "create" routes: these choosers have no creation form, so 404 for all.
    **{
        f"wagtailsnippetchoosers_{model}:create": ("POST", NOBODY)
        for model in (
            "stations_station",
            "stations_broadcastpackage",
            "stations_stationmembership",
            "channels_channel",
        )
    },
    # "This item is not available in <language>", with links to the versions that exist.
    "not_available": ("GET", EVERYONE),
    "health": ("GET", EVERYONE),
    # Served only for a live public video that uses the document; this one is unused.
    "subtitles_vtt": ("GET", NOBODY),
    # a public page's share card (none in the fixture: 404 for all); the sitemap: everyone
    "share_card": ("GET", NOBODY),
    "sitemap": ("GET", EVERYONE),
    "robots_txt": ("GET", EVERYONE),
    # A Chinese page's font subset: only for a character set signed by the site; the
    # placeholder token is not signed, so it is refused (404) for everyone.
    "han_page_font": ("GET", NOBODY),
    "stations:login": ("GET", EVERYONE),
    "stations:index": ("GET", frozenset({"station"})),
    # The package exists but is not targeted at the station: refused like a missing one.
    "stations:detail": ("GET", NOBODY),
    "stations:download_bag": ("GET", NOBODY),
    "stations:download_file": ("GET", NOBODY),
    "stations:confirm_receipt": ("POST", NOBODY),
    "stations:confirm_airing": ("POST", NOBODY),
    "stations:api_openapi": ("GET", EVERYONE),
    # The API takes station tokens only: a logged-in session is not a credential.
    "stations:api_station": ("GET", NOBODY),
    "stations:api_packages": ("GET", NOBODY),
    "stations:api_package": ("GET", NOBODY),
    "stations:api_bag": ("GET", NOBODY),
    # Push (nginx nchan): the stream's fallback is a JSON 404 for everyone; the subscriber
    # check takes a station token, never a session.
    "stations:api_push": ("GET", NOBODY),
    "stations:api_push_authorize": ("GET", NOBODY),
    "stations:api_file": ("GET", NOBODY),
    "stations:api_receipt": ("POST", NOBODY),
    "stations:api_airings": ("POST", NOBODY),
    "stations:api_unknown": ("GET", NOBODY),
    "oai": ("GET", EVERYONE),
    "oai_vn_cms_xsd": ("GET", EVERYONE),
    "oai_item_schema": ("GET", EVERYONE),
    "search": ("GET", EVERYONE),
    # Podcast feeds (docs/feeds.md): the public section's feed; the draft translation's
    # transcript is refused like a missing one.
    "feed_radio": ("GET", EVERYONE),
    "feed_section": ("GET", EVERYONE),
    "feed_transcript": ("GET", NOBODY),
    "feed_artwork": ("GET", EVERYONE),
    # Last: it ends the session.
    "stations:logout": ("POST", None),
}


def test_every_project_view_has_an_expected_outcome() -> None:
    ours = {route.name for route in all_routes() if route.ours}
    assert "" not in ours, "every view of ours has a URL name"
    missing = sorted(ours - EXPECTED.keys())
    assert not missing, f"add these views to EXPECTED with who may use them: {missing}"
    stale = sorted(EXPECTED.keys() - ours)
    assert not stale, f"EXPECTED lists views that no longer exist: {stale}"


def url_for(name: str, objects: dict[str, Any]) -> str:
    route = next(route for route in all_routes() if route.name == name)
    arguments = re.findall(r"<(?:\w+:)?(\w+)>", route.route)
    if name == "stations:api_unknown":
        return "/api/stations/v1/nothing-here"
    return reverse(name, kwargs={argument: objects[argument] for argument in arguments})


@pytest.mark.parametrize("role", ["anonymous", "station", *ROLES_UNDER_TEST])
def test_each_role_gets_exactly_what_expected_allows(
    role: str, objects: dict[str, Any], make_user: Any, station_user: Any
) -> None:
    client = Client()
    if role == "station":
        client.force_login(station_user)
    elif role == "archivist":
        from django.contrib.auth.models import Group

        archivist = make_user("nguoi-luu-tru")
        archivist.groups.add(Group.objects.get(name=ARCHIVIST_GROUP))
        client.force_login(archivist)
    elif role != "anonymous":
        client.force_login(make_user(f"nguoi-{role}", role=role))
    problems = []
    for name, (method, allowed) in EXPECTED.items():
        url = url_for(name, objects)
        response = client.post(url) if method == "POST" else client.get(url)
        if response.status_code >= 500:
            problems.append(f"{name}: {response.status_code}")
        elif allowed is None:
            continue
        elif role in allowed and denied(response):
            problems.append(f"{name}: {role} refused ({response.status_code})")
        elif role not in allowed and not denied(response):
            problems.append(f"{name}: {role} let in ({response.status_code})")
    assert not problems, "\n".join(problems)
