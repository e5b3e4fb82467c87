"""Back up, destroy, restore, compare: against the real PostgreSQL server and real files."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import bagit
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from cms.operations import backup

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

KHMER_NAME = "documents/សេចក្តីជូនដំណឹង-thông-báo.srt"


def digest(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def content(section: Any, master_factory: Any) -> dict[str, Any]:
    from cms.content.models import RadioSegmentPage

    master = master_factory("vi_speech.ogg", title="Bản tin quyền trẻ em")
    page = RadioSegmentPage(
        title="Quyền trẻ em ở vùng cao", slug="quyen-tre-em", audio=master, live=False
    )
    section.add_child(instance=page)
    page.save_revision()
    subtitle = default_storage.save(
        KHMER_NAME, ContentFile("1\n00:00:00,000 --> 00:00:01,000\nសួស្តី\n".encode())
    )
    return {
        "page_id": page.pk,
        "master_id": master.pk,
        "master_file": master.file.name,
        "master_sha256": digest(master.file.name),
        "subtitle": subtitle,
        "subtitle_sha256": digest(subtitle),
    }


def test_back_up_destroy_restore_gives_back_the_same_site(
    content: dict[str, Any], tmp_path: Path
) -> None:
    from cms.content.models import RadioSegmentPage
    from cms.media.models import MediaMaster

    path = backup.back_up(tmp_path / "backups", label="before")
    assert path.name == "before"
    bagit.Bag(str(path)).validate()
    assert (path / "data" / "database.dump").stat().st_size > 0
    assert (path / "data" / "media" / KHMER_NAME).is_file(), "Unicode names kept in the backup"

    # Destroy: the page, the master record, every stored file.
    RadioSegmentPage.objects.filter(pk=content["page_id"]).delete()
    MediaMaster.objects.filter(pk=content["master_id"]).delete()
    for name in backup.walk(default_storage):
        default_storage.delete(name)
    assert not default_storage.exists(content["master_file"])

    count = backup.restore(path)
    assert count >= 2

    page = RadioSegmentPage.objects.get(pk=content["page_id"])
    assert page.title == "Quyền trẻ em ở vùng cao"
    master = MediaMaster.objects.get(pk=content["master_id"])
    assert page.audio_id == master.pk
    assert master.file.name == content["master_file"]
    assert digest(master.file.name) == content["master_sha256"]
    assert digest(KHMER_NAME) == content["subtitle_sha256"]


def test_a_damaged_backup_is_refused_and_changes_nothing(
    content: dict[str, Any], tmp_path: Path
) -> None:
    from cms.content.models import RadioSegmentPage

    path = backup.back_up(tmp_path / "backups", label="damaged")
    target = path / "data" / "media" / KHMER_NAME
    target.write_bytes(target.read_bytes() + b"tampered")
    RadioSegmentPage.objects.filter(pk=content["page_id"]).update(title="Đã sửa sau khi sao lưu")

    with pytest.raises(backup.BackupError, match="not intact"):
        backup.restore(path)
    page = RadioSegmentPage.objects.get(pk=content["page_id"])
    assert page.title == "Đã sửa sau khi sao lưu"


def test_an_interrupted_backup_leaves_nothing_that_looks_like_one(
    content: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real_copy = backup._copy_out

    def failing_copy(storage: Any, name: str, target: Path) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real_copy(storage, name, target)

    destination = tmp_path / "backups"
    destination.mkdir()
    monkeypatch.setattr(backup, "_copy_out", failing_copy)
    with pytest.raises(OSError, match="No space"):
        backup.back_up(destination, label="half")
    assert list(destination.iterdir()) == []

    monkeypatch.setattr(backup, "_copy_out", real_copy)
    path = backup.back_up(destination, label="half")
    bagit.Bag(str(path)).validate()


def test_commands_refuse_to_restore_without_confirmation(
    content: dict[str, Any], tmp_path: Path
) -> None:
    destination = tmp_path / "backups"
    call_command("backup_site", str(destination), "--label", "cli")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore_site", str(destination / "cli"))
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup_site", str(destination), "--label", "cli")
