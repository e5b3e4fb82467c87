"""Bag upload throughput vs a plain boto3 ``upload_file`` of the same file, same server, same run.

Builds a bag holding one generated file of SIZE_MB (default 1024) with ``bagit`` (sha256 +
sha512 manifests), starts ``moto_server`` on a free loopback port, then times, alternating,
ROUNDS times each:

(a) baseline: ``client.upload_file(path, bucket, key)`` with boto3's defaults;
(b) ours: ``S3Target.store_bag`` of the whole bag (the big file plus manifests and tag files),
    with the per-part checksum the server verifies (the default CRC32, and SHA256), the
    sha256 metadata used for resuming, and a HEAD per object.

Prints MB/s and the throughput ratio ours/plain (target ≥ 0.9).

Run: ``DJANGO_SETTINGS_MODULE=cms.settings.test .venv/bin/python -m benchmarks.archive_upload
[SIZE_MB] [ROUNDS]`` from the repository root.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bagit
import boto3
import django
import requests
from botocore.config import Config

from devstack.ports import free_port


def main() -> None:
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench-secret")
    django.setup()
    from cms.archive.targets import S3Target

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    moto = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                requests.get(f"{url}/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory(prefix="bench-bag-") as tmp:
            bag_dir = Path(tmp) / "bag"
            (bag_dir / "vi" / "master").mkdir(parents=True)
            big = bag_dir / "vi" / "master" / "Phóng sự – bản gốc.wav"
            with big.open("wb") as handle:
                block = os.urandom(1024 * 1024)
                for _ in range(size_mb):
                    handle.write(block)
            start = time.perf_counter()
            bagit.make_bag(
                str(bag_dir), {"Source-Organization": "bench"}, checksums=["sha256", "sha512"]
            )
            bag_seconds = time.perf_counter() - start
            big = bag_dir / "data" / "vi" / "master" / "Phóng sự – bản gốc.wav"
            client = boto3.client(
                "s3",
                endpoint_url=url,
                region_name="us-east-1",
                config=Config(s3={"addressing_style": "path"}),
            )
            client.create_bucket(Bucket="bench")
            from django.conf import settings

            targets = {}
            for algorithm in ("CRC32", "SHA256"):
                settings.CMS_ARCHIVE = {"UPLOAD_CHECKSUM": algorithm}
                targets[algorithm] = S3Target("bench", f"ours-{algorithm}", url)
            plain: list[float] = []
            ours: dict[str, list[float]] = {"CRC32": [], "SHA256": []}
            for n in range(rounds):
                start = time.perf_counter()
                client.upload_file(str(big), "bench", f"plain/{n}/big.wav")
                plain.append(time.perf_counter() - start)
                client.delete_object(Bucket="bench", Key=f"plain/{n}/big.wav")
                for algorithm, target in targets.items():
                    start = time.perf_counter()
                    target.store_bag(bag_dir, f"item-{n}", "v0001", lambda _n: None)
                    ours[algorithm].append(time.perf_counter() - start)
                    listing = client.list_objects_v2(
                        Bucket="bench", Prefix=f"ours-{algorithm}/items/item-{n}/"
                    )
                    for key in [o["Key"] for o in listing["Contents"]]:
                        client.delete_object(Bucket="bench", Key=key)
        plain_s = statistics.median(plain)
        print(f"file: {size_mb} MB; bag built (sha256+sha512 manifests) in {bag_seconds:.1f} s")
        print(
            f"plain boto3 upload_file:        median {plain_s:.2f} s = "
            f"{size_mb / plain_s:.0f} MB/s (runs: {', '.join(f'{t:.2f}' for t in plain)})"
        )
        for algorithm, times in ours.items():
            ours_s = statistics.median(times)
            print(
                f"S3Target.store_bag, {algorithm:6} parts: median {ours_s:.2f} s = "
                f"{size_mb / ours_s:.0f} MB/s (runs: {', '.join(f'{t:.2f}' for t in times)}); "
                f"ratio to plain {plain_s / ours_s:.2f} (target >= 0.9)"
            )
    finally:
        moto.kill()
        moto.wait()


if __name__ == "__main__":
    main()
