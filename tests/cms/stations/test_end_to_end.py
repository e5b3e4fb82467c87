"""End to end through a real nginx (X-Accel-Redirect) and the live site: a dropped download
resumed with Range, the sync client as a subprocess and in-process, tampering caught."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage

from cms.stations.models import AuditLog, PackageDelivery

from .conftest import env_without_proxy

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[3]
API = "/api/stations/v1"


@pytest.fixture
def packages(make_item, make_station, make_package, release, units, token_for) -> dict[str, Any]:
    cache.clear()
    item = make_item("Quyền trẻ em ở thôn bản", languages=("vi", "km"), titles={"km": "សិទ្ធិកុមារ"})
    station = make_station("xa-cao-loc", unit="cao_loc", languages=("vi", "km"))
    other = make_station("can-tho", unit="can_tho")
    [normal] = release(make_package("Gói tuần", [item], units=[units["cao_loc"]]))
    [urgent] = release(make_package("Bão khẩn cấp", [item], "emergency", units=[units["cao_loc"]]))
    [foreign] = release(make_package("Gói Cần Thơ", [item], units=[units["can_tho"]]))
    return {
        "station": station,
        "normal": normal,
        "urgent": urgent,
        "foreign": foreign,
        "token": token_for(station),
        "other_token": token_for(other),
    }


def get(url: str, token: str | None, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def read_then_drop(url: str, token: str, keep: int) -> tuple[dict[str, str], bytes]:
    """Read the headers and ``keep`` bytes of the body, then close the socket."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(
            f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while b"\r\n\r\n" not in data:
            received = sock.recv(4096)
            assert received, f"connection closed before the headers: {data!r}"
            data += received
        head, body = data.split(b"\r\n\r\n", 1)
        while len(body) < keep:
            received = sock.recv(min(4096, keep - len(body)))
            assert received, f"connection closed after {len(body)} bytes: {head!r}"
            body += received
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert lines[0].startswith("HTTP/1.1 200"), lines[0]
    return headers, body[:keep]


