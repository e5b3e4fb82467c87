"""A producing unit's files and drafts are its own (issue 13, finding 7).

Two units with their own sections, collections and reporter groups. Reporter A (Sở Tư pháp),
with their own session and CSRF token, tries to list, open, edit, delete and choose unit B's
(Công an tỉnh) confidential master, image and document, and to find B's drafts in the page
chooser. Any reporter's chooser for station users and packages is refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.models import Collection

from cms.editorial.units import UnitSection, setup_unit_section
from cms.media.models import CustomDocument, CustomImage, MediaMaster, MediaRendition
from cms.taxonomy.models import ProducingUnit

pytestmark = pytest.mark.django_db

SECRET = "Mật: kế hoạch truy quét"
OWN = "Việc của Tư pháp"


def denied(response: Any) -> bool:
    location = response.get("Location", "").split("?")[0]
    return response.status_code in (403, 404) or (
        response.status_code == 302 and location == reverse("wagtailadmin_home")
    )


@pytest.fixture
def units(home: Any, vi: Any) -> tuple[UnitSection, UnitSection]:
    justice = setup_unit_section(ProducingUnit.objects.get(code="so-tu-phap", locale=vi), home)
    police = setup_unit_section(ProducingUnit.objects.get(code="cong-an-tinh", locale=vi), home)
    return justice, police


@pytest.fixture
def world(
    units: tuple[UnitSection, UnitSection], django_user_model: Any, samples: Path
) -> dict[str, Any]:
    from cms.content.models import SectionIndexPage
    from cms.media.uploads import master_from_file

    justice, police = units
    users = {}
    for name, unit in (("a", justice), ("b", police)):
        user = django_user_model.objects.create_user(f"pv-{name}", password="pw-12345!")
        user.groups.add(unit.groups["reporter"])
        users[name] = user
    world: dict[str, Any] = {"users": users, "units": units}
    for name, title in (("a", OWN), ("b", SECRET)):
        unit = justice if name == "a" else police
        collection = unit_collection(unit)
        world[f"master_{name}"] = master_from_file(
            samples / "vi_speech.ogg", title, "vi", user=users[name]
        )
        image = CustomImage(
            title=title,
            collection=collection,
            file=SimpleUploadedFile("anh.jpg", (samples / "photo_3000x2000.jpg").read_bytes()),
        )
        image.save()
        world[f"image_{name}"] = image
        document = CustomDocument(title=title, collection=collection)
        document.file.save("ke-hoach.srt", ContentFile(b"1\n00:00:00,000 --> 00:00:01,000\nA\n"))
        world[f"document_{name}"] = document
        draft = SectionIndexPage(title=f"{title} (nháp)", slug=f"nhap-{name}", live=False)
        unit.section.add_child(instance=draft)
        draft.save_revision()
        world[f"draft_{name}"] = draft
        # a published page of the unit with a newer, unpublished title
        published = SectionIndexPage(title=f"Công khai {name}", slug=f"cong-khai-{name}")
        unit.section.add_child(instance=published)
        published.save_revision().publish()
        published.title = f"{title} (sửa chưa duyệt)"
        published.save_revision()
        world[f"pending_{name}"] = published
    return world


def unit_collection(unit: UnitSection) -> Collection:
    """The unit's collection (made by setup_unit_section; looked up by name)."""
    root = Collection.get_first_root_node()
    found = root.get_children().filter(name=unit.section.title).first()
    return found or root.add_child(name=unit.section.title)


