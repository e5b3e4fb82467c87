"""Issue 13, findings 6 and 8: what the public cannot see on the site is absent from every
public path. One rule (``cms.content.visibility``: live, not expired, no view restriction on
the page or above it, access level public, judged per language version) drives the site,
the language switcher, the print view, OAI-PMH, public search, document serving and
station packages.

Every check is what an anonymous harvester or visitor gets over HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from lxml import etree
from wagtail.models import Locale, Page, PageViewRestriction

from cms.archive.models import ArchiveItem
from cms.content.models import ExhibitionItem, ExhibitionPage, VideoPage
from cms.media.models import CustomDocument, CustomImage
from tests.cms.conftest import complete_metadata

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
SUMMARY = "Tóm tắt riêng tư xylophonquanh"
SUBTITLES_NAME = "phu-de-rieng-tu.srt"
SUBTITLES_TITLE = "Phụ đề riêng tư"  # names the file in the record (cms:files)
PRIVACY = ["password", "login", "groups", "restricted", "internal"]


@pytest.fixture(autouse=True)
def archive_settings(settings: Any, tmp_path: Any) -> None:
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": False}
    settings.CMS_ARCHIVE = {
        "WORK_DIR": str(tmp_path / "work"),
        "OAI_REPOSITORY_ID": "archive.test.vn",
    }
    settings.WAGTAILADMIN_BASE_URL = "http://cms.test"


@pytest.fixture
def video(
    section: Page, master_factory: Any, samples: Any, django_capture_on_commit_callbacks: Any
) -> VideoPage:
    """A public video with its subtitles, published (the catalogue follows the signal)."""
    subtitles = CustomDocument(
        title=SUBTITLES_TITLE,
        file=SimpleUploadedFile(SUBTITLES_NAME, (samples / "vi_report.vi.srt").read_bytes()),
    )
    subtitles.save()
    page = VideoPage(
        title="Video về quyền trẻ em",
        slug="video-quyen-tre-em",
        summary=SUMMARY,
        video=master_factory("vi_speech.ogg"),
        subtitles=subtitles,
        transcript="Lời thoại có từ riêng zyxwonderbeam.",
        live=False,
    )
    section.add_child(instance=page)
    complete_metadata(page)
    page.summary = SUMMARY
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_private(page: Page, how: str, capture: Any) -> None:
    """What an editor does: a view restriction in the page's privacy settings, or an
    access level chosen on the metadata tab and published."""
    from django.contrib.auth.models import Group

    with capture(execute=True):
        if how in ("password", "login", "groups"):
            restriction = PageViewRestriction.objects.create(
                page=page,
                restriction_type=how,
                password="mat-khau-123" if how == "password" else "",
            )
            if how == "groups":
                restriction.groups.add(Group.objects.first())
        else:
            specific = page.specific
            specific.access_level = how
            specific.save_revision().publish()


def oai(client: Any, **params: str) -> tuple[etree._Element, str]:
    response = client.get("/oai/", params)
    assert response.status_code == 200
    body = response.content.decode()
    return etree.fromstring(response.content), body


def identifier(page: Page) -> str:
    return f"oai:archive.test.vn:{page.translation_key}"


def assert_nothing_leaks(body: str, page: VideoPage) -> None:
    assert SUMMARY not in body
    assert SUBTITLES_NAME not in body and SUBTITLES_TITLE not in body
    assert page.video.original_name not in body
    assert "/media/" not in body and page.url_path.split("/")[-2] not in body


@pytest.mark.django_db
def test_public_item_is_harvested_with_its_files(client: Any, video: VideoPage) -> None:
    """The baseline the other tests take away: a public item's record carries the summary."""
    root, body = oai(
        client, verb="GetRecord", identifier=identifier(video), metadataPrefix="vn_cms"
    )
    assert root.find(".//o:header", NS).get("status") is None
    assert SUMMARY in body and SUBTITLES_TITLE in body and video.video.original_name in body
    assert "/media/" in body and video.slug in body


