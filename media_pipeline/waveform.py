"""Waveform overview PNG (ffmpeg ``showwavespic``) for the admin and the public player."""

from __future__ import annotations

import os
from pathlib import Path

from .atomic import atomic_outputs
from .errors import PipelineError
from .ffmpeg_adapter import (
    CancelCheck,
    InputRef,
    InputSpec,
    Job,
    OutputSpec,
    StreamSpec,
    flt,
    run_job,
)
from .probe import MediaInfo, probe


def render_waveform(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    width: int = 1200,
    height: int = 120,
    color: str = "#1f6feb",
    should_cancel: CancelCheck | None = None,
    info: MediaInfo | None = None,
) -> Path:
    """Write a ``width`` x ``height`` PNG of the (mono-mixed) waveform to ``dest``."""
    if width < 16 or height < 8:
        raise PipelineError("invalid_argument", "waveform size too small")
    if info is None:
        info = probe(src)
    if info.audio is None:
        raise PipelineError("no_audio", "the file has no audio stream to draw")
    dest_path = Path(dest)
    with atomic_outputs({"png": dest_path}) as temps:
        job = Job(
            inputs=[InputSpec(str(src))],
            streams=[
                StreamSpec(
                    "w",
                    "video",
                    InputRef(0, "a:0"),
                    (
                        flt("aformat", channel_layouts="mono"),
                        flt("showwavespic", s=f"{width}x{height}", colors=color, scale="sqrt"),
                    ),
                )
            ],
            outputs=[OutputSpec(str(temps["png"]), ["w"], {"frames:v": 1, "f": "image2"})],
        )
        run_job(job, should_cancel=should_cancel, timeout=60.0 + (info.duration or 600.0))
    return dest_path
