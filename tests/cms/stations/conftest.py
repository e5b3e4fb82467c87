"""Fixtures for stations: real rendition files (ffmpeg, made once per session), items with
translations, stations, packages released and built, tokens, and a real nginx."""

from __future__ import annotations

import datetime
import getpass
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from wagtail.models import Locale

from cms.media.models import MediaRendition, RenditionStatus
from cms.stations import distribution, tokens
from cms.stations.models import (
    BroadcastPackage,
    PackageDelivery,
    PackageItem,
    Station,
    StationMembership,
)
from cms.taxonomy.models import AdministrativeUnit
from devstack.nginx import NGINX, Nginx, with_push  # noqa: F401 - NGINX: used by the tests here
from tests.cms.conftest import complete_metadata
from tests.support import free_port

TONES = {"vi": 440, "km": 550, "hmn": 660}


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=60)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real loudspeaker MP3 / broadcast WAV per language and a board MP4, made once."""
    root = tmp_path_factory.mktemp("rendered")
    files: dict[str, Path] = {}
    for language, tone in TONES.items():
        mp3, wav = root / f"{language}.loudspeaker.mp3", root / f"{language}.broadcast.wav"
        source = f"sine=frequency={tone}:duration=3:sample_rate=48000"
        ffmpeg("-f", "lavfi", "-i", source, "-ac", "1", "-ar", "44100", "-b:a", "64k", str(mp3))
        ffmpeg(
            "-f", "lavfi", "-i", source, "-ac", "1", "-ar", "48000", "-c:a", "pcm_s16le", str(wav)
        )
        files[f"{language}:loudspeaker"], files[f"{language}:broadcast"] = mp3, wav
    mp4 = root / "board_landscape.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=1",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast", str(mp4),
    )  # fmt: skip
    files["board_landscape"] = mp4
    return files


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_rendition(master: Any, profile: str, source: Path, duration: float = 3.0) -> None:
    name = default_storage.save(
        f"renditions/{master.language}/{master.pk}/{master.pk}.{profile}{source.suffix}",
        ContentFile(source.read_bytes()),
    )
    MediaRendition.objects.update_or_create(
        master=master,
        profile=profile,
        defaults={
            "key": f"test-{master.pk}-{profile}",
            "status": RenditionStatus.DONE,
            "file": name,
            "sha256": sha256(source),
            "size": source.stat().st_size,
            "technical_metadata": {"duration": duration},
        },
    )


@pytest.fixture
def units(db: None) -> dict[str, AdministrativeUnit]:
    codes = {
        "lang_son": "P2025-20",
        "lang_son_old": "P-20",
        "cao_loc_district": "D-20-180",
        "cao_loc": "C2025-20-cao-loc",
        "dong_dang": "C2025-20-dong-dang",
        "can_tho": "P2025-92",
    }
    return {key: AdministrativeUnit.objects.get(code=code) for key, code in codes.items()}


@pytest.fixture
def make_station(units: dict[str, AdministrativeUnit]) -> Any:
    def make(
        code: str,
        kind: str = "commune_radio",
        unit: str = "cao_loc",
        languages: tuple[str, ...] = ("vi",),
        **extra: Any,
    ) -> Station:
        return Station.objects.create(
            name=extra.pop("name", f"Đài {code}"),
            code=code,
            kind=kind,
            administrative_unit=units[unit],
            languages=list(languages),
            **extra,
        )

    return make


@pytest.fixture
def make_item(section: Any, master_factory: Any, rendered: dict[str, Path]) -> Any:
    """A published radio segment (or video) with its translations and done renditions."""
    counter = {"n": 0}

    def make(
        title: str,
        languages: tuple[str, ...] = ("vi",),
        titles: dict[str, str] | None = None,
        video: bool = False,
        script: str = "Kính thưa bà con,\nđây là bản tin.",
    ) -> Any:
        from cms.content.models import RadioSegmentPage, VideoPage

        counter["n"] += 1
        sample = "vi_report_1080p.mp4" if video else "vi_speech.ogg"
        pages = {}
        for language in languages:
            master = master_factory(sample, language=language, title=f"{title} [{language}]")
            for profile in ("loudspeaker", "broadcast"):
                add_rendition(
                    master,
                    profile,
                    rendered[f"{language if language in TONES else 'vi'}:{profile}"],
                )
            if video:
                add_rendition(master, "board_landscape", rendered["board_landscape"], 1.0)
            page_title = (titles or {}).get(language, title)
            if language == "vi":
                model = VideoPage if video else RadioSegmentPage
                fields = (
                    {"video": master, "transcript": script}
                    if video
                    else {
                        "audio": master,
                        "script": script,
                    }
                )
                page = model(title=page_title, slug=f"item-{counter['n']}", live=False, **fields)
                section.add_child(instance=page)
                complete_metadata(page)
                page.save_revision().publish()
            else:
                page = pages["vi"].copy_for_translation(
                    Locale.objects.get(language_code=language), copy_parents=True
                )
                page.title = page_title
                if video:
                    page.video = master
                else:
                    page.audio = master
                page.save_revision().publish()
            page.refresh_from_db()
            pages[language] = page
        return pages["vi"]

    return make


@pytest.fixture
def make_package(db: None) -> Any:
    def make(
        title: str,
        pages: list[Any],
        bulletin_class: str = "normal",
        units: list[AdministrativeUnit] | None = None,
        stations: list[Station] | None = None,
        **fields: Any,
    ) -> BroadcastPackage:
        package = BroadcastPackage.objects.create(
            title=title, bulletin_class=bulletin_class, **fields
        )
        for order, page in enumerate(pages):
            PackageItem.objects.create(package=package, page=page, sort_order=order)
        if units:
            package.target_units.set(units)
        if stations:
            package.target_stations.set(stations)
        package.save()  # parental many-to-many relations are written on save
        return package

    return make


@pytest.fixture
def release(django_capture_on_commit_callbacks: Any) -> Any:
    """Release a package and run its builds (the task backend is immediate in tests)."""

    def run(package: BroadcastPackage) -> list[PackageDelivery]:
        with django_capture_on_commit_callbacks(execute=True):
            deliveries = distribution.release(package)
        return [PackageDelivery.objects.select_related("build").get(pk=d.pk) for d in deliveries]

    return run


@pytest.fixture
def token_for(db: None) -> Any:
    def issue(station: Station, **extra: Any) -> str:
        return tokens.issue(station, **extra).secret

    return issue


@pytest.fixture
def station_user(make_user: Any) -> Any:
    def make(username: str, station: Station) -> Any:
        user = make_user(username)
        StationMembership.objects.create(user=user, station=station)
        return user

    return make


def expired() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=1)


# --- nginx ------------------------------------------------------------------------------


# ``user root``: the tests run as root and pytest's temporary directories are private (0700);
# a production nginx runs as its own user, in the group that can read MEDIA_ROOT.
NGINX_CONF = """
daemon off;
user {user};
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    default_type application/octet-stream;
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        location /_protected/ {{
            internal;
            alias {media}/;
            etag off;
            add_header ETag $upstream_http_etag always;
        }}
        location /direct/ {{
            alias {media}/;
        }}
        location / {{
            proxy_pass {upstream};
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


def serve_nginx(
    live_server: Any, settings: Any, tmp_path: Path, push: bool = False
) -> Iterator[Nginx]:
    """A real nginx in front of ``live_server`` (with ``push``: and the production push
    locations of deploy/nginx/cms.conf, the app publishing to it)."""
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = NGINX_CONF.format(
        tmp=tmp_path / "nginx", port=port, media=media, upstream=live_server.url,
        user=getpass.getuser(),
    )  # fmt: skip
    stations = {"ACCEL_REDIRECT_PREFIX": "/_protected/"}
    if push:
        conf = with_push(conf, live_server.url)
        stations["PUSH_PUBLISH_URL"] = f"http://127.0.0.1:{port}/_push/pub/"
    settings.CMS_STATIONS = stations
    server = Nginx(conf, tmp_path / "nginx", port).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def nginx(live_server: Any, settings: Any, tmp_path: Path) -> Iterator[str]:
    """A real nginx in front of ``live_server``; returns its base URL.

    ``/direct/`` serves MEDIA_ROOT without the app (the benchmark baseline); the app hands
    downloads to ``/_protected/`` with X-Accel-Redirect.
    """
    for server in serve_nginx(live_server, settings, tmp_path):
        yield server.url


@pytest.fixture
def push_nginx(live_server: Any, settings: Any, tmp_path: Path) -> Iterator[Nginx]:
    """``nginx`` plus nchan's push locations, exactly as in deploy/nginx/cms.conf."""
    yield from serve_nginx(live_server, settings, tmp_path, push=True)


def env_without_proxy() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        env.pop(key, None)
    env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # whitenoise looks for STATIC_ROOT, which the tests do not collect into.
    for item in items:
        if "tests/cms/stations/" in item.nodeid:
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))


