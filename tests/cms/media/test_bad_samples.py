"""Bad samples that reach the job path (stored by a script or an import, past the upload
form's check) end as failed jobs with a Vietnamese reason, are not retried endlessly, and
leave no file behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cms.media import renditions
from cms.media.messages import PIPELINE_MESSAGES, message_for
from cms.media.models import MediaMaster, MediaRendition, RenditionStatus

BAD = ["bad_truncated.mp3", "bad_text_named.mp3", "bad_empty.wav", "bad_decompression_bomb.png"]


def stored_master(samples: Path, name: str) -> MediaMaster:
    path = default_storage.save(f"masters/vi/{name}", ContentFile((samples / name).read_bytes()))
    # bulk_create: no upload check, no signal — as a script or a faulty import could store it
    (master,) = MediaMaster.objects.bulk_create(
        [
            MediaMaster(
                title=name,
                language="vi",
                file=path,
                original_name=name,
                kind="audio",
                sha256="0" * 64,
                technical_metadata={"audio": {"codec": "mp3"}},
            )
        ]
    )
    return master


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD)
def test_bad_sample_fails_with_a_vietnamese_reason(
    client, make_user, samples, name, media_root
) -> None:
    master = stored_master(samples, name)
    renditions.schedule_renditions(master)
    rows = list(MediaRendition.objects.filter(master=master))
    assert {r.profile for r in rows} == {"loudspeaker", "broadcast", "web_audio", "waveform"}
    for rendition in rows:
        assert renditions.run(rendition.pk) == RenditionStatus.FAILED, rendition.profile
        rendition.refresh_from_db()
        assert rendition.status == RenditionStatus.FAILED and not rendition.file
        assert rendition.error_code in PIPELINE_MESSAGES, rendition.error_code
        assert rendition.attempts == 1  # permanent: failed at once, not retried
    client.force_login(make_user("bientap", "editor"))
    html = client.get(f"/admin/media-masters/{master.pk}/renditions/").content.decode()
    for code in {r.error_code for r in MediaRendition.objects.filter(master=master)}:
        assert str(message_for(code)) in html
    assert "Lỗi xử lý tệp (mã" not in html  # every code has its own message
    written = [p for p in Path(media_root).rglob("*") if p.is_file() and "renditions" in p.parts]
    assert written == []
