"""Where bags go: S3-compatible stores (boto3) and plain directories (a USB disk, a NAS).

Key layout, the same in a bucket (under the prefix) and in a directory::

    items/<translation_key>/v0001/<bag files>      a complete bag
    items/<translation_key>/v0001.done.json        written last: the version is complete
    items/<translation_key>/v0003.tombstone.json   the item was withdrawn
    items/<translation_key>/latest.json            the newest complete version

The translation key, not the record code, names the folder: record codes are editable
and may contain "/", the key never changes. A version without its ``.done.json`` marker
is incomplete and must be ignored by readers; the next export run completes it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import mimetypes
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import boto3
import boto3.session
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from cms.archive import conf
from cms.archive.package import copy_bag

ProgressCallback = Callable[[int], None]
FATAL_S3_CODES = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "NoSuchBucket",
    "InvalidBucketName",
}


CREDENTIAL_HINTS = {
    "InvalidAccessKeyId": "AWS_ACCESS_KEY_ID không tồn tại trên máy chủ",
    "SignatureDoesNotMatch": "AWS_SECRET_ACCESS_KEY không khớp với AWS_ACCESS_KEY_ID",
    "AccessDenied": "khóa không được phép ghi vào bucket này",
    "403": "máy chủ từ chối khóa",
}


class TargetUnavailable(Exception):
    """The whole target is unusable (unreachable, wrong credentials, full disk): the run
    stops instead of failing every remaining item the same way."""


@dataclass
class StoredObject:
    key: str
    sha256: str
    size: int
    etag: str = ""
    uploaded: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "sha256": self.sha256, "size": self.size, "etag": self.etag}


def version_prefix(translation_key: str, label: str) -> str:
    return f"items/{translation_key}/{label}"


def bag_files(bag_dir: Path) -> list[tuple[str, str, int]]:
    """(relative path, sha256, size) of every file in a bag, payload first, then tag files
    (manifests last), using the bag's own manifests instead of hashing again."""
    digests: dict[str, str] = {}
    for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        for line in (bag_dir / manifest).read_text(encoding="utf-8").splitlines():
            if line.strip():
                digest, path = line.split(maxsplit=1)
                digests[_unescape(path)] = digest
    tag_order = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"]
    payload = sorted(p for p in digests if p.startswith("data/"))
    tags = [p for p in tag_order if p in digests]
    result = [(p, digests[p], (bag_dir / p).stat().st_size) for p in payload + tags]
    for extra in ("tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        data = (bag_dir / extra).read_bytes()
        result.append((extra, hashlib.sha256(data).hexdigest(), len(data)))
    return result


def _unescape(path: str) -> str:
    return path.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


class Target(Protocol):
    name: str

    def check(self) -> None: ...

    def store_bag(
        self, bag_dir: Path, translation_key: str, label: str, progress: ProgressCallback
    ) -> list[StoredObject]: ...

    def write_json(self, key: str, data: dict[str, Any]) -> StoredObject: ...


class S3Target:
    """An S3-compatible bucket. Uploads use boto3's managed transfer (multipart above the
    threshold, parts in parallel) with a checksum the server verifies on every part, the
    file's SHA-256 in the object's metadata, and botocore's standard retry mode
    (exponential backoff with jitter)."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url or None
        self.name = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        # A session of its own, not boto3's module-wide default one: that one caches the
        # credentials it first found, so a key corrected after a failed run (or rotated
        # while a worker runs) would never be read again.
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=region or conf.get("S3_REGION"),
            config=Config(
                retries={"max_attempts": int(conf.get("MAX_ATTEMPTS")), "mode": "standard"},
                connect_timeout=conf.get("CONNECT_TIMEOUT"),
                read_timeout=conf.get("READ_TIMEOUT"),
                s3={"addressing_style": "path"},
            ),
        )
        self.checksum = str(conf.get("UPLOAD_CHECKSUM")).upper()
        self.transfer = TransferConfig(
            multipart_threshold=int(conf.get("MULTIPART_THRESHOLD")),
            multipart_chunksize=int(conf.get("MULTIPART_CHUNKSIZE")),
            max_concurrency=int(conf.get("MAX_CONCURRENCY")),
            use_threads=True,
        )

    def key(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            # A HEAD response has no body, so a refused key is a bare "403": ask again
            # with a GET, whose error names the cause (unknown key, wrong secret, denied).
            detailed: BaseException = error
            if error.response.get("Error", {}).get("Code") in ("403", "400"):
                try:
                    self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.key(""), MaxKeys=1)
                except (BotoCoreError, ClientError) as again:
                    detailed = again
                else:  # the key is known and may list, but not use, the bucket
                    detailed = ClientError(
                        {"Error": {"Code": "AccessDenied", "Message": "HeadBucket refused"}},
                        "HeadBucket",
                    )
            raise TargetUnavailable(describe_error(self.name, detailed)) from error
        except BotoCoreError as error:
            raise TargetUnavailable(describe_error(self.name, error)) from error

    def existing(self, key: str) -> dict[str, Any] | None:
        try:
            head: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=key)
            return head
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def upload(
        self, path: Path, key: str, sha256: str, size: int, progress: ProgressCallback
    ) -> StoredObject:
        head = self.existing(key)
        same = head is not None and head.get("Metadata", {}).get("sha256") == sha256
        if same and head is not None and head.get("ContentLength") == size:
            return StoredObject(key, sha256, size, head.get("ETag", "").strip('"'), False)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.client.upload_file(
            str(path),
            self.bucket,
            key,
            ExtraArgs={
                "ChecksumAlgorithm": self.checksum,
                "Metadata": {"sha256": sha256},
                "ContentType": content_type,
            },
            Config=self.transfer,
            Callback=progress,
        )
        head = self.existing(key)
        if head is None or head.get("ContentLength") != size:
            raise OSError(errno.EIO, f"{key}: stored size differs after upload")
        return StoredObject(key, sha256, size, head.get("ETag", "").strip('"'))

    def store_bag(
        self, bag_dir: Path, translation_key: str, label: str, progress: ProgressCallback
    ) -> list[StoredObject]:
        base = self.key(version_prefix(translation_key, label))
        stored = []
        for relative, sha256, size in bag_files(bag_dir):
            stored.append(
                self.upload(bag_dir / relative, f"{base}/{relative}", sha256, size, progress)
            )
        return stored

    def write_json(self, key: str, data: dict[str, Any]) -> StoredObject:
        body = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2).encode()
        digest = hashlib.sha256(body).hexdigest()
        full = self.key(key)
        response = self.client.put_object(
            Bucket=self.bucket,
            Key=full,
            Body=body,
            ContentType="application/json",
            ChecksumAlgorithm=self.checksum,
            Metadata={"sha256": digest},
        )
        return StoredObject(full, digest, len(body), response.get("ETag", "").strip('"'))

    def read_json(self, key: str) -> dict[str, Any] | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(key))["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                return None
            raise
        loaded = json.loads(body)
        if not isinstance(loaded, dict):
            raise ValueError(f"{self.key(key)}: a JSON object was expected")
        return loaded

    def download_prefix(self, prefix: str, destination: Path) -> None:
        """Download every object under a version prefix (for ``import_archive``)."""
        full = self.key(prefix).rstrip("/") + "/"
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
            for entry in page.get("Contents", []):
                relative = entry["Key"][len(full) :]
                target = destination / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                self.client.download_file(self.bucket, entry["Key"], str(target))

    def abort_stale_uploads(self) -> int:
        """Abort multipart uploads a crashed run left under our prefix (they are invisible
        but cost storage); returns how many."""
        aborted = 0
        response = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=self.key(""))
        for upload in response.get("Uploads", []):
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )
            aborted += 1
        return aborted


class DirectoryTarget:
    """A directory: a USB disk for a province without a connection, or the second copy."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.name = f"dir:{self.root.resolve()}"

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".probe-"):
                pass
        except OSError as error:
            raise TargetUnavailable(describe_error(self.name, error)) from error

    def version_dir(self, translation_key: str, label: str) -> Path:
        return self.root / version_prefix(translation_key, label)

    def store_bag(
        self, bag_dir: Path, translation_key: str, label: str, progress: ProgressCallback
    ) -> list[StoredObject]:
        destination = self.version_dir(translation_key, label)
        if bag_dir.resolve() != destination.resolve():
            copy_bag(bag_dir, destination)
        files = bag_files(destination)
        for _path, _sha, size in files:
            progress(size)
        base = version_prefix(translation_key, label)
        return [StoredObject(f"{base}/{p}", sha, size) for p, sha, size in files]

    def write_json(self, key: str, data: dict[str, Any]) -> StoredObject:
        body = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2).encode()
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return StoredObject(key, hashlib.sha256(body).hexdigest(), len(body))

    def read_json(self, key: str) -> dict[str, Any] | None:
        path = self.root / key
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def describe_error(target: str, error: BaseException) -> str:
    """A message an archivist can act on."""
    if isinstance(error, NoCredentialsError):
        return f"{target}: chưa cấu hình khóa truy cập (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
    if isinstance(error, EndpointConnectionError | ConnectTimeoutError | ConnectionClosedError):
        return f"{target}: không kết nối được máy chủ lưu trữ ({error})"
    if isinstance(error, ReadTimeoutError):
        return f"{target}: máy chủ lưu trữ không trả lời ({error})"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in CREDENTIAL_HINTS:
            hint = CREDENTIAL_HINTS[code]
            return f"{target}: khóa truy cập sai hoặc không có quyền ({code}: {hint})"
        if code in ("NoSuchBucket", "404"):
            return f"{target}: không có bucket ({code})"
        return f"{target}: lỗi máy chủ lưu trữ {code}: {error}"
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"{target}: hết dung lượng đĩa ({error.strerror})"
    return f"{target}: {error}"


