"""Wrong credentials against a store that checks them: moto_server with IAM authentication
on (``INITIAL_NO_AUTH_ACTION_COUNT``), a user with a key and a policy. The run stops with a
message naming the store and the cause, marks nothing done, leaves no marker, and the next
run with the right key completes the same version."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import bagit
import pytest

from cms.archive.exporter import export
from cms.archive.models import ExportRecord, ExportStatus, ItemVersion
from cms.archive.targets import S3Target, configured_targets
from tests.support import MotoServer

BUCKETS = ("national-archive", "second-copy")
# Requests moto lets through before it starts checking: two users, their policies and keys.
SETUP_ACTIONS = 6


def policy(*actions: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


class AuthStore:
    def __init__(self, server: MotoServer, keys: dict[str, dict[str, str]]) -> None:
        self.server = server
        self.url = server.url
        self.keys = keys

    def client(self, user: str = "archive") -> Any:
        return self.server.client(
            aws_access_key_id=self.keys[user]["AccessKeyId"],
            aws_secret_access_key=self.keys[user]["SecretAccessKey"],
        )


@pytest.fixture(scope="module")
def auth_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthStore]:
    server = MotoServer(tmp_path_factory.mktemp("moto-auth"), no_auth_actions=SETUP_ACTIONS)
    server.start()
    try:
        iam = server.client("iam", aws_access_key_id="setup", aws_secret_access_key="setup")
        keys = {}
        for user, allowed in (
            ("archive", policy("s3:*")),
            ("reader", policy("s3:GetObject", "s3:ListBucket", "s3:ListAllMyBuckets")),
        ):
            iam.create_user(UserName=user)
            iam.put_user_policy(UserName=user, PolicyName="archive", PolicyDocument=allowed)
            keys[user] = iam.create_access_key(UserName=user)["AccessKey"]
        store = AuthStore(server, keys)
        for bucket in BUCKETS:
            store.client().create_bucket(Bucket=bucket)
        yield store
    finally:
        server.stop()


@pytest.fixture
def auth_settings(auth_store: AuthStore, settings: Any) -> AuthStore:
    settings.CMS_ARCHIVE = {
        **settings.CMS_ARCHIVE,
        "S3_ENDPOINT_URL": auth_store.url,
        "S3_BUCKET": "national-archive",
        "S3_PREFIX": f"cms-{uuid.uuid4().hex[:8]}",
        "S3_SECOND_BUCKET": "second-copy",
        "MAX_ATTEMPTS": 2,
        "CONNECT_TIMEOUT": 2,
        "READ_TIMEOUT": 10,
    }
    return auth_store


def use_key(monkeypatch: pytest.MonkeyPatch, key_id: str, secret: str) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)


def stored_keys(store: AuthStore, bucket: str) -> list[str]:
    listing = store.client().list_objects_v2(Bucket=bucket)
    return [entry["Key"] for entry in listing.get("Contents", [])]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("wrong secret", "SignatureDoesNotMatch"),
        ("unknown key", "InvalidAccessKeyId"),
        ("read-only key", "AccessDenied"),
    ],
)
def test_wrong_credential_is_reported_and_the_next_run_completes(
    auth_settings: AuthStore,
    monkeypatch: pytest.MonkeyPatch,
    radio_item: Any,
    tmp_path: Any,
    case: str,
    code: str,
) -> None:
    store = auth_settings
    prefix = configured_targets()[0].prefix  # type: ignore[attr-defined]
    right = store.keys["archive"]
    if case == "wrong secret":
        use_key(monkeypatch, right["AccessKeyId"], right["SecretAccessKey"][::-1])
    elif case == "unknown key":
        use_key(monkeypatch, "AKIAUNKNOWNKEY000000", right["SecretAccessKey"])
    else:
        reader = store.keys["reader"]
        use_key(monkeypatch, reader["AccessKeyId"], reader["SecretAccessKey"])

    report = export(configured_targets())
    assert not report.ok
    assert "s3://national-archive" in report.aborted
    assert "khóa truy cập sai hoặc không có quyền" in report.aborted
    assert code in report.aborted
    assert not ExportRecord.objects.filter(status=ExportStatus.DONE).exists()
    for bucket in BUCKETS:
        assert not [k for k in stored_keys(store, bucket) if k.startswith(f"{prefix}/")]

    use_key(monkeypatch, right["AccessKeyId"], right["SecretAccessKey"])
    report = export(configured_targets())
    assert report.ok, report
    (outcome,) = report.outcomes
    assert outcome.status == "exported" and outcome.version == 1
    assert ItemVersion.objects.get().number == 1
    assert ExportRecord.objects.filter(status=ExportStatus.DONE).count() == 2
    key = str(radio_item.translation_key)
    for bucket in BUCKETS:
        target = S3Target(bucket, prefix, store.url)
        assert target.read_json(f"items/{key}/v0001.done.json")["version"] == 1
        dest = tmp_path / bucket
        target.download_prefix(f"items/{key}/v0001", dest)
        bagit.Bag(str(dest)).validate()
