"""Fault: the S3 server goes away in the middle of a master's upload, and while a rendition
worker reads a master.

The default storage is ``UnicodeS3Storage`` (as ``CMS_S3_BUCKET`` makes it, with the class's
own timeouts and retries) against a real ``moto_server`` on loopback, reached through a
small TCP relay. The relay counts the bytes the app sends; after ``CUT_AFTER`` of them (the
middle of a multipart upload of a ~42 MB WAV) it resets every open connection and refuses
new ones, as a stopped server does, until the test brings it back. moto keeps its state
behind the relay, so the test can look at the bucket while the "server" is down: the cut is
deterministic (a byte count, not a timer) and what the app left behind is visible.

Pass conditions, upload: the editor gets the form again (not a 500) with the Vietnamese
"could not be stored, nothing was saved" error; no ``MediaMaster`` row, no rendition row, no
rendition job; no object under the masters' prefix; the temporary upload file is gone. With
the server back, the same upload succeeds: the stored object's SHA-256 is the file's, the
renditions are scheduled and queued, and the multipart upload the cut left unfinished has been
aborted. Worker: reading a master while the server is down fails the job as transient
(``source_unavailable``, re-queued) with no partial copy left and nothing stored; with the
server back, the job completes.
"""

from __future__ import annotations

import hashlib
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django_tasks import task_backends

from cms.media import renditions
from cms.media.messages import message_for
from cms.media.models import MediaMaster, MediaRendition, RenditionStatus
from cms.media.uploads import master_from_file
from tests.support import MotoServer, free_port, s3_default_storage

pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")  # whitenoise
BUCKET = "cms-media"
ADD_MASTER = "/admin/snippets/media/mediamaster/add/"
NAME = "Phóng sự lũ quét – bản gốc.wav"
KEY = f"media/masters/vi/{NAME}"
CUT_AFTER = 12 * 1024 * 1024  # past the first 8 MB part's worth, well before the end