@pytest.fixture
def make_exhibition(section: Any, samples: Path) -> Any:
    """A published exhibition (a photo and a CMYK poster), translated with its own captions."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cms.content.models import ExhibitionItem, ExhibitionPage
    from cms.media.models import CustomImage

    def make(title: str, captions: dict[str, list[str]]) -> Any:
        vi = Locale.objects.get(language_code="vi")
        images = []
        for image_title, sample in (("Ảnh sinh hoạt", "photo_3000x2000.jpg"),
                                    ("Tranh cổ động", "poster_cmyk.jpg")):  # fmt: skip
            image = CustomImage(
                title=image_title,
                file=SimpleUploadedFile(sample, (samples / sample).read_bytes()),
            )
            image.save()
            images.append(image)
        page = ExhibitionPage(title=title, slug="trien-lam-anh", live=False)
        for image, caption in zip(images, captions["vi"], strict=True):
            page.items.add(ExhibitionItem(image=image, caption=caption, locale=vi))
        section.add_child(instance=page)
        complete_metadata(page)
        page.save_revision().publish()
        page.refresh_from_db()
        for language, texts in captions.items():
            if language == "vi":
                continue
            translation = page.copy_for_translation(
                Locale.objects.get(language_code=language), copy_parents=True
            )
            for exhibit, caption in zip(
                translation.items.order_by("sort_order"), texts, strict=True
            ):
                exhibit.caption = caption
                exhibit.save()
            translation = type(translation).objects.get(pk=translation.pk)
            translation.save_revision().publish()
        return page

    return make