def test_download_through_nginx_is_cut_resumed_and_verified(nginx, packages) -> None:
    delivery: PackageDelivery = packages["normal"]
    build = delivery.build
    url = f"{nginx}{API}/packages/{delivery.package_id}/bag.zip"
    headers, first = read_then_drop(url, packages["token"], keep=build.zip_size // 2)
    assert headers["Server"].startswith("nginx")
    assert headers["ETag"] == f'"{build.zip_sha256}"'  # the app's strong ETag, kept by nginx
    assert "X-Accel-Redirect" not in headers

    status, resumed_headers, rest = get(
        url, packages["token"], Range=f"bytes={len(first)}-", **{"If-Range": headers["ETag"]}
    )
    assert status == 206
    assert (
        resumed_headers["Content-Range"]
        == f"bytes {len(first)}-{build.zip_size - 1}/{build.zip_size}"
    )
    assert hashlib.sha256(first + rest).hexdigest() == build.zip_sha256

    status, _, _ = get(url, packages["token"], Range=f"bytes={build.zip_size + 10}-")
    assert status == 416
    # A Unicode file name through X-Accel-Redirect (percent-encoded, decoded by nginx).
    entry = next(f for f in build.files if "សិទ្ធិ" in f["path"] and f["path"].endswith(".mp3"))
    file_url = (
        f"{nginx}{API}/packages/{delivery.package_id}/files/{urllib.request.quote(entry['path'])}"
    )
    status, _, body = get(file_url, packages["token"])
    assert status == 200 and hashlib.sha256(body).hexdigest() == entry["sha256"]
    # Not yours / no token / does not exist, through nginx too.
    foreign = f"{nginx}{API}/packages/{packages['foreign'].package_id}/bag.zip"
    missing = f"{nginx}{API}/packages/999999/bag.zip"
    assert (
        get(foreign, packages["token"])[0::2]
        == get(missing, packages["token"])[0::2]
        == (
            404,
            b'{"error": "not_found"}',
        )
    )
    assert get(url, None)[0] == 401
    assert (
        AuditLog.objects.filter(action="download_bag", package_id=delivery.package_id).count() >= 3
    )


# Station PCs have old Pythons: STATION_SYNC_PYTHON=/path/to/python3.9 runs the client with it.
SYNC_PYTHON = os.environ.get("STATION_SYNC_PYTHON") or sys.executable


def run_sync(base: str, token: str, dest: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = env_without_proxy()
    env["STATION_SYNC_TOKEN"] = token
    return subprocess.run(
        [SYNC_PYTHON, "-m", "station_sync", "sync", "--url", base, "--dest", str(dest),
         "--backoff", "0.05", "--max-attempts", "4", *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_sync_client_subprocess_through_nginx(nginx, packages, tmp_path) -> None:
    dest = tmp_path / "dai"
    result = run_sync(nginx, packages["token"], dest)
    assert result.returncode == 0, result.stderr
    log = result.stderr
    assert log.index("Bão khẩn cấp") < log.index("Gói tuần")  # emergency fetched first
    for key in ("normal", "urgent"):
        delivery = PackageDelivery.objects.get(pk=packages[key].pk)
        bag = dest / delivery.build.bag_name
        assert (bag / "bagit.txt").exists()
        assert delivery.received_at is not None
        assert delivery.received_sha256 == delivery.build.bag_sha256
        for entry in delivery.build.files:
            assert hashlib.sha256((bag / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    assert not (dest / ".incoming").exists() or not any((dest / ".incoming").iterdir())
    assert not list(dest.rglob("*.part"))
    state = json.loads((dest / ".state.json").read_text("utf-8"))
    assert state["pending"] == {} and len(state["received"]) == 2
    assert str(packages["foreign"].package_id) not in state["received"]
    # Nothing new: a second run changes nothing and succeeds.
    assert run_sync(nginx, packages["token"], dest).returncode == 0
    # A wrong token is refused with its own exit code (4, EXIT_AUTH; docs/stations.md).
    assert run_sync(nginx, "st_wrong_token", tmp_path / "x").returncode == 4


def test_sync_client_resumes_partial_files_and_catches_tampering(
    live_server, packages, tmp_path
) -> None:
    """In-process (``main()``) against the app-served path: a partial file resumes with
    Range; a partial file with wrong bytes fails the SHA-256 check and is fetched again."""
    from station_sync.cli import main

    delivery = PackageDelivery.objects.get(pk=packages["normal"].pk)
    build = delivery.build
    dest = tmp_path / "dai"
    incoming = dest / ".incoming" / build.bag_name
    wav = next(f for f in build.files if f["path"].endswith(".wav"))
    mp3 = next(f for f in build.files if f["path"].endswith(".mp3"))

    good = Path(default_storage.path(wav["storage_name"])).read_bytes()
    part = incoming / Path(wav["path"]).parent / f".{Path(wav['path']).name}.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(good[: len(good) // 2])  # an honest half
    bad_part = incoming / Path(mp3["path"]).parent / f".{Path(mp3['path']).name}.part"
    bad_part.write_bytes(b"\0" * 1000)  # tampered bytes the server never sent
    code = main(
        ["sync", "--url", live_server.url, "--token", packages["token"], "--dest", str(dest),
         "--backoff", "0.01", "--max-attempts", "3", "--quiet"],
    )  # fmt: skip
    assert code == 0
    bag = dest / build.bag_name
    assert (bag / wav["path"]).read_bytes() == good
    assert hashlib.sha256((bag / mp3["path"]).read_bytes()).hexdigest() == mp3["sha256"]
    ranges = list(
        AuditLog.objects.filter(
            action="download_file", package_id=delivery.package_id, detail__file=wav["path"]
        ).values_list("detail__range", flat=True)
    )
    assert ranges == [f"bytes={len(good) // 2}-"]  # resumed, not restarted
    mp3_ranges = list(
        AuditLog.objects.filter(
            action="download_file", package_id=delivery.package_id, detail__file=mp3["path"]
        )
        .order_by("pk")
        .values_list("detail__range", flat=True)
    )
    assert mp3_ranges == ["bytes=1000-", ""]  # tampered part: checksum failed, fetched whole
    delivery.refresh_from_db()
    assert delivery.received_at is not None
