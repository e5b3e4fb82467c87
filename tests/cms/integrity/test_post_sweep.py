"""Every state-changing admin endpoint, POSTed by every role that may not publish.

The access matrix (tests/cms/test_access_matrix.py) checks who may open this project's own
views. This test covers the rest of the admin too: every route of Wagtail (pages, snippets,
workflows, revisions, images, documents...) and of wagtail-localize, filled in with real
objects (a live Vietnamese item with a live Khmer translation, its masters, its translation,
segments and revisions, a package, a station), is POSTed with a valid CSRF token by a reporter,
an editor, a translator and an archivist. After each request the test reads what the public
receives (both language versions of the item as an anonymous visitor, the bytes of the media
they link, the item's OAI-PMH record) and the live revisions and stored master bytes: none of
it may change. The approver and the administrator may publish, so they are not swept.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.urls.exceptions import NoReverseMatch
from wagtail.models import Locale, Page

from tests.cms.test_access_matrix import ARCHIVIST_GROUP, all_routes, denied

pytestmark = pytest.mark.django_db

SWEPT_ROLES = ("reporter", "editor", "translator", "archivist")
# Routes that end a session or are not about content; POSTing them changes nothing public.
SKIPPED = {"wagtailadmin_logout", "wagtailcore_logout", "wagtailadmin_login"}
PREFIXES = ("/admin/",)
FINGERPRINT_KEYS = ("vi:live", "km:live", "master:", "rendition:")
# Crashes inside Wagtail itself on an empty POST, with the reason. Each must still crash (the
# test fails when one is fixed upstream, so the entry is removed) and change nothing.
KNOWN_UPSTREAM_500 = {
    # wagtail.admin.forms.choosers.URLOrAbsolutePathField.to_python(None) calls None.startswith
    "wagtailadmin_choose_page_external_link",
}


def sha256_of(name: str) -> str | None:
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def fingerprint(pages: dict[str, Page], masters: list[Any]) -> dict[str, Any]:
    """What the database and the storage hold for the public (cheap: no page is rendered)."""
    from cms.media.models import MediaRendition

    view: dict[str, Any] = {}
    for language, page in pages.items():
        fresh = Page.objects.get(pk=page.pk)
        view[f"{language}:live"] = (fresh.live, fresh.live_revision_id, fresh.alias_of_id)
    for master in masters:
        master.refresh_from_db()
        view[f"master:{master.pk}"] = (master.file.name, master.sha256, sha256_of(master.file.name))
        for rendition in MediaRendition.objects.filter(master=master).exclude(file=""):
            view[f"rendition:{rendition.pk}"] = (
                rendition.file.name,
                sha256_of(rendition.file.name),
            )
    return view


def snapshot(anonymous: Client, pages: dict[str, Page], masters: list[Any]) -> dict[str, Any]:
    """The fingerprint, and what an anonymous visitor and a harvester receive."""
    from cms.archive import oai

    view = fingerprint(pages, masters)
    for language, page in pages.items():
        response = anonymous.get(page.url)
        body = response.content.decode() if not response.streaming else ""
        main = re.search(r"<main.*?</main>", body, re.S)
        view[f"{language}:page"] = (response.status_code, main.group(0) if main else body)
    record = anonymous.get(
        "/oai/",
        {
            "verb": "GetRecord",
            "metadataPrefix": "oai_dc",
            "identifier": oai.oai_identifier(pages["vi"].translation_key),
        },
    )
    view["oai"] = re.sub(r"<responseDate>[^<]*</responseDate>", "", record.content.decode())
    return view


@pytest.fixture
def world(
    section: Any, make_user: Any, master_factory: Any, django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    from wagtail_localize.models import (
        OverridableSegment,
        SegmentOverride,
        StringSegment,
        Translation,
        TranslationContext,
    )
    from wagtail_localize.operations import TranslationCreator

    from cms.content.models import RadioSegmentPage
    from cms.stations.models import BroadcastPackage, PackageItem, Station
    from cms.taxonomy.models import AdministrativeUnit
    from tests.cms.conftest import complete_metadata

    approver = make_user("sweep-approver", "approver")
    with django_capture_on_commit_callbacks(execute=True):
        master = master_factory("vi_speech.ogg", "vi", "Bản tin sáng")
        km_master = master_factory("vi_speech.ogg", "km", "Bản tin sáng (km)")
    page = RadioSegmentPage(
        title="Bản tin sáng 1/12", slug="ban-tin-sang", audio=master, live=False
    )
    section.add_child(instance=page)
    complete_metadata(page)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision(user=approver).publish()
    km = Locale.objects.get(language_code="km")
    with django_capture_on_commit_callbacks(execute=True):
        TranslationCreator(approver, [km]).create_translations(page)
        translation = Translation.objects.get(
            source__object_id=page.translation_key, target_locale=km
        )
        context = TranslationContext.objects.get(object_id=page.translation_key, path="audio")
        SegmentOverride.objects.update_or_create(
            locale=km, context=context, defaults={"data_json": json.dumps(km_master.pk)}
        )
        translation.save_target(user=approver, publish=True)
    km_page = page.get_translation(km)
    draft = page.get_latest_revision()
    page.title = "Bản nháp chưa duyệt"
    pending = page.save_revision(user=approver)
    package = BroadcastPackage.objects.create(title="Gói sáng", bulletin_class="normal")
    PackageItem.objects.create(package=package, page=page, sort_order=0)
    package.save()
    station = Station.objects.create(
        name="Đài xã Cao Lộc",
        code="cao-loc",
        kind="commune_radio",
        administrative_unit=AdministrativeUnit.objects.get(code="C2025-20-cao-loc"),
        languages=["vi"],
    )
    string = StringSegment.objects.filter(source=translation.source).first()
    overridable = OverridableSegment.objects.filter(source=translation.source).first()
    ids: dict[str, Any] = {
        "page_id": [page.pk, km_page.pk],
        "parent_page_id": page.get_parent().pk,
        "translation_id": translation.pk,
        "translation_source_id": translation.source.pk,
        "string_segment_id": string.pk if string else 1,
        "overridable_segment_id": overridable.pk if overridable else 1,
        "revision_id": pending.pk,
        "master_id": master.pk,
        "package_id": package.pk,
        "station_id": station.pk,
        "app_label": "content",
        "model_name": "radiosegmentpage",
        "content_type_app_name": "content",
        "content_type_model_name": "radiosegmentpage",
        "action_name": "approve",
        "task_state_id": 1,
        "mode": "",
        "rendition_id": master.renditions.first().pk if master.renditions.exists() else 1,
    }
    ids.update(
        page_to_move_id=page.pk,
        destination_id=page.get_parent().get_parent().pk,
        page_pk=page.pk,
        object_id=page.pk,
        app_name="content",
    )
    # A snippet route's primary key, by the model its namespace names.
    ids["pk"] = {
        "mediamaster": [master.pk, km_master.pk],
        "broadcastpackage": [package.pk],
        "station": [station.pk],
        "": [page.pk],
    }
    return {
        "pages": {"vi": page, "km": km_page},
        "masters": [master, km_master],
        "ids": ids,
        "draft": draft,
        "make_user": make_user,
    }


def candidate_urls(ids: dict[str, Any]) -> list[tuple[str, str]]:
    """(route name, URL) for every admin route, its arguments filled with real objects."""
    urls = []
    for route in all_routes():
        if not route.name or route.name in SKIPPED:
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>", route.route)
        choices: list[dict[str, Any]] = [{}]
        for name in names:
            value = ids.get(name)
            if name == "pk":
                value = next(pks for model, pks in ids["pk"].items() if model in route.name)
            values = value if isinstance(value, list) else [value if value is not None else 1]
            choices = [{**chosen, name: v} for chosen in choices for v in values]
        seen = set()
        for kwargs in choices:
            try:
                url = reverse(route.name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            if url.startswith(PREFIXES) and url not in seen:
                seen.add(url)
                urls.append((route.name, url))
    return urls


@pytest.mark.parametrize("role", SWEPT_ROLES)
def test_no_admin_post_by_a_non_publisher_changes_what_the_public_receives(
    role: str, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    if role == "archivist":
        user = world["make_user"]("sweep-archivist")
        user.groups.add(Group.objects.get(name=ARCHIVIST_GROUP))
    else:
        user = world["make_user"](f"sweep-{role}", role)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    client.get("/admin/")
    token = client.cookies["csrftoken"].value
    anonymous = Client()
    before = snapshot(anonymous, world["pages"], world["masters"])
    urls = candidate_urls(world["ids"])
    assert len(urls) > 150, "the sweep found too few admin routes"
    changed, errors = [], []
    for name, url in urls:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"csrfmiddlewaretoken": token}, HTTP_X_CSRFTOKEN=token)
        crashed = response.status_code >= 500
        if crashed != (name in KNOWN_UPSTREAM_500):
            errors.append(f"{name} {url}: {response.status_code}")
        # A refused request is checked cheaply; one that was let through, in full.
        if denied(response) and fingerprint(world["pages"], world["masters"]) == {
            key: value for key, value in before.items() if key.startswith(FINGERPRINT_KEYS)
        }:
            continue
        after = snapshot(anonymous, world["pages"], world["masters"])
        if after != before:
            diff = sorted(key for key in after if after[key] != before.get(key))
            changed.append(f"{name} {url}: {role} changed {diff}")
            before = after
    assert not changed, "\n".join(changed)
    assert not errors, "\n".join(errors)