class Relay:
    """TCP relay 127.0.0.1:port → moto that can be taken down: after ``cut_after`` bytes
    from the app, ``cut_after_received`` bytes to it, or on ``down()``, it resets every
    connection and stops listening (``on_down`` is called first)."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.target_port = target_port
        self.lock = threading.Lock()
        self.sent = self.received = 0
        self.cut_after: int | None = None
        self.cut_after_received: int | None = None
        self.cut_at: int | None = None  # bytes from the app relayed when it went down
        self.on_down: Callable[[], None] | None = None
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()

    def arm(self, sent: int | None = None, received: int | None = None) -> None:
        """Go down after ``sent`` more bytes from the app or ``received`` more to it."""
        with self.lock:
            self.sent = self.received = 0
            self.cut_after, self.cut_after_received = sent, received

    @property
    def is_down(self) -> bool:
        return self.listener is None

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        with self.lock:
            self.listener = listener
            self.sent = self.received = 0
            self.cut_after = self.cut_after_received = self.cut_at = None
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        # Several relayed connections (multipart parts in flight) can cross the cut at once:
        # only the first caller takes the relay down and calls on_down, before any reset.
        with self.lock:
            listener, self.listener = self.listener, None
            doomed, self.sockets = set(self.sockets), set()
            if self.cut_at is None:
                self.cut_at = self.sent
        if listener is None:
            return
        if self.on_down is not None:
            self.on_down()
        listener.close()
        for sock in doomed:
            reset(sock)

    def accept(self, listener: socket.socket) -> None:
        while True:
            try:
                app, _ = listener.accept()
            except OSError:
                return  # closed by down()
            try:
                store = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
                store.settimeout(None)  # moto may think for a while before it answers
            except OSError:
                reset(app)
                continue
            with self.lock:
                if self.listener is not listener:
                    keep = False
                else:
                    self.sockets |= {app, store}
                    keep = True
            if not keep:
                reset(app)
                reset(store)
                continue
            threading.Thread(target=self.pump, args=(app, store, True), daemon=True).start()
            threading.Thread(target=self.pump, args=(store, app, False), daemon=True).start()

    def pump(self, source: socket.socket, target: socket.socket, counted: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                with self.lock:
                    before = self.sent if counted else self.received
                    limit = self.cut_after if counted else self.cut_after_received
                    if limit is not None and before + len(data) >= limit:
                        data = data[: max(0, limit - before)]  # exactly up to the limit
                        cut = True
                    else:
                        cut = False
                    if counted:
                        self.sent = before + len(data)
                    else:
                        self.received = before + len(data)
                if data:
                    target.sendall(data)
                if cut:
                    self.down()
                    return
        except OSError:
            pass
        for sock in (source, target):
            with self.lock:
                self.sockets.discard(sock)
            reset(sock)


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0), waking up any thread blocked on it."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


@dataclass
class Store:
    relay: Relay
    direct: Any  # a boto3 client talking to moto itself, not through the relay
    uploads: Path  # FILE_UPLOAD_TEMP_DIR


@pytest.fixture
def s3(settings: Any, s3_credentials: None, tmp_path: Path) -> Iterator[Store]:
    """moto_server behind a relay; the default storage on S3 through the relay; a task
    backend that records jobs instead of running them."""
    moto = MotoServer(tmp_path)
    moto.start()
    relay = Relay(moto.port)
    try:
        direct = moto.client()
        direct.create_bucket(Bucket=BUCKET)
        relay.up()
        settings.STORAGES = {
            **settings.STORAGES,
            "default": s3_default_storage(BUCKET, relay.url),
        }
        settings.TASKS = {
            "default": {
                "BACKEND": "django_tasks.backends.dummy.DummyBackend",
                "QUEUES": ["default", "media"],
            }
        }
        settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
        (tmp_path / "uploads").mkdir()
        yield Store(relay, direct, tmp_path / "uploads")
    finally:
        relay.on_down = None
        relay.down()
        moto.stop()


def keys(direct: Any, prefix: str = "media/") -> list[str]:
    listing = direct.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


def unfinished_uploads(direct: Any) -> list[str]:
    return [u["Key"] for u in direct.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])]


def queued_renditions() -> list[int]:
    return [
        result.args[0]
        for result in task_backends["default"].results
        if result.task.name == "render_rendition"
    ]


@pytest.fixture
def big_wav(tmp_path: Path) -> Path:
    """About 42 MB of PCM from ffmpeg's test source: several multipart parts."""
    wav = tmp_path / NAME
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=220",
         "-ar", "48000", "-ac", "2", "-c:a", "pcm_s16le", str(wav)],
        check=True, timeout=120,
    )  # fmt: skip
    assert wav.stat().st_size > 40 * 1024 * 1024
    return wav


@pytest.fixture
def reporter(client: Any, make_user: Any) -> Any:
    client.force_login(make_user("phongvien", "reporter"))
    return client


