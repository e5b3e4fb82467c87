from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from media_pipeline.samples import ensure_samples
from tests.support import SmallDisk

#: The generated demo and test media (media_pipeline/samples/, docs/samples.md).
SAMPLES = Path(__file__).resolve().parents[1] / "var" / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    """The sample set, generated on first use and cached by its stamp."""
    return ensure_samples(SAMPLES)


@pytest.fixture(autouse=True)
def no_language_left_active() -> Iterator[None]:
    """Each test starts with no language activated: a request to ``/zh-hans/`` activates
    Chinese in the thread and it would stay for the next test (reversed URLs and rendered
    messages would then depend on test order)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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
