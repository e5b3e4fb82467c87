"""On S3-compatible storage (a real moto_server on 127.0.0.1): bags are uploaded, and the
API redirects to a short-lived presigned URL that serves the bytes and Range requests."""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from tests.support import MotoServer, s3_default_storage

pytestmark = pytest.mark.django_db
BUCKET = "cms-test"


@pytest.fixture
def s3(settings: Any, s3_credentials: None, tmp_path: Path) -> Iterator[str]:
    server = MotoServer(tmp_path)
    server.start()
    try:
        server.client().create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": s3_default_storage(BUCKET, server.url),
        }
        settings.CMS_STATIONS = {"PRESIGNED_URL_SECONDS": 120}
        yield server.url
    finally:
        server.stop()


def fetch(url: str, **headers: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_download_redirects_to_a_presigned_url_on_s3(
    s3, client, make_item, make_station, make_package, release, units, token_for
) -> None:
    cache.clear()
    item = make_item("Quyền trẻ em")
    station = make_station("xa", unit="cao_loc")
    [delivery] = release(make_package("Gói S3", [item], units=[units["cao_loc"]]))
    build = delivery.build
    assert build.status == "ready", build.error
    token = token_for(station)
    response = client.get(
        f"/api/stations/v1/packages/{delivery.package_id}/bag.zip",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 302 and response["Cache-Control"] == "no-store"
    location = response["Location"]
    assert location.startswith(s3)
    query = parse_qs(urlsplit(location).query)
    if "X-Amz-Expires" in query:  # signature v4
        assert query["X-Amz-Expires"] == ["120"]
    else:  # signature v2: an absolute expiry time
        assert 0 < int(query["Expires"][0]) - time.time() <= 121
    status, body = fetch(location)
    assert status == 200 and hashlib.sha256(body).hexdigest() == build.zip_sha256
    status, tail = fetch(location, Range="bytes=100-")
    assert status == 206 and tail == body[100:]
    # A single file too, and nothing without a token.
    entry = next(f for f in build.files if f["path"].endswith(".mp3"))
    file_response = client.get(
        f"/api/stations/v1/packages/{delivery.package_id}/files/{entry['path']}",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    status, data = fetch(file_response["Location"])
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert client.get(f"/api/stations/v1/packages/{delivery.package_id}/bag.zip").status_code == 401
