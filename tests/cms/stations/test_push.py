"""Push to stations through a real nginx with nchan (the production locations of
deploy/nginx/cms.conf) in front of the live site, with the real sync client.

* An emergency released while the client waits with a one-hour poll interval arrives on
  disk, verified and confirmed: only the push can explain it (no timing is asserted, only
  the outcome, under a generous overall timeout).
* Without a push endpoint (a plain nginx: the app answers 404) the client says so and
  keeps polling: a package released after that still arrives.
* A token listens on its own station's channel only; no token or a bad one gets 403, and a
  message published to one station's channel is not heard on another's.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client as DjangoClient

from cms.stations import push
from cms.stations.models import PackageDelivery
from devstack.nginx import Nginx
from tests.support import free_port

from .conftest import env_without_proxy

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[3]
API = "/api/stations/v1"
SYNC_PYTHON = os.environ.get("STATION_SYNC_PYTHON") or sys.executable
OVERALL = 120.0  # seconds: a hang fails the test instead of blocking the suite


def start_client(base: str, token: str, dest: Path, log: Path, *extra: str) -> Any:
    env = env_without_proxy()
    env["STATION_SYNC_TOKEN"] = token
    with log.open("wb") as handle:
        return subprocess.Popen(
            [SYNC_PYTHON, "-m", "station_sync", "sync", "--url", base, "--dest", str(dest),
             "--watch", "--backoff", "0.2", "--max-attempts", "4", *extra],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip


def wait_until(condition: Any, what: str, process: Any = None) -> None:
    deadline = time.monotonic() + OVERALL
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"client exited ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def assert_received(delivery: PackageDelivery, dest: Path) -> None:
    delivery.refresh_from_db()
    assert delivery.build is not None
    bag = dest / delivery.build.bag_name
    for entry in delivery.build.files:
        assert hashlib.sha256((bag / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    assert delivery.received_at is not None
    assert delivery.received_sha256 == delivery.build.bag_sha256


def test_emergency_reaches_a_listening_station_by_push(
    push_nginx: Nginx, make_item, make_station, make_package, release, token_for, tmp_path
) -> None:
    cache.clear()
    station = make_station("xa-dong-dang", unit="dong_dang")
    item = make_item("Cảnh báo lũ quét", script="Khẩn cấp: lũ quét trên sông Kỳ Cùng.")
    dest, log = tmp_path / "dai", tmp_path / "client.log"
    # Polling every hour, also in emergency mode: a pass within the test is push or nothing.
    client = start_client(push_nginx.url, token_for(station), dest, log, "--interval", "3600",
                          "--emergency-interval", "3600", "--max-cycles", "2")  # fmt: skip
    try:
        wait_until(lambda: push_nginx.channel_subscribers(f"station-{station.pk}") >= 1,
                   "the client to subscribe", client)  # fmt: skip
        [delivery] = release(make_package("Lũ quét khẩn cấp", [item], "emergency",
                                          stations=[station]))  # fmt: skip
        code = client.wait(timeout=OVERALL)  # the second pass is the last (--max-cycles 2)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    output = log.read_text("utf-8")
    assert code == 0, output
    assert_received(delivery, dest)
    assert "kênh đẩy báo gói mới" in output and f"'package': {delivery.package_id}" in output
    assert "'class': 'emergency'" in output
    # Two list requests: the first pass, then the one the push caused.
    access = (push_nginx.tmp / "access.log").read_text()
    assert access.count(f"GET {API}/packages?") == 2, access
    assert f"GET {API}/push/{station.pk} " in access


def test_without_a_push_endpoint_the_client_keeps_polling(
    nginx: str, settings, make_item, make_station, make_package, release, token_for, tmp_path
) -> None:
    """A plain nginx (no nchan): the app still advertises push, nginx passes the subscribe
    request to the app, which answers 404; the client logs it and polls at its interval."""
    cache.clear()
    settings.CMS_STATIONS = {
        **settings.CMS_STATIONS,
        "PUSH_PUBLISH_URL": f"http://127.0.0.1:{free_port()}/_push/pub/",  # nothing listens
    }
    station = make_station("xa-cao-loc", unit="cao_loc")
    item = make_item("Lịch tiêm chủng")
    dest, log = tmp_path / "dai", tmp_path / "client.log"
    client = start_client(nginx, token_for(station), dest, log, "--interval", "1")
    try:
        wait_until(lambda: "HTTP 404" in log.read_text("utf-8"), "the push attempt", client)
        # Released after the client found push missing (the publish fails, is only logged).
        [delivery] = release(make_package("Tiêm chủng", [item], stations=[station]))
        delivery.refresh_from_db()
        assert delivery.build is not None
        bag = dest / delivery.build.bag_name
        wait_until(lambda: (bag / "tagmanifest-sha256.txt").exists(), "the bag", client)
        wait_until(lambda: PackageDelivery.objects.get(pk=delivery.pk).received_at is not None,
                   "the receipt", client)  # fmt: skip
    finally:
        client.send_signal(signal.SIGINT)
        code = client.wait(timeout=30)
    output = log.read_text("utf-8")
    assert code == 130, output
    assert "kênh đẩy (push) không dùng được: HTTP 404" in output
    assert "kênh đẩy báo gói mới" not in output
    assert_received(delivery, dest)


def open_stream(server: Nginx, station_id: int, token: str | None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Accept": "text/event-stream"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    connection.request("GET", f"{API}/push/{station_id}", headers=headers)
    return connection.getresponse()


def next_data(response: http.client.HTTPResponse) -> dict[str, Any]:
    while True:
        line = response.readline().decode()
        assert line, "stream closed"
        if line.startswith("data:"):
            return dict(json.loads(line[5:]))


def test_a_station_hears_only_its_own_channel(
    push_nginx: Nginx, make_station, token_for, settings
) -> None:
    cache.clear()
    mine, other = make_station("xa-cao-loc", unit="cao_loc"), make_station("can-tho", "can_tho")
    token, other_token = token_for(mine), token_for(other)
    for station_id, presented in ((other.pk, token), (mine.pk, None), (mine.pk, "st_bad_x"),
                                  (mine.pk, other_token)):  # fmt: skip
        refused = open_stream(push_nginx, station_id, presented)
        assert refused.status == 403, (station_id, presented)
        refused.read()
    assert push_nginx.channel_subscribers(f"station-{mine.pk}") == 0
    stream = open_stream(push_nginx, mine.pk, token)
    assert stream.status == 200
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    wait_until(lambda: push_nginx.channel_subscribers(f"station-{mine.pk}") == 1, "subscribe")
    # Many stations at once: batched under nchan's limits (it answers 403 beyond them).
    many = [push.channel(100_000 + n) for n in range(300)] + [push.channel(other.pk)]
    assert push.publish(many, {"package": 0, "for": "many"}) == 301
    # The app's publisher: another station's message first, then ours; we hear only ours.
    assert push.publish([push.channel(other.pk)], {"package": 1, "for": "other"}) == 1
    assert push.publish([push.channel(mine.pk)], {"package": 2, "for": "mine"}) == 1
    assert next_data(stream) == {"package": 2, "for": "mine"}
    stream.close()


def test_authorize_view_and_advertised_channel(make_station, token_for, settings) -> None:
    """The view nginx asks (nchan_authorize_request), and ``push_url`` in the list only
    when the app publishes."""
    cache.clear()
    station, other = make_station("xa-cao-loc"), make_station("xa-khac")
    token = token_for(station)
    client = DjangoClient()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{API}/push/{station.pk}/authorize", headers=auth).status_code == 204
    assert client.get(f"{API}/push/{other.pk}/authorize", headers=auth).status_code == 403
    assert client.get(f"{API}/push/{station.pk}/authorize").status_code == 403
    assert client.post(f"{API}/push/{station.pk}/authorize", headers=auth).status_code == 405
    # Without nchan in front, the subscriber path is the app's JSON 404.
    missing = client.get(f"{API}/push/{station.pk}", headers=auth)
    assert missing.status_code == 404 and missing.json() == {"error": "not_found"}
    settings.CMS_STATIONS = {}
    assert "push_url" not in client.get(f"{API}/packages", headers=auth).json()
    cache.clear()
    settings.CMS_STATIONS = {"PUSH_PUBLISH_URL": "http://127.0.0.1:9/_push/pub/"}
    listed = client.get(f"{API}/packages", headers=auth).json()
    assert listed["push_url"] == f"http://testserver{API}/push/{station.pk}"