def is_fatal(error: BaseException) -> bool:
    """Errors that will repeat for every item of the run."""
    if isinstance(
        error,
        NoCredentialsError
        | EndpointConnectionError
        | ConnectTimeoutError
        | ConnectionClosedError
        | ReadTimeoutError,
    ):
        return True
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "") in FATAL_S3_CODES
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)
    # s3transfer wraps failures of a multipart upload's parts in its own exception.
    cause = error.__cause__ or error.__context__
    return cause is not None and cause is not error and is_fatal(cause)


def configured_targets() -> list[Target]:
    """The primary S3 store and the independent second copy, from settings/environment."""
    targets: list[Target] = []
    bucket = conf.get("S3_BUCKET")
    if bucket:
        targets.append(S3Target(bucket, conf.get("S3_PREFIX"), conf.get("S3_ENDPOINT_URL") or None))
    second = conf.get("S3_SECOND_BUCKET")
    if second:
        targets.append(
            S3Target(
                second,
                conf.get("S3_SECOND_PREFIX") or conf.get("S3_PREFIX"),
                conf.get("S3_SECOND_ENDPOINT_URL") or conf.get("S3_ENDPOINT_URL") or None,
            )
        )
    second_dir = conf.get("SECOND_COPY_DIR")
    if second_dir:
        targets.append(DirectoryTarget(second_dir))
    return targets
