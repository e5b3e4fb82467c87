"""The bag's own documents, made from its build plan: the cue sheet (``rundown.csv``), the
playlists (``<lang>/<role>.m3u8``) and ``manifest.json``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from cms import formats
from cms.formats import nfc
from cms.stations.build_plan import BuildPlan, BuildPlanFile
from cms.stations.models import BroadcastPackage

FORMAT = "vn-newsroom/broadcast-package"
#: roles that are not played from a playlist
NOT_PLAYED = {"script", "subtitles", "captions", "image"}


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


def playlists(build_plan: BuildPlan, title: str) -> list[BuildPlanFile]:
    """One extended M3U (UTF-8) per language and format, paths relative to the playlist;
    written by ``cms.formats.m3u_playlist`` (a title is one line, whatever it holds)."""
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in build_plan.rundown:
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
        BuildPlanFile(
            path=f"{language}/{role}.m3u8",
            role="playlist",
            language=language,
            text=formats.m3u_playlist(nfc(title), entries),
        )
        for (language, role), entries in sorted(by_key.items())
    ]


def manifest_document(
    package: BroadcastPackage,
    variant: dict[str, Any],
    build_plan: BuildPlan,
    files: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": 1,
        "package": package_summary(package),
        "variant": variant,
        "rundown": build_plan.rundown,
        "files": files,
        "missing": build_plan.missing,
        "warnings": build_plan.warnings,
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
