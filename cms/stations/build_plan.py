"""What a package's bag for one variant holds, decided from the database without
touching any bytes: every payload file with its path and source, the rundown rows, what is
missing and what an editor should look at."""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from wagtail.models import Locale, Page

from cms import formats
from cms.content.itemtypes import EXHIBITS, ItemKind, kind_of
from cms.content.visibility import is_public
from cms.formats import nfc
from cms.i18n.languages import ISO639_3
from cms.media.models import MediaRendition, RenditionStatus
from cms.stations.choices import BOARD_PROFILE_RE
from cms.stations.models import BroadcastPackage, PackageItem
from media_pipeline.audio import AudioTags
from media_pipeline.profiles import IMAGE_BOARD, ImageProfile, VideoProfile, profiles_from_config


@dataclass
class BuildPlanFile:
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
class BuildPlan:
    files: list[BuildPlanFile] = field(default_factory=list)
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
        cut at the length limit), `` (2)``, `` (3)``... is added, in build-plan order, so
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


def item_path(build_plan: BuildPlan, language: str, order: int, title: str, suffix: str) -> str:
    return build_plan.path(language, f"{order:02d} - {nfc(title)}", suffix)


def translation_in(page: Page, language: str) -> Page | None:
    if page.locale.language_code == language:
        return page
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None:
        return None
    return page.get_translation_or_none(locale)


def done_rendition(master_id: int, profile: str) -> MediaRendition | None:
    return MediaRendition.objects.done().filter(master_id=master_id, profile=profile).first()


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
    kind = kind_of(page)
    return kind.master(page) if kind is not None else None


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
        language=ISO639_3.get(page.locale.language_code, ""),
        item_id=f"master-{master.pk}",
    )


def build_plan_for(package: BroadcastPackage, variant: dict[str, Any]) -> BuildPlan:
    """Decide every file of the bag and the rundown rows, without touching any bytes."""
    build_plan = BuildPlan()
    items = list(package.items.select_related("page").order_by("sort_order", "pk"))
    audio_profiles: list[str] = variant.get("audio_profiles", [])
    video_profile: str | None = variant.get("video_profile")
    for order, item in enumerate(items, start=1):
        source = item.page.specific
        for language in variant["languages"]:
            page = translation_in(source, language)
            page = page.specific if page is not None else None
            if page is None or not page.live:
                build_plan.missing.append(
                    {"item_id": item.pk, "language": language, "reason": "no_live_translation"}
                )
                continue
            if not is_public(page):
                # Stations broadcast to the public: an internal, restricted or
                # password-protected version is never packaged (cms.content.visibility).
                build_plan.missing.append(
                    {"item_id": item.pk, "language": language, "reason": "not_public"}
                )
                continue
            kind = kind_of(page)
            if kind is None:
                continue
            if kind.package_payload == EXHIBITS:
                add_exhibition_to_build_plan(build_plan, item, order, page, language, video_profile)
                continue
            add_item_to_build_plan(
                build_plan,
                item,
                order,
                page,
                language,
                audio_profiles,
                video_profile,
                mp2=bool(variant.get("broadcast_mp2")),
            )
    return build_plan


def board_image_profile(video_profile: str) -> ImageProfile:
    """The board image rendition for a screen profile: its exact size, caption band."""
    match = BOARD_PROFILE_RE.match(video_profile)
    if match and match.group(2):
        width, height = int(match.group(2)), int(match.group(3))
    else:
        overrides = cast(dict[str, Any], settings.CMS_MEDIA.get("PROFILE_OVERRIDES", {}))
        table = profiles_from_config(overrides)
        profile = table.get(video_profile)
        if not isinstance(profile, VideoProfile):
            raise ValueError(f"unknown board profile {video_profile!r}")
        width, height = profile.width, profile.height
    return dataclasses.replace(
        IMAGE_BOARD, name=f"image_{video_profile}", width=width, height=height
    )


