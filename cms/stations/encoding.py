"""Payload files made at build time from stored media: an exhibition photo rendered
for a board's screen, MPEG-1 Layer II from the broadcast WAV, an MP3's ID3 tags
rewritten (through ``media_pipeline``; each output replaces its target atomically)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cms.media.storage import local_path
from cms.staging import fresh_file
from media_pipeline.audio import AudioTags
from media_pipeline.ffmpeg_adapter import (
    InputRef,
    InputSpec,
    Job,
    OutputSpec,
    run_ffprobe,
    run_job,
)
from media_pipeline.images import render_images
from media_pipeline.profiles import ImageProfile

#: MPEG-1 Layer II for older playout software (docs/design.md#output-profiles: 256 kb/s
#: stereo, 128 kb/s mono)
MP2_BITRATES = {1: "128k", 2: "256k"}


def render_board_image(source: Any, profile: ImageProfile, caption: str, target: Path) -> None:
    with local_path(source) as path, fresh_file(target) as partial:
        render_images(path, {profile.name: partial}, {profile.name: profile}, caption=caption)


def encode_mp2(storage_name: str, target: Path) -> None:
    """MPEG-1 Layer II from the (already loudness-normalised) broadcast WAV, as is."""
    with local_path(storage_name) as wav, fresh_file(target) as partial:
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