@pytest.mark.django_db
@pytest.mark.parametrize("how", PRIVACY)
def test_oai_answers_a_non_public_item_as_deleted(
    client: Any, video: VideoPage, how: str, django_capture_on_commit_callbacks: Any
) -> None:
    # A harvester has the record; then the item stops being public.
    ArchiveItem.objects.filter(translation_key=video.translation_key).update(
        datestamp=timezone.now() - dt.timedelta(days=2)
    )
    make_private(video, how, django_capture_on_commit_callbacks)
    for prefix in ("oai_dc", "vn_cms"):
        root, body = oai(
            client, verb="GetRecord", identifier=identifier(video), metadataPrefix=prefix
        )
        record = root.find("o:GetRecord/o:record", NS)
        assert record.find("o:header", NS).get("status") == "deleted"
        assert record.find("o:metadata", NS) is None
        assert_nothing_leaks(body, video)

        root, body = oai(client, verb="ListRecords", metadataPrefix=prefix)
        records = root.findall("o:ListRecords/o:record", NS)
        mine = [
            r
            for r in records
            if r.findtext("o:header/o:identifier", namespaces=NS) == identifier(video)
        ]
        assert len(mine) == 1
        assert mine[0].find("o:header", NS).get("status") == "deleted"
        assert mine[0].find("o:metadata", NS) is None
        assert_nothing_leaks(body, video)

    # An incremental harvest (from today) learns of it: the datestamp moved.
    today = timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%d")
    root, _body = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": today})
    headers = root.findall("o:ListIdentifiers/o:header", NS)
    assert [
        h.get("status")
        for h in headers
        if h.findtext("o:identifier", namespaces=NS) == identifier(video)
    ] == ["deleted"]


@pytest.mark.django_db
def test_a_restriction_lifted_brings_the_record_back(
    client: Any, video: VideoPage, django_capture_on_commit_callbacks: Any
) -> None:
    make_private(video, "password", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.filter(page=video).delete()
    root, body = oai(
        client, verb="GetRecord", identifier=identifier(video), metadataPrefix="oai_dc"
    )
    assert root.find(".//o:header", NS).get("status") is None
    assert SUMMARY in body


@pytest.mark.django_db
def test_an_item_moved_under_a_password_is_deleted(
    client: Any, video: VideoPage, home: Page, django_capture_on_commit_callbacks: Any
) -> None:
    from cms.content.models import SectionIndexPage

    private = SectionIndexPage(title="Nội bộ", slug="noi-bo")
    home.add_child(instance=private)
    private.save_revision().publish()
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="mat-khau-123"
    )
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=video.pk).move(private, pos="last-child")
    assert ArchiveItem.objects.get(translation_key=video.translation_key).deleted
    root, body = oai(client, verb="ListRecords", metadataPrefix="vn_cms")
    assert root.find(".//o:header", NS).get("status") == "deleted"
    assert_nothing_leaks(body, video)


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["public", "internal"])
def test_an_archived_item_withdrawn_still_gets_its_tombstone(
    video: VideoPage, how: str, django_capture_on_commit_callbacks: Any
) -> None:
    """The archive export keeps restricted items (with their access level); a row shown as
    deleted by OAI-PMH (withdrawn, or not public) must still be picked up by the next
    export when the item is withdrawn, to write its tombstone."""
    from cms.archive.exporter import candidate_keys
    from cms.archive.models import ItemVersion

    row = ArchiveItem.objects.get(translation_key=video.translation_key)
    ItemVersion.objects.create(item=row, number=1, fingerprint="x")
    if how != "public":
        make_private(video, how, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=video.pk).specific.unpublish()
    assert video.translation_key in candidate_keys()


