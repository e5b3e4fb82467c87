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

The bag is written in a staging directory next to its final place and renamed into place
(or uploaded, then switched on in the database, on S3), so nobody ever sees half a bag.
The zip is built once, right after the bag (ZIP_STORED for media, which does not compress,
deflate for text): a stored zip has one stable SHA-256 and ETag, so a station can resume it
with Range requests and check it; a zip streamed on the fly could not be resumed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shutil
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page

from cms import formats
from cms.content.visibility import is_public
from cms.media.models import MediaRendition, RenditionStatus
from cms.media.renditions import ISO639_2
from cms.stations import integrity
from cms.stations.models import (
    BOARD_PROFILE_RE,
    BroadcastPackage,
    BuildStatus,
    PackageBuild,
    PackageItem,
)
from media_pipeline.audio import AudioTags
from media_pipeline.ffmpeg_adapter import (
    InputRef,
    InputSpec,
    Job,
    OutputSpec,
    run_ffprobe,
    run_job,
)
from media_pipeline.hashing import sha256_file
from media_pipeline.images import render_images
from media_pipeline.profiles import IMAGE_BOARD, ImageProfile, VideoProfile, profiles_from_config

logger = logging.getLogger(__name__)

FORMAT = "vn-newsroom/broadcast-package"
TEXT_SUFFIXES = {".txt", ".json", ".csv", ".m3u8", ".srt", ".vtt"}
#: MPEG-1 Layer II for older playout software (docs/design.md#output-profiles: 256 kb/s
#: stereo, 128 kb/s mono)
MP2_BITRATES = {1: "128k", 2: "256k"}
#: roles that are not played from a playlist
NOT_PLAYED = {"script", "subtitles", "captions", "image"}


@dataclass
class PlannedFile:
    """A payload file: its path under ``data/`` and where its bytes come from."""

    path: str
    role: str
    language: str
    item_id: int | None = None
    storage_name: str | None = None
    text: str | None = None
    expected_sha256: str = ""
    #: an exhibition image rendered at build time: (source field file, profile, caption)
    image: tuple[Any, ImageProfile, str] | None = None
    #: MPEG-1 Layer II encoded at build time from this storage name (the broadcast WAV)
    mp2_from: str | None = None
    #: more facts for the manifest's entry (image size, caption)
    extra: dict[str, Any] = field(default_factory=dict)
    #: ID3 tags rewritten into an MP3 copy, from the language version's own page (the
    #: rendition carries its master's tags, which may be another language's)
    tags: AudioTags | None = None


@dataclass
class Plan:
    files: list[PlannedFile] = field(default_factory=list)
    rundown: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    #: things packaged that an editor should look at (``master_language_mismatch``)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: names given so far per directory, as a case-insensitive file system compares them
    names: dict[str, set[str]] = field(default_factory=dict)

    def path(self, directory: str, stem: str, suffix: str) -> str:
        """A new path ``<directory>/<name>`` that no other file of the bag has.

        The name is the whole ``stem`` (a title's ``/`` is kept as ``-``: "Bản tin 1/12" is
        not "12"); if it is taken (two roles of one item with the same suffix, or a name
        cut at the length limit), `` (2)``, `` (3)``... is added, in planning order, so
        the same package always gets the same names.
        """
        used = self.names.setdefault(directory, set())
        name = formats.file_name(stem, suffix)
        number = 1
        while name_key(name) in used:
            number += 1
            tail = f" ({number})"
            name = formats.file_name(f"{stem}{tail}", suffix)
            while not name.endswith(f"{tail}{suffix}"):  # cut at the length limit: shorten
                stem = stem[: max(0, len(stem) - 8)]
                name = formats.file_name(f"{stem}{tail}", suffix)
        used.add(name_key(name))
        return f"{directory}/{name}"


def name_key(name: str) -> str:
    """How Windows and macOS compare names: case-insensitive, canonically equivalent."""
    return unicodedata.normalize("NFC", name).casefold()


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value or "")


def item_path(plan: Plan, language: str, order: int, title: str, suffix: str) -> str:
    return plan.path(language, f"{order:02d} - {nfc(title)}", suffix)


