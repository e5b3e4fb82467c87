"""Released packages never change (issue 13, finding 4).

Two titles that used to collapse to one file name ("Bản tin sáng 1/12" and "Bản tin chiều
2/12" both became ``vi/12.mp3``) are built into two packages; a station user then downloads
every file over HTTP and compares it with the manifest, and master 1's stored renditions must
be byte for byte what they were. A released file changed in storage is answered 503 with an
alarm (CRITICAL log, mail to ADMINS), never with the changed bytes.
"""

# ruff: noqa: F811  (the stations fixtures are imported, then named as test arguments)
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client

from cms.media.models import MediaRendition
from cms.stations.models import PackageDelivery
from tests.cms.stations.conftest import (  # noqa: F401  (fixtures)
    add_rendition,
    make_item,
    make_package,
    make_station,
    release,
    rendered,
    token_for,
    units,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PASSWORD = "pw-12345!"
MORNING = "Bản tin sáng 1/12"
EVENING = "Bản tin chiều 2/12"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def station_login(make_user: Any, station: Any, username: str) -> Client:
    """A station user signs in through the portal's own login form (CSRF enforced)."""
    from cms.stations.models import StationMembership

    user = make_user(username)
    StationMembership.objects.create(user=user, station=station)
    client = Client(enforce_csrf_checks=True)
    form = client.get("/stations/dang-nhap/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())
    assert token, "no CSRF token on the login form"
    response = client.post(
        "/stations/dang-nhap/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302, response.content[:500]
    return client


def stored_renditions(master: Any) -> dict[str, str]:
    """profile -> SHA-256 of the rendition's bytes as they are in storage now."""
    return {
        r.profile: sha256(Path(default_storage.path(r.file.name)).read_bytes())
        for r in MediaRendition.objects.filter(master=master).order_by("profile")
    }


@pytest.fixture
def colliding(make_item: Any, rendered: dict[str, Path]) -> tuple[Any, Any]:
    """Two published items whose titles collided under the old naming, with different audio."""
    morning = make_item(MORNING)
    evening = make_item(EVENING)
    for profile in ("loudspeaker", "broadcast"):  # another tone: different bytes
        add_rendition(evening.specific.audio, profile, rendered[f"km:{profile}"])
    return morning, evening


def check_served_equals_manifest(client: Client, delivery: PackageDelivery) -> None:
    """Every file the portal serves has the SHA-256 and size of the bag's manifests."""
    build = delivery.build
    assert build is not None
    base = f"/stations/goi/{delivery.package_id}"
    served: dict[str, bytes] = {}
    for entry in build.files:
        response = client.get(f"{base}/tep/{entry['path']}")
        assert response.status_code == 200, (entry["path"], response.status_code)
        served[entry["path"]] = body(response)
        assert len(served[entry["path"]]) == entry["size"], entry["path"]
        assert sha256(served[entry["path"]]) == entry["sha256"], entry["path"]
    manifest = json.loads(served["data/manifest.json"])
    paths = [f["path"] for f in manifest["files"]]
    assert len(paths) == len({p.casefold() for p in paths}), f"names collide: {paths}"
    for described in manifest["files"]:
        assert sha256(served[described["path"]]) == described["sha256"], described["path"]
    bagit = {
        path: digest
        for digest, path in (
            line.split(maxsplit=1)
            for line in served["manifest-sha256.txt"].decode("utf-8").splitlines()
        )
    }
    assert set(bagit) == {p for p in served if p.startswith("data/")}
    for path, digest in bagit.items():
        assert sha256(served[path]) == digest, path
    # the zip: its recorded SHA-256, and each member equal to the bag's manifest
    response = client.get(f"{base}/tai-ve/")
    assert response.status_code == 200
    data = body(response)
    assert sha256(data) == build.zip_sha256
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            relative = name.split("/", 1)[1]
            if relative in bagit:
                assert sha256(archive.read(name)) == bagit[relative], relative


def test_colliding_titles_never_overwrite_stored_or_released_files(
    colliding: tuple[Any, Any],
    make_station: Any,
    make_package: Any,
    release: Any,
    units: Any,
    make_user: Any,
) -> None:
    morning, evening = colliding
    master_1 = morning.specific.audio
    before = stored_renditions(master_1)
    recorded = {r.profile: r.sha256 for r in MediaRendition.objects.filter(master=master_1)}
    assert before == recorded and len(before) == 2
    station = make_station("a", unit="cao_loc")

    [first] = release(make_package("Gói sáng", [morning], units=[units["cao_loc"]]))
    [second] = release(make_package("Gói cả ngày", [morning, evening], units=[units["cao_loc"]]))
    assert first.build.status == second.build.status == "ready", second.build.error

    # the whole titles name the files: one file per item and format, none shared
    media = sorted(e["path"] for e in second.build.files if e["path"].endswith(".mp3"))
    assert media == ["data/vi/01 - Bản tin sáng 1-12.mp3", "data/vi/02 - Bản tin chiều 2-12.mp3"]

    client = station_login(make_user, station, "dai-a")
    check_served_equals_manifest(client, first)
    check_served_equals_manifest(client, second)
    assert stored_renditions(master_1) == before, "master 1's renditions were overwritten"

    # a later build from the same renditions still works (no SHA-256 mismatch, no
    # SameFileError), and the first package's files are still the released ones
    [third] = release(make_package("Gói tối", [evening, morning], units=[units["cao_loc"]]))
    assert third.build.status == "ready", third.build.error
    check_served_equals_manifest(client, third)
    check_served_equals_manifest(client, first)
    assert stored_renditions(master_1) == before


def test_bag_files_share_no_inode_with_stored_renditions(
    colliding: tuple[Any, Any], make_station: Any, make_package: Any, release: Any, units: Any
) -> None:
    """A bag's file is a copy: writing to one can never change the other."""
    morning, evening = colliding
    make_station("a", unit="cao_loc")
    [delivery] = release(make_package("Gói", [morning, evening], units=[units["cao_loc"]]))
    renditions = {
        os.stat(default_storage.path(r.file.name)).st_ino
        for r in MediaRendition.objects.filter(master__in=[morning.audio, evening.audio])
    }
    assert delivery.build is not None
    for entry in delivery.build.files:
        stat = os.stat(default_storage.path(entry["storage_name"]))
        assert stat.st_ino not in renditions, entry["path"]
        assert stat.st_nlink == 1, entry["path"]


def tamper(storage_name: str) -> None:
    path = Path(default_storage.path(storage_name))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    with path.open("r+b") as handle:  # in place, as a stray writer would
        handle.write(bytes(data))


@pytest.fixture
def released(
    colliding: tuple[Any, Any], make_station: Any, make_package: Any, release: Any, units: Any
) -> tuple[Any, PackageDelivery]:
    station = make_station("a", unit="cao_loc")
    [delivery] = release(make_package("Gói sáng", [colliding[0]], units=[units["cao_loc"]]))
    assert delivery.build is not None and delivery.build.status == "ready"
    return station, delivery


def test_tampered_released_file_is_an_alarm_and_a_503(
    released: tuple[Any, PackageDelivery],
    make_user: Any,
    token_for: Any,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.ADMINS = [("Trực ban", "truc-ban@example.vn")]
    station, delivery = released
    build = delivery.build
    assert build is not None
    entry = next(e for e in build.files if e["path"].endswith(".mp3"))
    portal = station_login(make_user, station, "dai-a")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(station)}")
    file_url = f"/stations/goi/{delivery.package_id}/tep/{entry['path']}"
    api_file = f"/api/stations/v1/packages/{delivery.package_id}/files/{entry['path']}"

    # intact: served (and the check is now cached for this state of the file)
    assert sha256(body(portal.get(file_url))) == entry["sha256"]
    assert sha256(body(api.get(api_file))) == entry["sha256"]

    tamper(entry["storage_name"])
    with caplog.at_level(logging.ERROR, logger="cms.stations"):
        response = portal.get(file_url)
        assert response.status_code == 503
        assert sha256(body(response)) != entry["sha256"]
        assert "SHA-256" in response.content.decode()
        response = api.get(api_file)
        assert response.status_code == 503
        assert response.json() == {"error": "integrity_check_failed"}
        assert api.head(api_file).status_code == 503
    alarms = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert alarms, "no alarm logged"
    message = alarms[0].getMessage()
    assert entry["path"] in message and str(delivery.package_id) in message
    alarm_mails = [m for m in mail.outbox if "tệp đã phát hành bị thay đổi" in m.subject]
    assert len(alarm_mails) == 1, "ADMINS are mailed once, not once per request"
    assert alarm_mails[0].to == ["truc-ban@example.vn"]
    assert entry["path"] in alarm_mails[0].body

    # the same through nginx (X-Accel-Redirect): the app refuses before handing over
    settings.CMS_STATIONS = {"ACCEL_REDIRECT_PREFIX": "/_protected/"}
    response = api.get(api_file)
    assert response.status_code == 503 and "X-Accel-Redirect" not in response


def test_tampered_zip_is_refused_even_with_its_old_modification_time(
    released: tuple[Any, PackageDelivery],
    make_user: Any,
    token_for: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    station, delivery = released
    build = delivery.build
    assert build is not None
    portal = station_login(make_user, station, "dai-a")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(station)}")
    zip_url = f"/stations/goi/{delivery.package_id}/tai-ve/"
    api_zip = f"/api/stations/v1/packages/{delivery.package_id}/bag.zip"
    assert sha256(body(portal.get(zip_url))) == build.zip_sha256

    path = Path(default_storage.path(build.zip_storage_name))
    stat = path.stat()
    tamper(build.zip_storage_name)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # hide the change from mtime
    with caplog.at_level(logging.ERROR, logger="cms.stations"):
        assert portal.get(zip_url).status_code == 503
        response = api.get(api_zip, HTTP_RANGE="bytes=0-99")
        assert response.status_code == 503
        assert response.json() == {"error": "integrity_check_failed"}
    assert any("bag.zip" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)

    path.unlink()  # a missing file is no better
    assert portal.get(zip_url).status_code == 503


def test_a_fresh_build_is_served_without_hashing_it_again(
    released: tuple[Any, PackageDelivery], make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build records what it has just hashed: the first download costs a stat, not a
    read of the whole zip inside the request."""
    from cms.stations import integrity

    def no_hashing(name: str) -> str:
        raise AssertionError(f"{name} hashed again while serving")

    monkeypatch.setattr(integrity, "stored_sha256", no_hashing)
    station, delivery = released
    assert delivery.build is not None
    portal = station_login(make_user, station, "dai-a")
    response = portal.get(f"/stations/goi/{delivery.package_id}/tai-ve/")
    assert response.status_code == 200
    assert sha256(body(response)) == delivery.build.zip_sha256


@pytest.mark.django_db(databases=[])
def test_names_in_a_bag_are_unique_and_deterministic() -> None:
    """Two files of one item and suffix, names equal but for case, names cut at the length
    limit: each gets its own name, the same one every time."""
    from cms.stations.build_plan import BuildPlan

    def bag_names() -> list[str]:
        build_plan = BuildPlan()
        long = "Ꝁ" * 200
        return [
            build_plan.path("vi", "01 - Bản tin sáng 1/12", ".mp3"),
            build_plan.path("vi", "01 - Bản tin sáng 1/12", ".mp3"),
            build_plan.path("vi", "01 - BẢN TIN SÁNG 1/12", ".mp3"),
            build_plan.path("km", "01 - Bản tin sáng 1/12", ".mp3"),
            build_plan.path("vi", f"02 - {long}a", ".wav"),
            build_plan.path("vi", f"02 - {long}b", ".wav"),
        ]

    names = bag_names()
    assert names[:4] == [
        "vi/01 - Bản tin sáng 1-12.mp3",
        "vi/01 - Bản tin sáng 1-12 (2).mp3",
        "vi/01 - BẢN TIN SÁNG 1-12 (3).mp3",
        "km/01 - Bản tin sáng 1-12.mp3",
    ]
    assert names[5].endswith(" (2).wav") and len(names[5].encode()) <= 3 + 180
    assert len({n.casefold() for n in names}) == len(names)
    assert bag_names() == names
