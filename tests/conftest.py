from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import SmallDisk

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    assert SAMPLES.is_dir(), f"sample media not found at {SAMPLES}"
    return SAMPLES


@pytest.fixture
def small_disks() -> Iterator[Callable[..., Path]]:
    disks = SmallDisk()
    try:
        yield disks
    finally:
        for mount_point in reversed(disks.mounted):
            subprocess.run(["umount", "-l", str(mount_point)], check=True)


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test credentials moto_server accepts, for boto3 and django-storages."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