@pytest.mark.django_db
def test_a_restriction_on_a_large_section_is_handled_by_the_worker(
    client: Any, video: VideoPage, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from cms.archive import catalog

    monkeypatch.setattr(catalog, "INLINE_SUBTREE", 0)  # every subtree counts as large
    make_private(video.get_parent(), "password", django_capture_on_commit_callbacks)
    assert ArchiveItem.objects.get(translation_key=video.translation_key).deleted
    root, body = oai(
        client, verb="GetRecord", identifier=identifier(video), metadataPrefix="oai_dc"
    )
    assert root.find(".//o:header", NS).get("status") == "deleted"
    assert_nothing_leaks(body, video)


@pytest.mark.django_db
def test_a_never_public_item_is_not_listed(
    client: Any, section: Page, master_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    page = VideoPage(
        title="Nội bộ",
        slug="noi-bo",
        summary=SUMMARY,
        video=master_factory("vi_speech.ogg"),
        live=False,
    )
    section.add_child(instance=page)
    complete_metadata(page)
    page.summary = SUMMARY
    page.access_level = "internal"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    root, body = oai(client, verb="ListRecords", metadataPrefix="vn_cms")
    assert root.find("o:error", NS).get("code") == "noRecordsMatch"
    assert SUMMARY not in body
    root, _ = oai(client, verb="GetRecord", identifier=identifier(page), metadataPrefix="oai_dc")
    assert root.find("o:error", NS).get("code") == "idDoesNotExist"


@pytest.mark.django_db
@pytest.mark.parametrize("how", PRIVACY)
def test_subtitles_of_a_non_public_page_are_not_served(
    client: Any, video: VideoPage, how: str, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = video.subtitles
    assert client.get(document.url).status_code == 200  # public page: served
    make_private(video, how, django_capture_on_commit_callbacks)
    response = client.get(document.url)
    assert response.status_code in (403, 404)
    assert b"-->" not in b"".join(getattr(response, "streaming_content", [response.content]))
    assert client.get(f"/subtitles/{document.pk}.vtt").status_code in (403, 404)
    # Office staff who may use the document in the admin still fetch it.
    client.force_login(make_user("bientap", "editor"))
    assert client.get(document.url).status_code == 200


@pytest.mark.django_db
def test_a_document_no_public_page_uses_is_not_served(client: Any, samples: Any) -> None:
    document = CustomDocument(
        title="Tải lên chưa dùng",
        file=SimpleUploadedFile("chua-dung.srt", (samples / "vi_report.vi.srt").read_bytes()),
    )
    document.save()
    assert client.get(document.url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["password", "restricted", "internal", "expired"])
def test_search_does_not_find_a_non_public_item(
    client: Any, video: VideoPage, how: str, django_capture_on_commit_callbacks: Any
) -> None:
    def found() -> bool:
        body = client.get("/vi/search/", {"q": "zyxwonderbeam"}).content.decode()
        return "Video về quyền trẻ em" in body

    assert found()
    if how == "expired":
        # Past its expiry time; the unpublish job (publish_scheduled) has not run yet.
        Page.objects.filter(pk=video.pk).update(expire_at=timezone.now() - dt.timedelta(minutes=1))
    else:
        make_private(video, how, django_capture_on_commit_callbacks)
    assert not found()


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["restricted", "internal", "expired"])
def test_the_site_does_not_show_a_non_public_item(
    client: Any, video: VideoPage, how: str, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = video.url
    home_url = video.get_parent().get_parent().url
    assert client.get(url).status_code == 200
    if how == "expired":
        Page.objects.filter(pk=video.pk).update(expire_at=timezone.now() - dt.timedelta(minutes=1))
    else:
        make_private(video, how, django_capture_on_commit_callbacks)
    assert client.get(url).status_code == 404
    assert SUMMARY not in client.get(home_url).content.decode()
    if how != "expired":
        client.force_login(make_user("bientap", "editor"))
        assert client.get(url).status_code == 200


# --- Finding 8: withdrawn translations --------------------------------------------------


@pytest.fixture
def exhibition(section: Page, samples: Any) -> ExhibitionPage:
    vi = Locale.objects.get(language_code="vi")
    photo = CustomImage(
        title="Ảnh",
        file=SimpleUploadedFile("anh.jpg", (samples / "photo_3000x2000.jpg").read_bytes()),
    )
    photo.save()
    page = ExhibitionPage(title="Triển lãm bình đẳng giới", slug="trien-lam", live=False)
    page.items.add(ExhibitionItem(image=photo, caption="Buổi sinh hoạt cộng đồng.", locale=vi))
    section.add_child(instance=page)
    complete_metadata(page)
    page.save_revision().publish()
    page.refresh_from_db()
    en = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    en.title = "Gender equality exhibition"
    item = en.items.first()
    item.caption = "A community meeting, withdrawn wording."
    item.save()
    en.save_revision().publish()
    for ancestor in en.get_ancestors().specific():
        if not ancestor.live:
            ancestor.save_revision().publish()
    return page


@pytest.mark.django_db
def test_print_view_leaves_out_a_withdrawn_translation(
    client: Any, exhibition: ExhibitionPage
) -> None:
    en = exhibition.get_translation(Locale.objects.get(language_code="en"))
    html = client.get(exhibition.url + "print/?with=en").content.decode()
    assert "A community meeting, withdrawn wording." in html
    assert f'href="{en.url}"' in client.get(exhibition.url).content.decode()
    en.unpublish()
    html = client.get(exhibition.url + "print/?with=en").content.decode()
    assert "A community meeting, withdrawn wording." not in html
    assert "Buổi sinh hoạt cộng đồng." in html
    # Nor does the language switcher link the withdrawn version.
    assert f'href="{en.url}"' not in client.get(exhibition.url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["password", "internal"])
def test_print_view_and_switcher_leave_out_a_non_public_translation(
    client: Any, exhibition: ExhibitionPage, how: str, django_capture_on_commit_callbacks: Any
) -> None:
    en = exhibition.get_translation(Locale.objects.get(language_code="en"))
    en_url = en.url
    make_private(en, how, django_capture_on_commit_callbacks)
    html = client.get(exhibition.url + "print/?with=en").content.decode()
    assert "A community meeting, withdrawn wording." not in html
    assert f'href="{en_url}"' not in client.get(exhibition.url).content.decode()


# --- Packages: stations broadcast to the public -------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["password", "restricted", "internal"])
def test_a_non_public_item_is_not_packaged(
    video: VideoPage, how: str, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.exceptions import ValidationError

    from cms.stations.build_plan import build_plan_for
    from cms.stations.models import BroadcastPackage, PackageItem

    package = BroadcastPackage.objects.create(title="Bản tin")
    item = PackageItem.objects.create(package=package, page=video, sort_order=1)
    variant = {"languages": ["vi"], "audio_profiles": [], "video_profile": None}
    assert not build_plan_for(package, variant).missing
    make_private(video, how, django_capture_on_commit_callbacks)
    build_plan = build_plan_for(package, variant)
    assert build_plan.missing == [{"item_id": item.pk, "language": "vi", "reason": "not_public"}]
    assert build_plan.files == [] and build_plan.rundown == []
    with pytest.raises(ValidationError):
        PackageItem(package=package, page=video).clean()


# --- Images: the rule the /media/ policy uses for image files ---------------------------


@pytest.mark.django_db
def test_image_is_public_follows_the_pages_that_show_it(
    exhibition: ExhibitionPage, django_capture_on_commit_callbacks: Any
) -> None:
    """Image files are served from storage (``/media/``, the media-serving policy), not
    through a view: that policy asks ``image_is_public``, which must follow the pages."""
    from cms.content.visibility import image_is_public

    photo = exhibition.items.first().image
    unused = CustomImage.objects.create(title="Chưa dùng", file=photo.file.name)
    assert image_is_public(photo)
    assert not image_is_public(unused)
    en = exhibition.get_translation(Locale.objects.get(language_code="en"))
    make_private(exhibition, "internal", django_capture_on_commit_callbacks)
    assert image_is_public(photo)  # the en version (same photo) is still public
    en.unpublish()
    assert not image_is_public(photo)