def add_exhibition_to_build_plan(
    build_plan: BuildPlan,
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
    kind = kind_of(page)
    exhibits = kind.exhibits(page) if kind is not None else []
    if not exhibits:
        return
    profile = board_image_profile(video_profile) if video_profile else None
    images: list[BuildPlanFile] = []
    lines = [nfc(page.title), ""]
    for n, exhibit in enumerate(exhibits, start=1):
        caption = nfc(exhibit.caption).strip()
        credit = nfc(exhibit.credit).strip()
        lines.append(f"{order:02d}.{n:02d}  {caption}" + (f" ({credit})" if credit else ""))
        if profile is None:
            continue
        if not (profile.width and profile.height):
            raise ValueError(f"board profile {profile.name} has no frame size")
        images.append(
            BuildPlanFile(
                path=build_plan.path(
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
    captions = BuildPlanFile(
        path=item_path(build_plan, language, order, page.title, ".txt"),
        role="captions",
        language=language,
        item_id=item.pk,
        text="\n".join(lines) + "\n",
    )
    build_plan.files.extend([*images, captions])
    if not images:
        return  # nothing to show: no rundown row for a station without a screen
    build_plan.rundown.append(
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


def add_item_to_build_plan(
    build_plan: BuildPlan,
    item: PackageItem,
    order: int,
    page: Any,
    language: str,
    audio_profiles: list[str],
    video_profile: str | None,
    mp2: bool = False,
) -> None:
    """A recording: its renditions for this variant, its spoken text, its subtitles (on a
    screen); what the item type carries comes from the registry (cms.content.itemtypes)."""
    kind = kind_of(page)
    if kind is None:
        return
    master = kind.master(page)
    profiles = list(audio_profiles)
    if kind.plays_on_screen and video_profile:
        profiles.append(video_profile)
    if master is None or not profiles:
        return  # nothing this station can play (e.g. a radio segment for a silent board)
    warning = master_language_warning(item, page, master)
    if warning is not None:
        build_plan.warnings.append(warning)
    media: list[BuildPlanFile] = []
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
            build_plan.missing.append(
                {"item_id": item.pk, "language": language, "profile": profile, "reason": reason}
            )
            continue
        suffix = Path(rendition.file.name or "").suffix.lower()
        media.append(
            BuildPlanFile(
                path=item_path(build_plan, language, order, page.title, suffix),
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
                BuildPlanFile(
                    path=item_path(build_plan, language, order, page.title, ".mp2"),
                    role="broadcast_mp2",
                    language=language,
                    item_id=item.pk,
                    mp2_from=rendition.file.name,
                )
            )
    if not media:
        return
    extras = texts_beside(build_plan, kind, item, order, page, language, video_profile)
    cue_out = item.cue_out if item.cue_out is not None else duration
    if duration is not None and cue_out is not None:
        cue_out = min(cue_out, duration)
    build_plan.files.extend(media + extras)
    build_plan.rundown.append(
        {
            **rundown_row(order, item, page, language, media[0].path),
            "files": {f.role: f.path for f in media + extras},
            "duration": seconds(None if cue_out is None else cue_out - item.cue_in),
            "cue_in": seconds(item.cue_in),
            "cue_out": seconds(cue_out),
            "media_duration": seconds(duration),
        }
    )


def texts_beside(
    build_plan: BuildPlan,
    kind: ItemKind,
    item: PackageItem,
    order: int,
    page: Any,
    language: str,
    video_profile: str | None,
) -> list[BuildPlanFile]:
    """The recording's spoken text (a script or transcript) and, for a screen, its
    subtitles file."""
    extras: list[BuildPlanFile] = []
    script = nfc(kind.text(page))
    if script.strip():
        extras.append(
            BuildPlanFile(
                path=item_path(build_plan, language, order, page.title, ".txt"),
                role="script",
                language=language,
                item_id=item.pk,
                text=script if script.endswith("\n") else script + "\n",
            )
        )
    subtitles = kind.subtitles(page) if kind.plays_on_screen and video_profile else None
    if subtitles is not None:
        suffix = Path(subtitles.file.name).suffix.lower() or ".srt"
        extras.append(
            BuildPlanFile(
                path=item_path(build_plan, language, order, page.title, suffix),
                role="subtitles",
                language=language,
                item_id=item.pk,
                storage_name=subtitles.file.name,
            )
        )
    return extras