def translation_in(page: Page, language: str) -> Page | None:
    if page.locale.language_code == language:
        return page
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None:
        return None
    return page.get_translation_or_none(locale)


def done_rendition(master_id: int, profile: str) -> MediaRendition | None:
    return (
        MediaRendition.objects.filter(master_id=master_id, profile=profile)
        .filter(status=RenditionStatus.DONE)
        .exclude(file="")
        .first()
    )


def seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def rundown_row(order: int, item: Any, page: Page, language: str, file: str) -> dict[str, Any]:
    """The cue-sheet fields every kind of item has; callers add files, durations, cues."""
    return {
        "order": order,
        "item_id": item.pk,
        "page_id": page.pk,
        "title": nfc(page.title),
        "language": language,
        "file": file,
        "note": nfc(item.note),
    }


def page_master(page: Any) -> Any:
    """The recording a content page plays (a radio segment's audio, a video's video)."""
    from cms.content.models import RadioSegmentPage, VideoPage

    if isinstance(page, RadioSegmentPage):
        return page.audio
    if isinstance(page, VideoPage):
        return page.video
    return None


def master_language_warning(item: PackageItem, page: Any, master: Any) -> dict[str, Any] | None:
    """A warning when a language version plays a master recorded in another language
    (e.g. a km translation still on the vi recording): it would reach ``km/`` as Khmer."""
    language = page.locale.language_code
    if master is None or not master.language or master.language == language:
        return None
    return {
        "code": "master_language_mismatch",
        "item_id": item.pk,
        "page_id": page.pk,
        "page_title": nfc(page.title),
        "language": language,
        "master_id": master.pk,
        "master_language": master.language,
    }


def master_language_warnings(package: BroadcastPackage) -> list[dict[str, Any]]:
    """Every live language version of the package's items whose master is in another
    language, for the release page (the build lists those of its own languages)."""
    warnings: list[dict[str, Any]] = []
    for item in package.items.select_related("page").order_by("sort_order", "pk"):
        versions = item.page.get_translations(inclusive=True).live().select_related("locale")
        for version in versions.order_by("locale__language_code"):
            page = version.specific
            warning = master_language_warning(item, page, page_master(page))
            if warning is not None:
                warnings.append(warning)
    return warnings


def mp3_tags(page: Any, master: Any) -> AudioTags:
    """ID3 tags of a packaged MP3: the version page's own title and language."""
    return AudioTags(
        title=page.title,
        language=ISO639_2.get(page.locale.language_code, ""),
        item_id=f"master-{master.pk}",
    )


def plan_build(package: BroadcastPackage, variant: dict[str, Any]) -> Plan:
    """Decide every file of the bag and the rundown rows, without touching any bytes."""
    from cms.content.models import ExhibitionPage, RadioSegmentPage, VideoPage

    plan = Plan()
    items = list(package.items.select_related("page").order_by("sort_order", "pk"))
    audio_profiles: list[str] = variant.get("audio_profiles", [])
    video_profile: str | None = variant.get("video_profile")
    for order, item in enumerate(items, start=1):
        source = item.page.specific
        for language in variant["languages"]:
            page = translation_in(source, language)
            page = page.specific if page is not None else None
            if page is None or not page.live:
                plan.missing.append(
                    {"item_id": item.pk, "language": language, "reason": "no_live_translation"}
                )
                continue
            if not is_public(page):
                # Stations broadcast to the public: an internal, restricted or
                # password-protected version is never packaged (cms.content.visibility).
                plan.missing.append(
                    {"item_id": item.pk, "language": language, "reason": "not_public"}
                )
                continue
            if isinstance(page, ExhibitionPage):
                plan_exhibition(plan, item, order, page, language, video_profile)
                continue
            plan_item(
                plan,
                item,
                order,
                page,
                language,
                audio_profiles,
                video_profile,
                radio=isinstance(page, RadioSegmentPage),
                video=isinstance(page, VideoPage),
                mp2=bool(variant.get("broadcast_mp2")),
            )
    return plan