@pytest.mark.django_db
def test_s3_stopped_mid_upload_nothing_saved_then_the_same_upload_succeeds(
    s3: Store, reporter: Any, big_wav: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": True}
    relay = s3.relay
    relay.arm(sent=CUT_AFTER)
    during: list[str] = []  # the temporary files of the upload when the store went down
    relay.on_down = lambda: during.extend(p.name for p in s3.uploads.iterdir())
    with django_capture_on_commit_callbacks(execute=True) as callbacks, big_wav.open("rb") as f:
        response = reporter.post(ADD_MASTER, {"title": "Lũ quét", "language": "vi", "file": f})
    # The cut came part-way through the upload: 12 MB of the 42 MB reached the store.
    assert relay.is_down and relay.cut_at == CUT_AFTER < big_wav.stat().st_size

    # The editor sees the form again with the error, not a server error page.
    assert response.status_code == 200
    page = response.content.decode()
    assert message_for("storage_unavailable") in page
    assert "Chưa có gì được lưu" in page
    # Nothing was saved, nothing was scheduled or queued.
    assert MediaMaster.objects.count() == 0
    assert MediaRendition.objects.count() == 0
    assert callbacks == [] and queued_renditions() == []
    # On the store (seen directly, behind the relay): no object under the final key or the
    # masters' prefix; the multipart upload the cut interrupted is still open there (its
    # abort could not reach the store either), which shows the cut came mid-multipart.
    assert keys(s3.direct) == []
    assert unfinished_uploads(s3.direct) == [KEY]
    # The temporary copy of the upload (Django's, on disk: too big for memory) is gone.
    assert len(during) == 1 and during[0].endswith(".upload.wav"), during
    assert list(s3.uploads.iterdir()) == []

    # The store comes back; the editor sends the same file again.
    relay.up()
    with django_capture_on_commit_callbacks(execute=True), big_wav.open("rb") as f:
        response = reporter.post(ADD_MASTER, {"title": "Lũ quét", "language": "vi", "file": f})
    assert response.status_code == 302, response.content.decode()[:2000]
    master = MediaMaster.objects.get()
    assert master.file.name == f"masters/vi/{NAME}"
    digest = hashlib.sha256(big_wav.read_bytes()).hexdigest()
    assert master.sha256 == digest
    stored = s3.direct.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == digest
    assert keys(s3.direct) == [KEY]
    assert unfinished_uploads(s3.direct) == []  # the leftover was aborted
    scheduled = set(master.renditions.values_list("profile", flat=True))
    assert scheduled == set(renditions.profile_names_for(master))
    assert set(master.renditions.values_list("status", flat=True)) == {RenditionStatus.PENDING}
    assert sorted(queued_renditions()) == sorted(master.renditions.values_list("pk", flat=True))
    assert list(s3.uploads.iterdir()) == []


@pytest.mark.django_db
def test_worker_reading_a_master_while_s3_is_down_fails_transiently_then_completes(
    s3: Store, samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "Bản tin sáng.ogg"
    source.write_bytes((samples / "vi_speech.ogg").read_bytes())
    master = master_from_file(source, "Bản tin sáng", "vi")
    assert keys(s3.direct, "media/masters/") == ["media/masters/vi/Bản tin sáng.ogg"]
    [rendition] = [r for r in renditions.schedule_renditions(master) if r.profile == "waveform"]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    # The store stops half-way through sending the master to the worker.
    s3.relay.arm(received=master.size // 2)
    assert renditions.run(rendition.pk) == RenditionStatus.PENDING  # re-queued, not lost
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.PENDING and rendition.attempts == 1
    assert rendition.error_code == "source_unavailable"
    assert "could not read masters/vi/Bản tin sáng.ogg" in rendition.error_detail
    assert "kho lưu trữ" in message_for(rendition.error_code)
    assert queued_renditions().count(rendition.pk) == 1  # the retry, with its backoff
    # Cut mid-copy: the worker got the HEAD answer and part of the body, not all of it.
    assert s3.relay.is_down and s3.relay.received == master.size // 2
    assert list(scratch.iterdir()) == []  # no partial copy left behind
    assert keys(s3.direct, "media/renditions/") == []

    s3.relay.up()
    assert renditions.run(rendition.pk) == RenditionStatus.DONE
    rendition.refresh_from_db()
    assert rendition.error_code == "" and rendition.file.name.startswith("renditions/vi/")
    assert keys(s3.direct, "media/renditions/") == [f"media/{rendition.file.name}"]
    stored = s3.direct.get_object(Bucket=BUCKET, Key="media/masters/vi/Bản tin sáng.ogg")
    assert hashlib.sha256(stored["Body"].read()).hexdigest() == master.sha256  # untouched
    assert list(scratch.iterdir()) == []


def test_the_production_s3_options_give_up_within_seconds(tmp_path: Path) -> None:
    """The settings' S3 block (``CMS_S3_BUCKET`` set) builds the storage with short timeouts
    and three attempts; an unknown option there would stop the site from starting."""
    code = (
        "from django.conf import settings; from django.utils.module_loading import "
        "import_string; o = settings.STORAGES['default']; "
        "s = import_string(o['BACKEND'])(**o['OPTIONS']); c = s.client_config; "
        "print(type(s).__name__, c.connect_timeout, c.read_timeout, c.retries)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test",
           "CMS_S3_BUCKET": "cms-media", "CMS_S3_ENDPOINT_URL": "http://127.0.0.1:9",
           "CMS_S3_READ_TIMEOUT": "45"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[3], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(maxsplit=3) == [
        "UnicodeS3Storage", "5.0", "45.0", "{'mode': 'standard', 'max_attempts': 3}\n"
    ]  # fmt: skip
