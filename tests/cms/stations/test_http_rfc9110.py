"""Conditional requests and ranges on station downloads, by the book (RFC 9110).

Each case below is checked against the RFC (section in the case) on the station API
(``bag.zip``, token), the portal (session) and the public media view (all three answer
through ``cms.media.file_responses.stored_file_response``), and compared with a real nginx
serving a copy of the same file from disk. nginx's ETag is "mtime-size", not the SHA-256, so ``{E}``
stands for whichever ETag the server in question gave; status codes and the presence of
headers are compared, not ETag values. Where nginx deviates from the RFC the test asserts
the RFC for the app and records nginx's answer in ``nginx_deviates``.

Lives beside the other station tests (not in tests/cms/integrity/) because it needs the
station fixtures of tests/cms/stations/conftest.py.
"""

from __future__ import annotations

import getpass
import http.client
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage

from tests.support import free_port

from .conftest import NGINX

pytestmark = pytest.mark.django_db
API = "/api/stations/v1"
PAST = "Thu, 01 Jan 1998 00:00:00 GMT"
FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"

# A plain nginx serving files from disk. ``if_modified_since before`` is the setting that
# follows RFC 9110 §13.1.3 (not modified if the date is *at or after* Last-Modified); nginx's
# default "exact" only answers 304 to the very same date.
NGINX_CONF = """
daemon off;
user {user};
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    default_type application/octet-stream;
    if_modified_since before;
    server {{
        listen 127.0.0.1:{port};
        location /files/ {{ alias {root}/; }}
    }}
}}
"""


@dataclass
class Case:
    name: str
    section: str
    headers: dict[str, str]
    status: int
    method: str = "GET"
    # Header presence the RFC asks for in the answer (besides the status).
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    # nginx 1.22's answer where it differs from the RFC (status), with the reason.
    nginx_deviates: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("If-None-Match: *", "§13.1.2", {"If-None-Match": "*"}, 304, present=("ETag",)),
    Case("If-None-Match list", "§13.1.2", {"If-None-Match": '"abc", {E}'}, 304,
         present=("ETag",)),
    Case("If-None-Match weak W/E", "§13.1.2, §8.8.3.2 (weak comparison)",
         {"If-None-Match": "W/{E}"}, 304, present=("ETag",)),
    Case("If-None-Match other tag", "§13.1.2", {"If-None-Match": '"abc"'}, 200),
    Case("If-None-Match E on HEAD", "§13.1.2", {"If-None-Match": "{E}"}, 304, method="HEAD"),
    Case("If-None-Match + Range", "§13.2.2 (If-None-Match before Range), §14.2",
         {"If-None-Match": "{E}", "Range": "bytes=0-9"}, 304, absent=("Content-Range",)),
    Case("If-None-Match other + Range", "§14.2", {"If-None-Match": '"abc"', "Range": "bytes=0-9"},
         206, present=("Content-Range",)),
    Case("If-Match other tag", "§13.1.1", {"If-Match": '"nope"'}, 412),
    Case("If-Match *", "§13.1.1 (* matches a current representation)", {"If-Match": "*"}, 200),
    Case("If-Match E", "§13.1.1", {"If-Match": "{E}"}, 200),
    Case("If-Match weak W/E", "§13.1.1 (strong comparison)", {"If-Match": "W/{E}"}, 412),
    Case("If-Match other + If-None-Match *", "§13.2.2 step 1 before step 3",
         {"If-Match": '"nope"', "If-None-Match": "*"}, 412),
    Case("If-Unmodified-Since past", "§13.1.4", {"If-Unmodified-Since": PAST}, 412),
    Case("If-Unmodified-Since future", "§13.1.4", {"If-Unmodified-Since": FUTURE}, 200),
    Case("If-Match E + If-Unmodified-Since past",
         "§13.1.4 (ignored when If-Match is present), §13.2.2 step 2",
         {"If-Match": "{E}", "If-Unmodified-Since": PAST}, 200,
         nginx_deviates={"status": 412, "why": "nginx evaluates both; the RFC says ignore"}),
    Case("If-Modified-Since future", "§13.1.3", {"If-Modified-Since": FUTURE}, 304),
    Case("If-Modified-Since past", "§13.1.3", {"If-Modified-Since": PAST}, 200),
    Case("If-None-Match other + If-Modified-Since future",
         "§13.1.3 (ignored when If-None-Match is present)",
         {"If-None-Match": '"abc"', "If-Modified-Since": FUTURE}, 200),
    Case("HEAD + Range", "§9.3.2, §14.2 (Range is defined for GET only)",
         {"Range": "bytes=0-9"}, 200, method="HEAD", absent=("Content-Range",),
         nginx_deviates={"status": 206, "why": "nginx applies Range to HEAD"}),
    Case("Range unsatisfiable", "§15.5.17, §14.4", {"Range": "bytes={SIZE}-"}, 416,
         present=("Content-Range",)),
    Case("If-Range E + Range", "§13.1.5", {"If-Range": "{E}", "Range": "bytes=0-9"}, 206,
         present=("Content-Range",)),
    Case("If-Range W/E + Range", "§13.1.5 (strong comparison: the whole file)",
         {"If-Range": "W/{E}", "Range": "bytes=0-9"}, 200, absent=("Content-Range",)),
]  # fmt: skip


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@pytest.fixture
def served(make_item, make_station, make_package, release, units, token_for, station_user):
    item = make_item("Quyền trẻ em")
    station = make_station("a", unit="cao_loc")
    [delivery] = release(
        make_package("Gói của A", [item], stations=[station], units=[units["cao_loc"]])
    )
    return {
        "delivery": delivery,
        "token": token_for(station),
        "user": station_user("dai-a", station),
        "path": Path(default_storage.path(delivery.build.zip_storage_name)),
    }