def board_image_profile(video_profile: str) -> ImageProfile:
    """The board image rendition for a screen profile: its exact size, caption band."""
    match = BOARD_PROFILE_RE.match(video_profile)
    if match and match.group(2):
        width, height = int(match.group(2)), int(match.group(3))
    else:
        table = profiles_from_config(settings.CMS_MEDIA.get("PROFILE_OVERRIDES", {}))
        profile = table.get(video_profile)
        if not isinstance(profile, VideoProfile):
            raise ValueError(f"unknown board profile {video_profile!r}")
        width, height = profile.width, profile.height
    return dataclasses.replace(
        IMAGE_BOARD, name=f"image_{video_profile}", width=width, height=height
    )


def plan_exhibition(
    plan: Plan,
    item: PackageItem,
    order: int,
    page: Any,
    language: str,
    video_profile: str | None,
) -> None:
    """An exhibition: its photos and posters at the board's screen, its captions as text.

    The captions come from the page in ``language`` (each translation has its own items),
    so the caption band is in the bag's language. A station without a screen gets the
    captions text only (a radio announcer can read them out).
    """
    exhibits = list(page.items.select_related("image").order_by("sort_order", "pk"))
    if not exhibits:
        return
    profile = board_image_profile(video_profile) if video_profile else None
    images: list[PlannedFile] = []
    lines = [nfc(page.title), ""]
    for n, exhibit in enumerate(exhibits, start=1):
        caption = nfc(exhibit.caption).strip()
        credit = nfc(exhibit.credit).strip()
        lines.append(f"{order:02d}.{n:02d}  {caption}" + (f" ({credit})" if credit else ""))
        if profile is None:
            continue
        assert profile.width and profile.height
        images.append(
            PlannedFile(
                path=plan.path(
                    language, f"{order:02d}.{n:02d} - {nfc(exhibit.image.title)}", ".jpg"
                ),
                role="image",
                language=language,
                item_id=item.pk,
                image=(exhibit.image.file, profile, caption),
                extra={
                    "profile": profile.name,
                    "width": profile.width,
                    "height": profile.height,
                    "caption": caption,
                },
            )
        )
    captions = PlannedFile(
        path=item_path(plan, language, order, page.title, ".txt"),
        role="captions",
        language=language,
        item_id=item.pk,
        text="\n".join(lines) + "\n",
    )
    plan.files.extend([*images, captions])
    if not images:
        return  # nothing to show: no rundown row for a station without a screen
    plan.rundown.append(
        {
            **rundown_row(order, item, page, language, images[0].path),
            "files": {"captions": captions.path},
            "images": [f.path for f in images],
            "duration": None,
            "cue_in": None,
            "cue_out": None,
            "media_duration": None,
        }
    )


def plan_item(
    plan: Plan,
    item: PackageItem,
    order: int,
    page: Any,
    language: str,
    audio_profiles: list[str],
    video_profile: str | None,
    radio: bool,
    video: bool,
    mp2: bool = False,
) -> None:
    master = page.audio if radio else page.video if video else None
    profiles = list(audio_profiles)
    if video and video_profile:
        profiles.append(video_profile)
    if master is None or not profiles:
        return  # nothing this station can play (e.g. a radio segment for a silent board)
    warning = master_language_warning(item, page, master)
    if warning is not None:
        plan.warnings.append(warning)
    media: list[PlannedFile] = []
    duration = master.duration
    for profile in profiles:
        rendition = done_rendition(master.pk, profile)
        if rendition is None:
            reason = "no_rendition"
            if (
                MediaRendition.objects.filter(master=master, profile=profile)
                .filter(status=RenditionStatus.NOT_APPLICABLE)
                .exists()
            ):
                continue  # e.g. no sound track for a loudspeaker
            plan.missing.append(
                {"item_id": item.pk, "language": language, "profile": profile, "reason": reason}
            )
            continue
        suffix = Path(rendition.file.name).suffix.lower()
        media.append(
            PlannedFile(
                path=item_path(plan, language, order, page.title, suffix),
                role=profile,
                language=language,
                item_id=item.pk,
                storage_name=rendition.file.name,
                expected_sha256=rendition.sha256,
                tags=mp3_tags(page, master) if suffix == ".mp3" else None,
            )
        )
        duration = (rendition.technical_metadata or {}).get("duration") or duration
        if mp2 and profile == "broadcast":
            media.append(
                PlannedFile(
                    path=item_path(plan, language, order, page.title, ".mp2"),
                    role="broadcast_mp2",
                    language=language,
                    item_id=item.pk,
                    mp2_from=rendition.file.name,
                )
            )
    if not media:
        return
    extras: list[PlannedFile] = []
    script = nfc(page.script if radio else page.transcript)
    if script.strip():
        extras.append(
            PlannedFile(
                path=item_path(plan, language, order, page.title, ".txt"),
                role="script",
                language=language,
                item_id=item.pk,
                text=script if script.endswith("\n") else script + "\n",
            )
        )
    if video and video_profile and page.subtitles_id:
        suffix = Path(page.subtitles.file.name).suffix.lower() or ".srt"
        extras.append(
            PlannedFile(
                path=item_path(plan, language, order, page.title, suffix),
                role="subtitles",
                language=language,
                item_id=item.pk,
                storage_name=page.subtitles.file.name,
            )
        )
    cue_out = item.cue_out if item.cue_out is not None else duration
    if duration is not None and cue_out is not None:
        cue_out = min(cue_out, duration)
    plan.files.extend(media + extras)
    plan.rundown.append(
        {
            **rundown_row(order, item, page, language, media[0].path),
            "files": {f.role: f.path for f in media + extras},
            "duration": seconds(None if cue_out is None else cue_out - item.cue_in),
            "cue_in": seconds(item.cue_in),
            "cue_out": seconds(cue_out),
            "media_duration": seconds(duration),
        }
    )