def login(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def form_token(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, url
    return match.group(1)


def text(response: Any) -> str:
    """The page, or the HTML inside a chooser's JSON answer, as the browser would render it."""
    assert response.status_code == 200, response.status_code
    return body(response)


def body(response: Any) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        return json.dumps(data, ensure_ascii=False) + str(data.get("html", ""))
    return response.content.decode()


def test_a_reporter_sees_and_chooses_only_their_units_masters(world: dict[str, Any]) -> None:
    client = login(world["users"]["a"])
    own, secret = world["master_a"], world["master_b"]
    snippets = "wagtailsnippets_media_mediamaster"
    choosers = "wagtailsnippetchoosers_media_mediamaster"

    listing = text(client.get(reverse(f"{snippets}:list")))
    assert OWN in listing and SECRET not in listing
    results = text(client.get(reverse(f"{snippets}:list_results"), {"q": "kế hoạch"}))
    assert SECRET not in results
    for view in ("edit", "usage", "history"):
        assert client.get(reverse(f"{snippets}:{view}", args=[own.pk])).status_code == 200, view
    for view in ("edit", "delete", "usage", "history"):
        assert denied(client.get(reverse(f"{snippets}:{view}", args=[secret.pk]))), view

    token = form_token(client, reverse(f"{snippets}:edit", args=[own.pk]))
    data = {"csrfmiddlewaretoken": token, "title": "Bị đổi", "language": "vi"}
    assert denied(client.post(reverse(f"{snippets}:edit", args=[secret.pk]), data))
    assert denied(
        client.post(reverse(f"{snippets}:delete", args=[secret.pk]), {"csrfmiddlewaretoken": token})
    )
    assert MediaMaster.objects.get(pk=secret.pk).title == SECRET

    chooser = client.get(reverse(f"{choosers}:choose"))
    listed = text(chooser)
    assert OWN in listed and SECRET not in listed
    assert SECRET not in text(client.get(reverse(f"{choosers}:choose_results"), {"q": "Mật"}))
    assert client.get(reverse(f"{choosers}:chosen", args=[own.pk])).status_code == 200
    assert denied(client.get(reverse(f"{choosers}:chosen", args=[secret.pk])))
    multiple = client.get(reverse(f"{choosers}:chosen_multiple"), {"id": [secret.pk]})
    assert SECRET not in body(multiple)

    # the renditions screen and its buttons
    assert client.get(reverse("media_master_renditions", args=[own.pk])).status_code == 200
    assert denied(client.get(reverse("media_master_renditions", args=[secret.pk])))
    rendition = MediaRendition.objects.create(
        master=secret, profile="loudspeaker", key="unit-scope", status="pending"
    )
    assert denied(
        client.post(
            reverse("media_rendition_cancel", args=[rendition.pk]), {"csrfmiddlewaretoken": token}
        )
    )
    rendition.refresh_from_db()
    assert not rendition.cancel_requested and rendition.status == "pending"

    # B and office-wide staff still see B's master
    b_listing = text(login(world["users"]["b"]).get(reverse(f"{snippets}:list")))
    assert SECRET in b_listing and OWN not in b_listing


def test_office_wide_roles_still_see_every_units_master(
    world: dict[str, Any], make_user: Any
) -> None:
    client = login(make_user("bientap-tinh", role="editor"))
    listing = text(client.get(reverse("wagtailsnippets_media_mediamaster:list")))
    assert OWN in listing and SECRET in listing


@pytest.mark.parametrize(
    ("kind", "index", "edit", "delete", "chooser", "chosen"),
    [
        (
            "image",
            "wagtailimages:index",
            "wagtailimages:edit",
            "wagtailimages:delete",
            "wagtailimages_chooser:choose",
            "wagtailimages_chooser:chosen",
        ),
        (
            "document",
            "wagtaildocs:index",
            "wagtaildocs:edit",
            "wagtaildocs:delete",
            "wagtaildocs_chooser:choose",
            "wagtaildocs_chooser:chosen",
        ),
    ],
)
def test_a_reporter_works_with_their_units_images_and_documents_only(
    world: dict[str, Any], kind: str, index: str, edit: str, delete: str, chooser: str, chosen: str
) -> None:
    client = login(world["users"]["a"])
    own, secret = world[f"{kind}_a"], world[f"{kind}_b"]
    listing = text(client.get(reverse(index)))
    assert OWN in listing and SECRET not in listing
    assert client.get(reverse(edit, args=[own.pk])).status_code == 200
    assert denied(client.get(reverse(edit, args=[secret.pk])))
    token = form_token(client, reverse(edit, args=[own.pk]))
    assert denied(
        client.post(
            reverse(edit, args=[secret.pk]), {"csrfmiddlewaretoken": token, "title": "Bị đổi"}
        )
    )
    assert denied(client.post(reverse(delete, args=[secret.pk]), {"csrfmiddlewaretoken": token}))
    secret.refresh_from_db()
    assert secret.title == SECRET
    listed = text(client.get(reverse(chooser)))
    assert OWN in listed and SECRET not in listed
    assert SECRET not in text(client.get(reverse(chooser), {"q": "Mật"}))
    assert client.get(reverse(chosen, args=[own.pk])).status_code == 200
    assert denied(client.get(reverse(chosen, args=[secret.pk])))


def test_the_page_chooser_hides_other_units_drafts(world: dict[str, Any]) -> None:
    client = login(world["users"]["a"])
    _, police = world["units"]
    search = text(client.get(reverse("wagtailadmin_choose_page_search"), {"q": "Mật"}))
    assert SECRET not in search
    browse = text(client.get(reverse("wagtailadmin_choose_page_child", args=[police.section.pk])))
    assert SECRET not in browse
    assert "Công khai b" not in browse  # its pending draft title would show
    # the reporter's own drafts and other units' published sections are still there
    own = text(client.get(reverse("wagtailadmin_choose_page_search"), {"q": "Việc"}))
    assert f"{OWN} (nháp)" in own
    home = text(
        client.get(reverse("wagtailadmin_choose_page_child", args=[police.section.get_parent().pk]))
    )
    assert police.section.title in home
    # the chooser's views that take page ids: browsing into B's draft, chosen-multiple
    draft_b, draft_a = world["draft_b"], world["draft_a"]
    assert denied(client.get(reverse("wagtailadmin_choose_page_child", args=[draft_b.pk])))
    for pk in (draft_b.pk, world["pending_b"].pk):
        chosen = client.get(reverse("wagtailadmin_choose_page_chosen_multiple"), {"id": [pk]})
        assert SECRET not in body(chosen), pk
    own_chosen = client.get(
        reverse("wagtailadmin_choose_page_chosen_multiple"), {"id": [draft_a.pk]}
    )
    assert f"{OWN} (nháp)" in text(own_chosen)
    # B finds their own draft
    b_search = login(world["users"]["b"]).get(
        reverse("wagtailadmin_choose_page_search"), {"q": "Mật"}
    )
    assert f"{SECRET} (nháp)" in text(b_search)


@pytest.mark.parametrize("model", ["stationmembership", "broadcastpackage", "station"])
def test_reporters_cannot_list_or_choose_station_users_and_packages(
    model: str, world: dict[str, Any], make_user: Any, make_station_user: Any
) -> None:
    from cms.stations.models import BroadcastPackage

    station_user = make_station_user()
    BroadcastPackage.objects.create(title="Bản tin mật")
    choosers = f"wagtailsnippetchoosers_stations_{model}"
    for user in (world["users"]["a"], make_user("pv-chung", role="reporter")):
        client = login(user)
        assert denied(client.get(reverse(f"wagtailsnippets_stations_{model}:list")))
        for view in ("choose", "choose_results"):
            response = client.get(
                reverse(f"{choosers}:choose" if view == "choose" else f"{choosers}:{view}")
            )
            assert denied(response), (model, view, response.status_code)
            assert station_user.username not in body(response)
            assert "Bản tin mật" not in body(response)
        assert denied(client.get(reverse(f"{choosers}:chosen", args=[1])))
    # the roles that manage them still can
    manager = login(make_user("quantri", role="administrator"))
    assert manager.get(reverse(f"{choosers}:choose")).status_code == 200


def test_units_set_up_before_collections_get_theirs_by_migration(home: Any, vi: Any) -> None:
    """A unit made by the old setup_unit_section (groups, no collection) is migrated."""
    import importlib

    from django.apps import apps
    from wagtail.models import GroupCollectionPermission

    migration = importlib.import_module("cms.editorial.migrations.0002_unit_collections")
    justice = setup_unit_section(ProducingUnit.objects.get(code="so-tu-phap", locale=vi), home)
    GroupCollectionPermission.objects.filter(collection=justice.collection).delete()
    justice.collection.delete()
    Collection.get_first_root_node().add_child(name="Ảnh chung")

    migration.forward(apps, None)
    migration.forward(apps, None)  # idempotent

    collection = Collection.objects.get(name=justice.section.title)
    assert collection.get_parent().is_root()
    for group in justice.groups.values():
        held = GroupCollectionPermission.objects.filter(group=group, collection=collection)
        assert held.count() == 6
    assert Collection.find_problems() == ([], [], [], [], [])
    # the tree stays usable: the next unit's collection is added after it
    police = setup_unit_section(ProducingUnit.objects.get(code="cong-an-tinh", locale=vi), home)
    assert police.collection.get_parent().is_root()
    assert Collection.find_problems() == ([], [], [], [], [])


def test_a_posted_id_cannot_attach_another_units_master_to_a_page(
    world: dict[str, Any], master_factory: Any
) -> None:
    """The chooser hides B's master; the page form must refuse its id too."""
    from benchmarks.html_forms import FormFields
    from cms.content.models import RadioSegmentPage

    justice, _ = world["units"]
    page = RadioSegmentPage(title="Bản tin Tư pháp", slug="ban-tin-tp", live=False)
    page.audio = world["master_a"]
    justice.section.add_child(instance=page)
    page.save_revision()
    client = login(world["users"]["a"])
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])

    def post(**changes: int) -> Any:
        parser = FormFields("page-edit-form")
        parser.feed(text(client.get(edit)))
        data: dict[str, list[str]] = {}
        for name, value in parser.fields:
            data.setdefault(name, []).append(value)
        data.update({name: [str(value)] for name, value in changes.items()})
        return client.post(edit, data)

    response = post(audio=world["master_b"].pk)
    assert response.status_code == 200, response.status_code
    latest = RadioSegmentPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert latest.audio_id == world["master_a"].pk
    # the reporter's own files are accepted (the form is not refusing everything)
    own = master_from_a(world, master_factory)
    assert post(audio=own.pk).status_code == 302
    latest = RadioSegmentPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert latest.audio_id == own.pk


