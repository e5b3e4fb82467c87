from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    assert SAMPLES.is_dir(), f"sample media not found at {SAMPLES}"
    return SAMPLES


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmallDisk:
    """Real small file systems (tmpfs), mounted for one test and unmounted afterwards: a
    nearly full disk without filling the machine's own."""

    def __init__(self) -> None:
        self.mounted: list[Path] = []

    def __call__(self, mount_point: Path, size: str = "1m") -> Path:
        assert os.geteuid() == 0, "mounting a tmpfs needs root (the test command runs as root)"
        mount_point.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mount_point)],
            check=True,
        )
        self.mounted.append(mount_point)
        return mount_point

    @staticmethod
    def grow(mount_point: Path, size: str = "256m") -> None:
        """Make room, as an administrator freeing space would."""
        subprocess.run(["mount", "-o", f"remount,size={size}", str(mount_point)], check=True)


@pytest.fixture
def small_disks() -> Iterator[Callable[..., Path]]:
    disks = SmallDisk()
    try:
        yield disks
    finally:
        for mount_point in reversed(disks.mounted):
            subprocess.run(["umount", "-l", str(mount_point)], check=True)