@pytest.fixture
def plain_nginx(tmp_path: Path, served: dict[str, Any]) -> Iterator[str]:
    """nginx serving a copy of the bag zip at /files/bag.zip; returns its base URL."""
    tmp = tmp_path / "nginx"
    root = tmp / "root"
    root.mkdir(parents=True)
    shutil.copyfile(served["path"], root / "bag.zip")
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(tmp=tmp, port=port, root=root, user=getpass.getuser()),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            probe.request("HEAD", "/files/bag.zip")
            probe.getresponse().read()
            probe.close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def nginx_answer(host: str, method: str, headers: dict[str, str]) -> Answer:
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request(method, "/files/bag.zip", headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def django_answer(client: Any, url: str, method: str, headers: dict[str, str]) -> Answer:
    response = client.generic(method, url, headers=headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Answer(response.status_code, {k.lower(): v for k, v in response.items()}, body)


def fill(case: Case, etag: str, size: int) -> dict[str, str]:
    return {
        name: value.replace("{E}", etag).replace("{SIZE}", str(size))
        for name, value in case.headers.items()
    }


def check(case: Case, answer: Answer, size: int, expected_status: int) -> list[str]:
    """What is wrong with ``answer`` for ``case`` (empty when it follows the RFC)."""
    where = f"{case.name} ({case.method}, RFC 9110 {case.section})"
    if answer.status != expected_status:
        return [f"{where}: {answer.status}, expected {expected_status}"]
    problems = []
    for name in case.present:
        if name.lower() not in answer.headers:
            problems.append(f"{where}: no {name}")
    for name in case.absent:
        if name.lower() in answer.headers:
            problems.append(f"{where}: unexpected {name}: {answer.headers[name.lower()]}")
    if answer.status == 416 and answer.headers.get("content-range") != f"bytes */{size}":
        problems.append(f"{where}: Content-Range {answer.headers.get('content-range')}")
    if answer.status in (200, 206) and case.method == "GET" and not answer.body:
        problems.append(f"{where}: empty body")
    if answer.status == 200 and answer.headers.get("content-length") != str(size):
        problems.append(f"{where}: Content-Length {answer.headers.get('content-length')}")
    if case.method == "HEAD" and answer.body:
        problems.append(f"{where}: HEAD with a body")
    return problems


def compare(surface: str, client: Any, url: str, etag: str, host: str, size: int) -> None:
    """Every case on ``url`` (the app) and on nginx; one failure message listing all."""
    nginx_etag = nginx_answer(host, "HEAD", {}).headers["etag"]
    problems: list[str] = []
    for case in CASES:
        cache.clear()  # the token's failure counter and cached polls are not under test
        app = django_answer(client, url, case.method, fill(case, etag, size))
        problems += [f"{surface}: {p}" for p in check(case, app, size, case.status)]
        ref = nginx_answer(host, case.method, fill(case, nginx_etag, size))
        if case.nginx_deviates:
            # Asserted so that the comment stays true; the app follows the RFC instead.
            if ref.status != case.nginx_deviates["status"]:
                problems.append(f"nginx: {case.name}: {ref.status} (deviation gone?)")
        else:
            problems += [f"nginx: {p}" for p in check(case, ref, size, case.status)]
        # No body, and no text/html claiming one (§15.4.5, §15.5.13, §15.5.17).
        html = app.headers.get("content-type", "").startswith("text/html")
        if app.status in (304, 412, 416) and (app.body or html):
            problems.append(f"{surface}: {case.name}: body {app.body[:40]!r} "
                            f"as {app.headers.get('content-type')}")  # fmt: skip
    assert problems == []


def test_api_bag_follows_rfc_9110_like_nginx(client, served, plain_nginx) -> None:
    """RFC 9110 §8.8.3, §9.3.2, §13.1.1–§13.1.5, §13.2.2, §14.2, §14.4, §15.5.17 on
    ``GET/HEAD /api/stations/v1/packages/{id}/bag.zip`` with a bearer token."""
    build = served["delivery"].build
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {served['token']}"
    url = f"{API}/packages/{served['delivery'].package_id}/bag.zip"
    compare("api", client, url, f'"{build.zip_sha256}"', plain_nginx, build.zip_size)


def test_portal_bag_follows_rfc_9110_like_nginx(client, served, plain_nginx) -> None:
    """The same RFC 9110 cases on the portal's download (station user's session)."""
    build = served["delivery"].build
    client.force_login(served["user"])
    url = f"/stations/goi/{served['delivery'].package_id}/tai-ve/"
    compare("portal", client, url, f'"{build.zip_sha256}"', plain_nginx, build.zip_size)


def deployed_answer(base: str, url: str, method: str, headers: dict[str, str]) -> Answer:
    host = base.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=30)
    connection.request(method, url, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_bag_through_nginx_x_accel_follows_rfc_9110(served, nginx) -> None:
    """The same RFC 9110 cases through the deployment path: nginx in front of the app,
    which checks the token and preconditions and hands the bytes to nginx's internal
    ``/_protected/`` location (X-Accel-Redirect) for Range and If-Range."""
    build = served["delivery"].build
    etag, size = f'"{build.zip_sha256}"', build.zip_size
    url = f"{API}/packages/{served['delivery'].package_id}/bag.zip"
    problems: list[str] = []
    for case in CASES:
        cache.clear()
        headers = {"Authorization": f"Bearer {served['token']}", **fill(case, etag, size)}
        answer = deployed_answer(nginx, url, case.method, headers)
        problems += check(case, answer, size, case.status)
        if answer.status in (200, 206, 304) and answer.headers.get("etag") != etag:
            problems.append(f"{case.name}: ETag {answer.headers.get('etag')}")
    assert problems == []