def timecode(value: float | None) -> str:
    if value is None:
        return ""
    millis = round(value * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


#: rundown.csv columns: order, language, title, file, duration (seconds), cue in, cue out, note
RUNDOWN_CSV_HEADER = (
    "Thứ tự",
    "Ngôn ngữ",
    "Tiêu đề",
    "Tệp",
    "Thời lượng (giây)",
    "Điểm vào",
    "Điểm ra",
    "Ghi chú",
)


def rundown_csv(rows: list[dict[str, Any]]) -> str:
    """The cue sheet (``cms.formats``: no cell is a formula); with a BOM for Excel.

    The technicians open it, so its headers are Vietnamese (``RUNDOWN_CSV_HEADER``); the
    machine names stay in ``rundown.json`` and ``manifest.json``."""
    header = list(RUNDOWN_CSV_HEADER)
    return formats.csv_rows(
        [
            header,
            *(
                [
                    row["order"],
                    row["language"],
                    row["title"],
                    row["file"],
                    "" if row["duration"] is None else f"{row['duration']:.3f}",
                    timecode(row["cue_in"]),
                    timecode(row["cue_out"]),
                    row["note"],
                ]
                for row in rows
            ),
        ]
    )


def playlists(plan: Plan, title: str) -> list[PlannedFile]:
    """One extended M3U (UTF-8) per language and format, paths relative to the playlist;
    written by ``cms.formats.m3u_playlist`` (a title is one line, whatever it holds)."""
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in plan.rundown:
        for role, path in row["files"].items():
            if role in NOT_PLAYED:
                continue
            by_key.setdefault((row["language"], role), []).append(
                {
                    "title": row["title"],
                    "duration": row["duration"],
                    "start": row["cue_in"],
                    "stop": (
                        row["cue_out"]
                        if row["cue_out"] is not None and row["cue_out"] != row["media_duration"]
                        else None
                    ),
                    "path": path.split("/", 1)[1],
                }
            )
    return [
        PlannedFile(
            path=f"{language}/{role}.m3u8",
            role="playlist",
            language=language,
            text=formats.m3u_playlist(nfc(title), entries),
        )
        for (language, role), entries in sorted(by_key.items())
    ]


def manifest_document(
    package: BroadcastPackage, variant: dict[str, Any], plan: Plan, files: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": 1,
        "package": package_summary(package),
        "variant": variant,
        "rundown": plan.rundown,
        "files": files,
        "missing": plan.missing,
        "warnings": plan.warnings,
        "generated_at": timezone.now().isoformat(),
    }


def package_summary(package: BroadcastPackage) -> dict[str, Any]:
    return {
        "id": package.pk,
        "title": nfc(package.title),
        "description": nfc(package.description),
        "bulletin_class": package.bulletin_class,
        "air_from": package.air_from.isoformat() if package.air_from else None,
        "air_until": package.air_until.isoformat() if package.air_until else None,
        "released_at": package.released_at.isoformat() if package.released_at else None,
    }


def copy_from_storage(storage_name: str, target: Path) -> None:
    """Copy a stored file's bytes into a new file of the bag.

    Never a hard link: a bag's file and the stored rendition must not share an inode,
    or anything written to one (a later build, a tampered bag) changes the other. The copy
    goes to a fresh temporary file that then replaces ``target`` atomically, so nothing is
    ever written into an existing file (or through a link into shared storage).
    """
    with fresh_file(target) as partial, partial.open("xb") as dst:
        try:
            source = Path(default_storage.path(storage_name))
        except NotImplementedError:
            with default_storage.open(storage_name, "rb") as src:
                shutil.copyfileobj(src, dst, 1024 * 1024)
        else:
            with source.open("rb") as src:
                shutil.copyfileobj(src, dst, 1024 * 1024)


@contextlib.contextmanager
def fresh_file(target: Path) -> Iterator[Path]:
    """A new, empty-named temporary path next to ``target`` for a writer to create; once
    written, it replaces ``target`` atomically (``os.replace``), else it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".partial-{uuid.uuid4().hex}{target.suffix}")
    try:
        yield partial
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


@contextlib.contextmanager
def local_file(source: Any) -> Iterator[Path]:
    """A local path for a stored file (a storage name or a field file), copied if remote."""
    name = source if isinstance(source, str) else source.name
    storage = default_storage if isinstance(source, str) else source.storage
    try:
        yield Path(storage.path(name))
        return
    except NotImplementedError:
        pass
    with tempfile.TemporaryDirectory(prefix="cms-stations-") as tmp:
        copy = Path(tmp) / f"source{Path(name).suffix}"
        with storage.open(name, "rb") as src, copy.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        yield copy


def render_board_image(source: Any, profile: ImageProfile, caption: str, target: Path) -> None:
    with local_file(source) as path, fresh_file(target) as partial:
        render_images(path, {profile.name: partial}, {profile.name: profile}, caption=caption)


def encode_mp2(storage_name: str, target: Path) -> None:
    """MPEG-1 Layer II from the (already loudness-normalised) broadcast WAV, as is."""
    with local_file(storage_name) as wav, fresh_file(target) as partial:
        channels = probe_channels(wav)
        job = Job(
            inputs=[InputSpec(str(wav))],
            streams=[],
            outputs=[
                OutputSpec(
                    str(partial),
                    [InputRef(0, "a:0")],
                    {"c:a": "mp2", "b:a": MP2_BITRATES.get(channels, "256k"), "f": "mp2"},
                )
            ],
        )
        run_job(job, timeout=3600)


def retag_mp3(target: Path, tags: AudioTags) -> None:
    """Replace an MP3's ID3 tags (stream copied, no re-encode) with ``tags``, written as the
    renditions are (ID3v2.4, no ID3v1, values cleaned by ``AudioTags``/``tag_text``).

    A rendition already tagged as wanted (the version plays a master with its own title and
    language) is left byte for byte as stored."""
    wanted = dict(tags.items())
    present = run_ffprobe(str(target)).data.get("format", {}).get("tags", {}) or {}
    present = {str(k).lower(): str(v) for k, v in present.items()}
    if all(present.get(key) == value for key, value in wanted.items()):
        return
    options: dict[str, Any] = {
        "c:a": "copy",
        "f": "mp3",
        "map_metadata": -1,
        "id3v2_version": 4,
        "write_id3v1": 0,
    }
    for n, (key, value) in enumerate(tags.items()):
        options[f"metadata:g:{n}"] = f"{key}={value}"
    with fresh_file(target) as partial:
        job = Job(
            inputs=[InputSpec(str(target))],
            streams=[],
            outputs=[OutputSpec(str(partial), [InputRef(0, "a:0")], options)],
        )
        run_job(job, timeout=3600)


def probe_channels(path: Path) -> int:
    for stream in run_ffprobe(str(path)).data.get("streams", []):
        if stream.get("codec_type") == "audio":
            return int(stream.get("channels") or 2)
    return 2


def write_payload(
    plan: Plan, package: BroadcastPackage, variant: dict[str, Any], root: Path
) -> None:
    described: list[dict[str, Any]] = []
    seen: set[str] = set()
    for planned in plan.files:
        key = name_key(planned.path)
        if key in seen or "/" not in planned.path:
            raise ValueError(f"two files of the bag would be named {planned.path!r}")
        seen.add(key)
        target = root / planned.path
        if planned.storage_name is not None:
            copy_from_storage(planned.storage_name, target)
        elif planned.image is not None:
            render_board_image(*planned.image, target)
        elif planned.mp2_from is not None:
            encode_mp2(planned.mp2_from, target)
        else:
            write_text(target, planned.text or "")
        digest = sha256_file(target)
        if planned.expected_sha256 and digest != planned.expected_sha256:
            raise OSError(f"rendition {planned.storage_name} does not match its recorded SHA-256")
        if planned.tags is not None:
            retag_mp3(target, planned.tags)
            digest = sha256_file(target)
        described.append(
            {
                "path": f"data/{planned.path}",
                "size": target.stat().st_size,
                "sha256": digest,
                "role": planned.role,
                "language": planned.language,
                "item_id": planned.item_id,
                **planned.extra,
            }
        )
    write_text(root / "rundown.json", json.dumps(plan.rundown, ensure_ascii=False, indent=2))
    write_text(root / "rundown.csv", rundown_csv(plan.rundown))
    document = manifest_document(package, variant, plan, described)
    write_text(root / "manifest.json", json.dumps(document, ensure_ascii=False, indent=2))


def write_text(target: Path, text: str) -> None:
    with fresh_file(target) as partial, partial.open("x", encoding="utf-8", newline="") as out:
        out.write(text)


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


def publish(staging: Path, folder: str, bag_name: str, files: list[dict[str, Any]]) -> None:
    """Move the finished build into storage under ``folder``."""
    try:
        final = Path(default_storage.path(folder))
    except NotImplementedError:
        for entry in files:
            with (staging / bag_name / entry["path"]).open("rb") as handle:
                saved = default_storage.save(f"{folder}/{bag_name}/{entry['path']}", File(handle))
            entry["storage_name"] = saved
        with (staging / f"{bag_name}.zip").open("rb") as handle:
            default_storage.save(f"{folder}/{bag_name}.zip", File(handle))
        return
    final.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staging, final)
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
    staging = staging_root() / uuid.uuid4().hex
    try:
        bag_dir = staging / bag_name
        bag_dir.mkdir(parents=True)
        plan = plan_build(package, build.variant)
        plan.files.extend(playlists(plan, package.title))
        write_payload(plan, package, build.variant, bag_dir)
        bag = bagit.make_bag(
            str(bag_dir),
            {
                "Source-Organization": settings.WAGTAIL_SITE_NAME,
                "External-Identifier": bag_name,
                "External-Description": nfc(package.title),
                "Bag-Group-Identifier": f"package-{package.pk}",
            },
            checksums=["sha256"],
        )
        files = bag_files(bag_dir, bag)
        zip_path = staging / f"{bag_name}.zip"
        write_zip(bag_dir, zip_path)
        zip_sha256, zip_size = sha256_file(zip_path), zip_path.stat().st_size
        bag_sha256 = sha256_file(bag_dir / "tagmanifest-sha256.txt")
        manifest = json.loads((bag_dir / "data" / "manifest.json").read_text(encoding="utf-8"))
        publish(staging, folder, bag_name, files)
    except Exception as error:
        logger.exception("package build %s failed", build_id)
        shutil.rmtree(staging, ignore_errors=True)
        PackageBuild.objects.filter(pk=build_id).update(
            status=BuildStatus.FAILED, error=f"{type(error).__name__}: {error}"[:4000]
        )
        return BuildStatus.FAILED
    shutil.rmtree(staging, ignore_errors=True)
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
