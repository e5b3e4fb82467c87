"""Model-based test of the editorial chain: published means approved, released means unchanged.

A hypothesis state machine drives the real admin over HTTP (django.test.Client, each role with
its own session and CSRF checks on) through random actions: editing and submitting drafts,
approving and rejecting, publishing and unpublishing, replacing a master's file and re-running
its renditions, translating, overriding a translation's recording, converting a translation to
an alias, and releasing packages. After every step it checks, as a listener, a station and a
harvester would see it:

- what the public receives (each language version's page as an anonymous visitor reads it, the
  bytes of every media file the page links, the item's OAI-PMH record) changed only if the step
  was a publishing action taken by a role that may publish (approver or administrator);
- every released package's stored files have exactly the bytes of its manifest, and the bytes
  they had when it was released;
- every stored master and finished rendition has the bytes of its recorded SHA-256.

`make test` runs a bounded number of examples; `make soak` raises them with CMS_FUZZ_EXAMPLES.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from wagtail.models import Locale, Page, WorkflowState
from wagtail_localize.models import SegmentOverride, Translation, TranslationContext
from wagtail_localize.operations import TranslationCreator

from benchmarks.html_forms import FormFields
from cms.media.models import MediaMaster, MediaRendition, RenditionStatus
from cms.stations.models import BroadcastPackage, PackageBuild
from tests.cms.conftest import complete_metadata

pytestmark = [pytest.mark.django_db]

# Each example renders two short masters, so even `make soak` stops at 200 examples.
EXAMPLES = min(int(os.environ.get("CMS_FUZZ_EXAMPLES", "0")) or 8, 200)
STEPS = 15 if EXAMPLES <= 10 else 25
ROLES = ("reporter", "editor", "approver", "translator", "administrator")
PUBLISHERS = frozenset({"approver", "administrator"})
PASSWORD = "pw-12345!"


class _MainText(HTMLParser):
    """The visible text of a page's <main> and every media address it links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style", "template"):
            self.skip += 1
        for name, value in attrs:
            if name in ("src", "href", "poster") and value and "/media/" in value:
                self.links.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style", "template"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.text.append(data)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_sha256(name: str) -> str | None:
    if not name or not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def fields_of(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def csrf(client: Client) -> str:
    token = client.cookies.get("csrftoken")
    return token.value if token else ""


@dataclass
class World:
    """What one example works on: its pages, masters, package and the people."""

    clients: dict[str, Client]
    vi_page: Page
    km_page: Page
    master: MediaMaster
    foreign_master: MediaMaster
    draft_master: MediaMaster
    packages: list[BroadcastPackage]
    released: dict[int, dict[str, str]] = field(default_factory=dict)


def test_only_an_approvers_publish_changes_what_the_public_receives(
    section: Any,
    make_user: Any,
    master_factory: Any,
    django_capture_on_commit_callbacks: Any,
    samples: Path,
    tmp_path: Path,
) -> None:
    users = {role: make_user(f"sm-{role}", role) for role in ROLES}
    from cms.stations.models import PackageItem

    counter = itertools.count()

    def new_client(role: str) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.get("/admin/login/")
        response = client.post(
            "/admin/login/",
            {
                "username": users[role].username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf(client),
            },
        )
        assert response.status_code == 302, f"{role} could not sign in"
        return client

    clients = {role: new_client(role) for role in ROLES}
    anonymous = Client()
    short = tmp_path / "ban-tin.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(samples / "vi_phone_8k_mono.wav"), "-t", "2",
         str(short)],
        check=True,
        timeout=60,
    )  # fmt: skip
    wav = short.read_bytes()

    def request(role: str, method: str, url: str, data: Any = None, **extra: Any) -> Any:
        response = _request(role, method, url, data, **extra)
        if os.environ.get("SM_DEBUG"):
            print(role, method, url, response.status_code, response.get("Location", ""))
        return response

    def _request(role: str, method: str, url: str, data: Any = None, **extra: Any) -> Any:
        client = clients[role]
        with django_capture_on_commit_callbacks(execute=True):
            if method == "get":
                return client.get(url)
            if method == "put":
                return client.put(
                    url,
                    data=data,
                    content_type=extra.get("content_type", "application/x-www-form-urlencoded"),
                    HTTP_X_CSRFTOKEN=csrf(client),
                )
            payload = data if isinstance(data, dict) else dict(data or {})
            if isinstance(data, list):
                # Keep repeated keys (multi-selects) as a browser sends them.
                payload = {}
                for key, value in data:
                    payload.setdefault(key, []).append(value)
            payload["csrfmiddlewaretoken"] = csrf(client)
            return client.post(url, payload)

    def public_view(world: World) -> dict[str, Any]:
        view: dict[str, Any] = {}
        for language, page in (("vi", world.vi_page), ("km", world.km_page)):
            page = Page.objects.get(pk=page.pk)
            url = f"/{language}/{section.slug}/{page.slug}/"
            if language != "vi":
                km_section = section.get_translation_or_none(Locale.objects.get(language_code="km"))
                url = f"/km/{km_section.slug if km_section else section.slug}/{page.slug}/"
            response = anonymous.get(url)
            entry: dict[str, Any] = {"status": response.status_code}
            if response.status_code == 200:
                parser = _MainText()
                parser.feed(body_of(response).decode())
                entry["text"] = " ".join(" ".join(parser.text).split())
                media = {}
                for link in sorted(set(parser.links)):
                    served = anonymous.get(link)
                    media[link] = (
                        sha256_bytes(body_of(served)) if served.status_code == 200 else None
                    )
                    if media[link] is None and link.startswith("/media/"):
                        media[link] = ("stored", stored_sha256(link.removeprefix("/media/")))
                entry["media"] = media
            view[language] = entry
        record = anonymous.get(
            "/oai/",
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": oai_identifier(world.vi_page),
            },
        )
        view["oai"] = re.sub(r"<responseDate>[^<]*</responseDate>", "", body_of(record).decode())
        return view

    def oai_identifier(page: Page) -> str:
        from cms.archive import oai

        return oai.oai_identifier(page.translation_key)

    class EditorialChain(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.world: World
            self.before: dict[str, Any] | None = None
            self.allowed = False

        @initialize()
        def item(self) -> None:
            from cms.content.models import RadioSegmentPage
            from cms.media.uploads import master_from_file

            n = next(counter)

            def recording(language: str, title: str, render: bool) -> MediaMaster:
                with django_capture_on_commit_callbacks(execute=render):
                    return master_from_file(short, title, language)

            master = recording("vi", f"Bản tin {n}", True)
            page = RadioSegmentPage(
                title=f"Bản tin sáng {n}/12", slug=f"ban-tin-{n}", audio=master, live=False
            )
            section.add_child(instance=page)
            complete_metadata(page)
            with django_capture_on_commit_callbacks(execute=True):
                page.save_revision(user=users["approver"]).publish()
            km = Locale.objects.get(language_code="km")
            km_master = recording("km", f"Bản tin {n} (km)", True)
            with django_capture_on_commit_callbacks(execute=True):
                TranslationCreator(users["approver"], [km]).create_translations(page)
                translation = Translation.objects.get(
                    source__object_id=page.translation_key, target_locale=km
                )
                context = TranslationContext.objects.get(
                    object_id=page.translation_key, path="audio"
                )
                SegmentOverride.objects.update_or_create(
                    locale=km, context=context, defaults={"data_json": json.dumps(km_master.pk)}
                )
                translation.save_target(user=users["approver"], publish=True)
            km_page = page.get_translation(km)
            draft_page = RadioSegmentPage(title=f"Bản nháp {n}", slug=f"ban-nhap-{n}", live=False)
            section.add_child(instance=draft_page)
            draft_master = recording("km", f"Nháp {n}", False)
            draft_page.audio = draft_master
            draft_page.save_revision(user=users["reporter"])
            package = BroadcastPackage.objects.create(title=f"Gói {n}", bulletin_class="normal")
            PackageItem.objects.create(package=package, page=page, sort_order=0)
            package.save()
            self.world = World(
                clients=clients,
                vi_page=page,
                km_page=km_page,
                master=master,
                foreign_master=recording("en", f"English {n}", False),
                draft_master=draft_master,
                packages=[package],
            )
            self.before = public_view(self.world)

        # --- actions -------------------------------------------------------------------
        def page_form(self, role: str, page: Page) -> list[tuple[str, str]] | None:
            response = request(role, "get", f"/admin/pages/{page.pk}/edit/")
            if response.status_code != 200:
                return None
            return fields_of(response.content.decode(), "page-edit-form")

        def edit_page(self, role: str, language: str, action: str | None) -> None:
            page = self.world.vi_page if language == "vi" else self.world.km_page
            fields = self.page_form(role, page)
            if fields is None:
                return
            title = f"Tiêu đề do {role} sửa {next(counter)}"
            data = [(k, title if k == "title" else v) for k, v in fields]
            if action:
                data.append((action, action))
            request(role, "post", f"/admin/pages/{page.pk}/edit/", data)

        @rule(role=st.sampled_from(ROLES), language=st.sampled_from(["vi", "km"]))
        def save_draft(self, role: str, language: str) -> None:
            self.edit_page(role, language, None)

        @rule(role=st.sampled_from(ROLES), language=st.sampled_from(["vi", "km"]))
        def submit(self, role: str, language: str) -> None:
            self.edit_page(role, language, "action-submit")

        @rule(role=st.sampled_from(ROLES), language=st.sampled_from(["vi", "km"]))
        def publish(self, role: str, language: str) -> None:
            self.allowed = role in PUBLISHERS
            self.edit_page(role, language, "action-publish")

        @rule(
            role=st.sampled_from(ROLES),
            language=st.sampled_from(["vi", "km"]),
            verdict=st.sampled_from(["approve", "reject"]),
        )
        def workflow_action(self, role: str, language: str, verdict: str) -> None:
            page = self.world.vi_page if language == "vi" else self.world.km_page
            state = (
                WorkflowState.objects.active()
                .filter(base_content_type__isnull=False, object_id=str(page.pk))
                .first()
            )
            if state is None or state.current_task_state is None:
                return
            self.allowed = role in PUBLISHERS
            task_state = state.current_task_state
            request(
                role,
                "post",
                f"/admin/pages/{page.pk}/workflow/action/{verdict}/{task_state.pk}/",
                {"comment": ""},
            )

        @rule(role=st.sampled_from(ROLES), language=st.sampled_from(["vi", "km"]))
        def unpublish(self, role: str, language: str) -> None:
            page = self.world.vi_page if language == "vi" else self.world.km_page
            self.allowed = role in PUBLISHERS
            request(role, "post", f"/admin/pages/{page.pk}/unpublish/", {})

        @rule(role=st.sampled_from(ROLES))
        def replace_master_file(self, role: str) -> None:
            url = f"/admin/snippets/media/mediamaster/edit/{self.world.master.pk}/"
            response = request(role, "get", url)
            if response.status_code != 200:
                return
            html = response.content.decode()
            form_id = re.search(r'<form[^>]*id="([^"]+)"[^>]*enctype', html)
            data = dict(fields_of(html, form_id.group(1) if form_id else ""))
            louder = SimpleUploadedFile(f"thay-{next(counter)}.wav", wav[:-4000])
            request(role, "post", url, {**data, "file": louder})

        @rule(role=st.sampled_from(ROLES))
        def rerender(self, role: str) -> None:
            for rendition in MediaRendition.objects.filter(master=self.world.master):
                request(
                    role,
                    "post",
                    f"/admin/media-masters/{self.world.master.pk}/renditions/{rendition.pk}/retry/",
                    {},
                )

        def translation(self) -> Any:
            from wagtail_localize.models import Translation

            return Translation.objects.filter(
                source__object_id=self.world.vi_page.translation_key,
                target_locale__language_code="km",
            ).first()

        @rule(role=st.sampled_from(ROLES))
        def edit_translated_title(self, role: str) -> None:
            from wagtail_localize.models import StringSegment

            translation = self.translation()
            if translation is None:
                return
            segment = StringSegment.objects.filter(
                source=translation.source, context__path="title"
            ).first()
            if segment is None:
                return
            request(
                role,
                "put",
                f"/admin/localize/translate/{translation.pk}/strings/{segment.pk}/edit/",
                f"value=Gi%E1%BA%A3+m%E1%BA%A1o+{next(counter)}",
            )

        @rule(role=st.sampled_from(ROLES), publish=st.booleans())
        def sync_translations(self, role: str, publish: bool) -> None:
            translation = self.translation()
            if translation is None:
                return
            self.allowed = publish and role in PUBLISHERS
            data = {"publish_translations": "on"} if publish else {}
            request(role, "post", f"/admin/localize/update/{translation.source.pk}/", data)

        @rule(role=st.sampled_from(ROLES), which=st.sampled_from(["foreign", "draft"]))
        def override_recording(self, role: str, which: str) -> None:
            from wagtail_localize.models import OverridableSegment

            translation = self.translation()
            if translation is None:
                return
            segment = OverridableSegment.objects.filter(
                source=translation.source, context__path="audio"
            ).first()
            if segment is None:
                return
            master = self.world.foreign_master if which == "foreign" else self.world.draft_master
            request(
                role,
                "put",
                f"/admin/localize/translate/{translation.pk}/overrides/{segment.pk}/edit/",
                f"value={master.pk}",
            )

        @rule(role=st.sampled_from(ROLES))
        def convert_to_alias(self, role: str) -> None:
            self.allowed = role in PUBLISHERS
            request(
                role, "post", f"/admin/localize/page/{self.world.km_page.pk}/convert_to_alias/", {}
            )

        @rule(role=st.sampled_from(ROLES))
        def release_package(self, role: str) -> None:
            package = self.world.packages[-1]
            if package.deliveries.exists():
                copy = BroadcastPackage.objects.create(
                    title=f"{package.title} ({next(counter)})", bulletin_class="normal"
                )
                for item in package.items.all():
                    PackageItem.objects.create(package=copy, page=item.page, sort_order=0)
                copy.save()
                self.world.packages.append(copy)
                package = copy
            request(role, "post", f"/admin/carriage/packages/{package.pk}/release/", {})
            for build in PackageBuild.objects.filter(package=package, status="ready"):
                for entry in build.files:
                    self.world.released.setdefault(build.pk, {})[entry["storage_name"]] = entry[
                        "sha256"
                    ]

        # --- invariants ----------------------------------------------------------------
        @invariant()
        def public_changes_only_through_a_publish(self) -> None:
            if self.before is None:
                return
            after = public_view(self.world)
            if not self.allowed:
                assert after == self.before, (
                    "what the public receives changed without an approver's publish"
                )
            self.before, self.allowed = after, False

        @invariant()
        def released_packages_never_change(self) -> None:
            if self.before is None:
                return
            for build in PackageBuild.objects.filter(pk__in=self.world.released):
                for entry in build.files:
                    name = entry["storage_name"]
                    assert stored_sha256(name) == entry["sha256"], f"{name} != its manifest"
                    assert self.world.released[build.pk].get(name) == entry["sha256"], (
                        f"{name}: the manifest of a released package changed"
                    )

        @invariant()
        def stored_files_match_their_checksums(self) -> None:
            if self.before is None:
                return
            for master in MediaMaster.objects.filter(pk=self.world.master.pk):
                assert stored_sha256(master.file.name) == master.sha256, (
                    f"master {master.pk}'s stored bytes differ from its SHA-256"
                )
            for rendition in MediaRendition.objects.filter(
                master=self.world.master, status=RenditionStatus.DONE
            ).exclude(sha256=""):
                assert stored_sha256(rendition.file.name) == rendition.sha256, (
                    f"rendition {rendition.pk} ({rendition.profile}) differs from its SHA-256"
                )

    EditorialChain.TestCase.settings = settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=EXAMPLES <= 10,
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(EditorialChain, settings=EditorialChain.TestCase.settings)
