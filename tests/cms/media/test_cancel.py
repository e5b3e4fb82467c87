"""The admin's cancel button: queued jobs stop at once, running ffmpeg is stopped."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest
from django.db import connection

from cms.media import dispatch, renditions
from cms.media.models import MediaRendition, RenditionStatus
from cms.media.uploads import master_from_file


def cancel_url(rendition: MediaRendition) -> str:
    return f"/admin/media-renditions/{rendition.pk}/cancel/"


@pytest.mark.django_db
def test_queued_job_is_cancelled_and_never_runs(client, make_user, master_factory) -> None:
    master = master_factory("vi_speech.ogg")
    renditions.schedule_renditions(master)
    rendition = MediaRendition.objects.get(master=master, profile="broadcast")
    client.force_login(make_user("bientap", "editor"))
    page = f"/admin/media-masters/{master.pk}/renditions/"
    assert cancel_url(rendition) in client.get(page).content.decode()  # the button is there
    response = client.post(cancel_url(rendition))
    assert response.status_code == 302 and response["Location"] == page
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.CANCELLED
    # the worker picking up the queued task later does nothing
    assert renditions.run(rendition.pk) == RenditionStatus.CANCELLED
    rendition.refresh_from_db()
    assert not rendition.file
    html = client.get(page).content.decode()
    assert "Đã hủy theo yêu cầu" in html and "Thử lại" in html


@pytest.mark.django_db
def test_cancel_needs_permission(client, make_user, master_factory) -> None:
    master = master_factory("vi_speech.ogg")
    renditions.schedule_renditions(master)
    rendition = MediaRendition.objects.get(master=master, profile="broadcast")
    client.force_login(make_user("xem", None, is_staff=True))
    response = client.post(cancel_url(rendition))
    assert response.status_code in (302, 403)
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.PENDING
    client.logout()
    client.post(cancel_url(rendition))
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.PENDING


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_running_job_is_stopped_without_leaving_a_file(
    client, make_user, tmp_path: Path, media_root, monkeypatch
) -> None:
    long_wav = tmp_path / "dai.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=f=440:r=48000:d=900",
            "-ac",
            "2",
            str(long_wav),
        ],
        check=True,
    )
    master = master_from_file(long_wav, "Bản tin dài", "vi")
    # autocommit: the immediate task backend would run every job right here; this test
    # plays the worker itself, in a thread
    monkeypatch.setattr(dispatch, "enqueue", lambda rendition: None)
    renditions.schedule_renditions(master)
    rendition = MediaRendition.objects.get(master=master, profile="loudspeaker")
    outcome: list[str] = []

    def work() -> None:
        try:
            outcome.append(renditions.run(rendition.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        # wait until ffmpeg is at work (status running, progress reported)
        for _ in range(600):
            rendition.refresh_from_db()
            if rendition.status == RenditionStatus.RUNNING and rendition.progress > 0:
                break
            worker.join(timeout=0.1)
        assert rendition.status == RenditionStatus.RUNNING
        client.force_login(make_user("bientap", "editor"))
        assert client.post(cancel_url(rendition)).status_code == 302
    finally:
        worker.join(timeout=120)
    assert not worker.is_alive()
    assert outcome == [RenditionStatus.CANCELLED]
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.CANCELLED and not rendition.file
    assert rendition.error_code == "cancelled" and not rendition.cancel_requested
    leftovers = [p for p in Path(media_root).rglob("*") if p.is_file() and "renditions" in p.parts]
    assert leftovers == []
    # a job left "running" by a dead worker: the second press cancels it at once
    MediaRendition.objects.filter(pk=rendition.pk).update(status=RenditionStatus.RUNNING)
    assert client.post(cancel_url(rendition)).status_code == 302
    rendition.refresh_from_db()
    assert rendition.cancel_requested and rendition.status == RenditionStatus.RUNNING
    page = client.get(f"/admin/media-masters/{master.pk}/renditions/").content.decode()
    assert "Hủy hẳn" in page
    client.post(cancel_url(rendition))
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.CANCELLED
    # it can be started again from the page
    renditions.retry(rendition)
    rendition.refresh_from_db()
    assert rendition.status in (RenditionStatus.PENDING, RenditionStatus.DONE)