def master_from_a(world: dict[str, Any], master_factory: Any) -> Any:
    master = master_factory("vi_speech.ogg", title="Bản ghi mới của Tư pháp")
    MediaMaster.objects.filter(pk=master.pk).update(uploaded_by=world["users"]["a"])
    return master


def test_bulk_action_pages_and_reports_do_not_name_other_units_files_and_drafts(
    world: dict[str, Any], make_user: Any
) -> None:
    """Wagtail's bulk action confirmation lists every given id's title, even the ones the
    user may not act on; the page types report names the last edited page of each type."""
    client = login(world["users"]["a"])
    drafts = f"id={world['draft_b'].pk}&id={world['pending_b'].pk}"
    secret_urls = [
        *(f"/admin/bulk/wagtailcore/page/{action}/?{drafts}" for action in ("delete", "move")),
        f"/admin/bulk/media/customimage/delete/?id={world['image_b'].pk}",
        f"/admin/bulk/media/customimage/add_to_collection/?id={world['image_b'].pk}",
        f"/admin/bulk/media/customdocument/delete/?id={world['document_b'].pk}",
        f"/admin/bulk/media/mediamaster/delete/?id={world['master_b'].pk}",
        # one of ours among them does not help
        f"/admin/bulk/media/mediamaster/delete/?id={world['master_a'].pk}"
        f"&id={world['master_b'].pk}",
        reverse("wagtailadmin_reports:page_types_usage"),
    ]
    for url in secret_urls:
        response = client.get(url)
        assert SECRET not in body(response), url
        assert denied(response), (url, response.status_code)
    # the unit's own objects still reach the bulk action pages
    own = client.get(f"/admin/bulk/media/customimage/add_to_collection/?id={world['image_a'].pk}")
    assert OWN in text(own)
    # office-wide staff keep the report
    editor = login(make_user("bientap-tinh", role="editor"))
    assert editor.get(reverse("wagtailadmin_reports:page_types_usage")).status_code == 200
