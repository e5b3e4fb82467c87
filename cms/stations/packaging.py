"""Building a package's BagIt bag for one variant (languages and renditions).

Layout of a bag (``goi-<package>-<variant>``)::

    bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
    data/manifest.json         package, rundown, every payload file with size and SHA-256
    data/rundown.csv|json      the cue sheet: order, title, language, file, duration, cues
    data/<lang>/<profile>.m3u8 a playlist per language and format
    data/<lang>/01 - <title>.mp3|.wav|.mp2|.mp4|.txt|.srt
    data/<lang>/01.02 - <image title>.jpg  exhibition photo / poster fitted to the board's screen,
                                           caption band in that language

Exhibition photos and posters are rendered here, at build time, for the board's exact
screen (``media_pipeline.images``, per-script Noto fonts): the caption is the item's caption
in the bag's language, so one rendition per variant and language is made. Radio stations get
only the captions as text. The optional MPEG-1 Layer II file (a station setting) is encoded
here from the broadcast WAV rendition with ffmpeg (through the ``media_pipeline`` adapter).

The bag is written in a staging directory (``cms.staging``) and renamed into place
(or uploaded, then switched on in the database, on S3), so nobody ever sees half a bag.
The zip is built once, right after the bag (ZIP_STORED for media, which does not compress,
deflate for text): a stored zip has one stable SHA-256 and ETag, so a station can resume it
with Range requests and check it; a zip streamed on the fly could not be resumed.

The work is split by job: ``build_plan`` decides the files and the rundown, ``documents``
writes the cue sheet, playlists and manifest, ``encoding`` makes the files that are
rendered or encoded at build time, ``payload`` writes them all; this module stages the
bag, zips it, publishes it and records the build's status.
"""

from __future__ import annotations

import json
import logging
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Any

import bagit
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from cms.formats import nfc
from cms.media.storage import store_once
from cms.staging import Stage, staged
from cms.stations import integrity
from cms.stations.build_plan import build_plan_for
from cms.stations.documents import playlists
from cms.stations.models import BuildStatus, PackageBuild
from cms.stations.payload import write_payload
from media_pipeline.hashing import sha256_file

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".json", ".csv", ".m3u8", ".srt", ".vtt"}


def write_zip(bag_dir: Path, zip_path: Path) -> None:
    with zipfile.ZipFile(zip_path, "w", allowZip64=True) as archive:
        for path in sorted(p for p in bag_dir.rglob("*") if p.is_file()):
            relative = path.relative_to(bag_dir).as_posix()
            compression = (
                zipfile.ZIP_DEFLATED if path.suffix.lower() in TEXT_SUFFIXES else zipfile.ZIP_STORED
            )
            archive.write(path, f"{bag_dir.name}/{relative}", compress_type=compression)


def bag_files(bag_dir: Path, bag: bagit.Bag) -> list[dict[str, Any]]:
    entries = {path: hashes["sha256"] for path, hashes in bag.entries.items()}
    entries["tagmanifest-sha256.txt"] = sha256_file(bag_dir / "tagmanifest-sha256.txt")
    return [
        {"path": path, "size": (bag_dir / path).stat().st_size, "sha256": digest}
        for path, digest in sorted(
            entries.items(), key=lambda kv: (not kv[0].startswith("data/"), kv[0])
        )
    ]


def staging_root() -> Path:
    """A directory on the same file system as the final place, so a rename is atomic."""
    try:
        root = Path(default_storage.path("stations/.building"))
    except NotImplementedError:
        root = Path(tempfile.gettempdir()) / "cms-stations-building"
    root.mkdir(parents=True, exist_ok=True)
    return root


def publish(stage: Stage, folder: str, bag_name: str, files: list[dict[str, Any]]) -> None:
    """Move the finished build into storage under ``folder``: renamed into place on a local
    disk, uploaded to an object store (the stage is then removed by ``staged``)."""
    try:
        final = Path(default_storage.path(folder))
    except NotImplementedError:
        for entry in files:
            name = f"{folder}/{bag_name}/{entry['path']}"
            entry["storage_name"] = store_once(stage.path / bag_name / entry["path"], name)
        store_once(stage.path / f"{bag_name}.zip", f"{folder}/{bag_name}.zip")
        return
    stage.publish(final, replace=False)
    for entry in files:
        entry["storage_name"] = f"{folder}/{bag_name}/{entry['path']}"


def build(build_id: int) -> str:
    """Build one bag and its zip; return the build's status. Safe to run twice."""
    from cms.stations.distribution import mark_available

    with transaction.atomic():
        build = PackageBuild.objects.select_for_update().get(pk=build_id)
        if build.status == BuildStatus.READY:
            return build.status
        build.status = BuildStatus.BUILDING
        build.save(update_fields=["status"])
    package = build.package
    bag_name = f"goi-{package.pk}-{build.variant_key[:8]}"
    folder = f"stations/packages/{package.pk}/{build.pk}-{uuid.uuid4().hex[:8]}"
    try:
        with staged(staging_root(), bag_name) as stage:
            bag_dir = stage.path / bag_name
            bag_dir.mkdir()
            build_plan = build_plan_for(package, build.variant)
            build_plan.files.extend(playlists(build_plan, package.title))
            write_payload(build_plan, package, build.variant, bag_dir)
            bag = stage.make_bag(
                {
                    "Source-Organization": settings.WAGTAIL_SITE_NAME,
                    "External-Identifier": bag_name,
                    "External-Description": nfc(package.title),
                    "Bag-Group-Identifier": f"package-{package.pk}",
                },
                ["sha256"],
                bag_dir=bag_dir,
            )
            files = bag_files(bag_dir, bag)
            zip_path = stage.path / f"{bag_name}.zip"
            write_zip(bag_dir, zip_path)
            zip_sha256, zip_size = sha256_file(zip_path), zip_path.stat().st_size
            bag_sha256 = sha256_file(bag_dir / "tagmanifest-sha256.txt")
            manifest = json.loads((bag_dir / "data" / "manifest.json").read_text(encoding="utf-8"))
            publish(stage, folder, bag_name, files)
    except Exception as error:
        logger.exception("package build %s failed", build_id)
        PackageBuild.objects.filter(pk=build_id).update(
            status=BuildStatus.FAILED, error=f"{type(error).__name__}: {error}"[:4000]
        )
        return BuildStatus.FAILED
    for entry in files:
        integrity.remember(entry["storage_name"], entry["sha256"])
    integrity.remember(f"{folder}/{bag_name}.zip", zip_sha256)
    PackageBuild.objects.filter(pk=build_id).update(
        status=BuildStatus.READY,
        bag_name=bag_name,
        folder=folder,
        zip_size=zip_size,
        zip_sha256=zip_sha256,
        bag_sha256=bag_sha256,
        files=files,
        manifest=manifest,
        error="",
        finished_at=timezone.now(),
    )
    mark_available(PackageBuild.objects.get(pk=build_id))
    return BuildStatus.READY
