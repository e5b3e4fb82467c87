"""Real servers and file systems for the tests: free ports, small disks, an S3 server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.config import Config

from devstack.ports import free_port

MOTO = Path(sys.executable).parent / "moto_server"


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


class MotoServer:
    """moto_server in its own process, restartable on the same port (so a test can stop
    the store mid-export and bring it back)."""

    def __init__(self, tmp: Path, no_auth_actions: int | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "moto.log"
        self.process: subprocess.Popen[bytes] | None = None
        # With INITIAL_NO_AUTH_ACTION_COUNT set, moto lets that many requests through
        # unauthenticated (to create a user and its key) and then checks every request's
        # signature and the user's IAM policy, like a real store.
        self.no_auth_actions = no_auth_actions

    def start(self) -> None:
        assert MOTO.exists(), f"moto_server not found at {MOTO}"
        env = {**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"}
        if self.no_auth_actions is not None:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.no_auth_actions)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(MOTO), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/moto-api/", timeout=1).status_code < 500:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"moto_server did not start; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=5)

    def client(self, service: str = "s3", **credentials: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
            **credentials,
        )


def s3_default_storage(bucket: str, endpoint: str) -> dict[str, Any]:
    """``STORAGES["default"]`` on an S3 server, with the production options."""
    return {
        "BACKEND": "cms.media.storage.UnicodeS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "location": "media",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


def clipped_recording(folder: Path, name: str = "Bản tin vỡ tiếng.wav") -> Path:
    """A hard-clipped tone: a sine pushed 20 dB past full scale into 16-bit samples."""
    path = folder / name
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=997:sample_rate=48000",
            "-t",
            "3",
            "-af",
            "volume=20dB",
            "-c:a",
            "pcm_s16le",
            "-y",
            str(path),
        ],
        check=True,
    )
    return path


def tone_wav(path: Path, frequency: float, seconds: float = 0.5, rate: int = 16000) -> Path:
    """A short WAV tone; each frequency gives different bytes (so a different SHA-256)."""
    import math
    import struct
    import wave

    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(9000 * math.sin(2 * math.pi * frequency * n / rate)))
                for n in range(int(rate * seconds))
            )
        )
    return path
