"""Video renditions: fit (letterbox / pillarbox) into an exact frame, burn subtitles.

Geometry is computed in Python from the probe: display size = stored size x SAR, then rotation
(ffmpeg auto-rotates decoded frames according to the display matrix, so a phone clip stored
1920x1080 with a 90 degree rotation arrives in the graph as 1080x1920). The picture is scaled
to fit, padded to the profile size with square pixels (``setsar=1``), converted to the
profile's frame rate and ``yuv420p`` and encoded as H.264 High with ``+faststart``. Interlaced
sources (``field_order`` tt/bb/tb/bt) are deinterlaced with ``bwdif`` first; progressive ones
are left alone.

Audio (when the profile wants it and the source has it) is measured once (audio-only decode)
and normalised with linear gain + limiter as in :mod:`media_pipeline.loudness`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .atomic import atomic_outputs
from .audio import RenditionResult, _check_dest, _duration_of
from .captions import SCRIPT_FONT_NAMES, detect_script, find_font
from .errors import PipelineError
from .ffmpeg_adapter import (
    CancelCheck,
    FilterSpec,
    InputRef,
    InputSpec,
    Job,
    OutputSpec,
    ProgressCallback,
    Scalar,
    StreamSpec,
    flt,
    run_job,
)
from .loudness import ebur128, parse_ebur128_summaries, plan_gains
from .probe import MediaInfo, probe
from .profiles import AudioProfile, PlatformVideoProfile, VideoProfile
from .subtitles import srt_to_ass

#: ``bwdif`` on every frame: interlaced sources only (progressive ones are left alone).
DEINTERLACE = flt("bwdif", mode="send_frame", parity="auto", deint="all")


def output_size(profile: VideoProfile, info: MediaInfo) -> tuple[int, int]:
    """Frame size of the rendition (``orientation="auto"`` follows a portrait source)."""
    w, h = profile.width, profile.height
    if (
        profile.orientation == "auto"
        and info.video is not None
        and info.video.is_portrait != (h > w)
    ):
        w, h = h, w
    return w, h


def fit_size(display: tuple[int, int], frame: tuple[int, int]) -> tuple[int, int]:
    """Largest even size with the display aspect ratio that fits inside ``frame``."""
    dw, dh = display
    fw, fh = frame
    scale = min(fw / dw, fh / dh)
    w = min(fw, max(2, round(dw * scale / 2) * 2))
    h = min(fh, max(2, round(dh * scale / 2) * 2))
    return w, h


def audio_profile_for(profile: VideoProfile | PlatformVideoProfile) -> AudioProfile:
    """The audio part of a video or social profile expressed as an :class:`AudioProfile`
    (for the gain plan)."""
    if profile.audio_target_lufs is None:
        raise PipelineError("invalid_profile", f"{profile.name}: no audio loudness target")
    return AudioProfile(
        name=f"{profile.name}_audio",
        container="mp4",
        extension="m4a",
        codec="aac",
        bitrate=profile.audio_bitrate,
        sample_rate=profile.audio_sample_rate,
        channels="as_source",
        highpass_hz=None,
        lowpass_hz=None,
        target_lufs=profile.audio_target_lufs,
        tolerance_lu=profile.audio_tolerance_lu,
        true_peak_dbtp=profile.audio_true_peak_dbtp,
        max_lra_lu=None,
        dual_mono=False,
        id3_tags=False,
        limiter_margin_db=profile.audio_limiter_margin_db,
        encoder_options=(("aac_coder", "fast"),),
    )


def fit_filters(
    display: tuple[int, int], frame: tuple[int, int], pad_color: str | None
) -> tuple[FilterSpec, ...]:
    """Scale the picture to fit inside ``frame`` with square pixels, then pad it to the frame
    centred on ``pad_color`` (``None``: not padded, for an overlay on another background)."""
    w, h = fit_size(display, frame)
    fit = (flt("scale", w=w, h=h, flags="bicubic"), flt("setsar", sar="1"))
    if pad_color is None:
        return fit
    pad = flt("pad", w=frame[0], h=frame[1], x="(ow-iw)/2", y="(oh-ih)/2", color=pad_color)
    return (*fit, pad)


def scaled_progress(
    progress_cb: ProgressCallback | None,
) -> Callable[[float, float], ProgressCallback]:
    """``scaled(lo, hi)``: a callback reporting a step's 0..1 as ``lo..hi`` of the whole."""

    def scaled(lo: float, hi: float) -> ProgressCallback:
        def cb(x: float) -> None:
            if progress_cb is not None:
                progress_cb(lo + (hi - lo) * max(0.0, min(1.0, x)))

        return cb

    return scaled


def subtitle_style(subtitles_path: Path, font_name: str | None) -> tuple[str, str]:
    """``(font name, fonts dir)`` for the script the subtitles are written in."""
    try:
        text = subtitles_path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise PipelineError("invalid_argument", f"cannot read subtitles: {exc}") from exc
    script = detect_script(text)
    font_file = find_font(script)
    return font_name or SCRIPT_FONT_NAMES[script], str(Path(font_file).parent)


def video_filters(
    profile: VideoProfile,
    info: MediaInfo,
    subtitles: tuple[str, str, str] | None,
) -> tuple[FilterSpec, ...]:
    """Deinterlace, scale to fit, pad, fps, subtitles, pixel format.

    ``subtitles`` is ``(ASS path, fonts dir, font name)``. Option values are escaped by the
    adapter, so file names with spaces, quotes, colons, commas or brackets are safe.
    """
    if info.video is None:
        raise PipelineError("no_video", "the file has no video stream")
    v = info.video
    frame = output_size(profile, info)
    chain: list[FilterSpec] = [DEINTERLACE] if v.interlaced else []
    chain += [
        *fit_filters((v.display_width, v.display_height), frame, profile.pad_color),
        flt("fps", fps=profile.fps),
    ]
    if subtitles is not None:
        path, fonts_dir, _font = subtitles  # the font is named inside the ASS file
        chain.append(flt("ass", filename=path, fontsdir=fonts_dir, shaping="complex"))
    chain.append(flt("format", pix_fmts=profile.pix_fmt))
    return tuple(chain)


def render_video(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    profile: VideoProfile,
    *,
    subtitles_path: str | os.PathLike[str] | None = None,
    subtitles_font_dir: str | os.PathLike[str] | None = None,
    font_name: str | None = None,
    poster_dest: str | os.PathLike[str] | None = None,
    progress_cb: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    timeout: float | None = None,
    info: MediaInfo | None = None,
) -> RenditionResult:
    """Render one video rendition of ``src`` to ``dest`` (atomically).

    Subtitles are burned in when ``subtitles_path`` is given and the profile has
    ``burn_subtitles``; the font defaults to the Noto font for the subtitle's script (Khmer,
    Cham or Latin/Vietnamese) with ``fontsdir`` pointing at its directory. ``poster_dest``
    (JPEG) is written for profiles with ``poster=True``.
    """
    src_path, dest_path = Path(src), Path(dest)
    _check_dest(src_path, dest_path)
    if info is None:
        info = probe(src_path)
    if info.video is None:
        raise PipelineError("no_video", "the file has no video stream")
    duration = info.duration
    if timeout is None:
        timeout = 120.0 + 10.0 * (duration or 3600.0)

    scaled = scaled_progress(progress_cb)
    stack = contextlib.ExitStack()
    with stack:
        return _render(
            stack,
            src_path,
            dest_path,
            profile,
            info,
            duration,
            timeout,
            scaled,
            subtitles_path,
            subtitles_font_dir,
            font_name,
            poster_dest,
            progress_cb,
            should_cancel,
        )


def _render(
    stack: contextlib.ExitStack,
    src_path: Path,
    dest_path: Path,
    profile: VideoProfile,
    info: MediaInfo,
    duration: float | None,
    timeout: float,
    scaled: Callable[[float, float], ProgressCallback],
    subtitles_path: str | os.PathLike[str] | None,
    subtitles_font_dir: str | os.PathLike[str] | None,
    font_name: str | None,
    poster_dest: str | os.PathLike[str] | None,
    progress_cb: ProgressCallback | None,
    should_cancel: CancelCheck | None,
) -> RenditionResult:
    subs: tuple[str, str, str] | None = None
    if subtitles_path is not None and profile.burn_subtitles:
        sp = Path(subtitles_path)
        if not sp.is_file():
            raise PipelineError("invalid_argument", f"subtitle file not found: {sp}")
        auto_font, auto_dir = subtitle_style(sp, font_name)
        fonts_dir = str(subtitles_font_dir) if subtitles_font_dir is not None else auto_dir
        if sp.suffix.lower() in (".ass", ".ssa"):
            ass_path = sp.resolve()  # styled by its author; used as is
        else:
            tmpdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="subs-")))
            ass_path = tmpdir / "subtitles.ass"
            text = sp.read_text(encoding="utf-8-sig", errors="replace")
            ass_path.write_text(
                srt_to_ass(text, font=auto_font, frame=output_size(profile, info)),
                encoding="utf-8",
            )
        subs = (str(ass_path), fonts_dir, auto_font)

    streams: list[StreamSpec] = [
        StreamSpec("v", "video", InputRef(0, "v:0"), video_filters(profile, info, subs))
    ]
    maps: list[str | InputRef] = ["v"]
    outputs: list[OutputSpec] = []
    plan = None
    aprof: AudioProfile | None = None
    if profile.audio_target_lufs is not None and info.audio is not None:
        aprof = audio_profile_for(profile)
        plan = plan_gains(
            str(src_path),
            {aprof.name: aprof},
            info.audio,
            duration=duration,
            progress_cb=scaled(0.0, 0.1),
            should_cancel=should_cancel,
            timeout=timeout,
        )[aprof.name]
        streams.append(StreamSpec("a", "audio", InputRef(0, "a:0"), plan.filters(aprof)))
        streams.append(StreamSpec("am", "audio", "a", (ebur128("o0", peak=True, dual_mono=False),)))
        maps.append("a")
        outputs.append(OutputSpec("-", ["am"], {"f": "null"}))

    gop = max(1, round(profile.fps * profile.gop_seconds))
    opts: dict[str, Scalar | None] = {
        "c:v": profile.codec,
        "profile:v": profile.h264_profile,
        "preset": profile.preset,
        "b:v": profile.video_bitrate,
        "maxrate": _scale_rate(profile.video_bitrate, 1.5),
        "bufsize": _scale_rate(profile.video_bitrate, 2.0),
        "g": gop,
        "pix_fmt": profile.pix_fmt,
        "map_metadata": -1,
        "map_chapters": -1,
        "f": "mp4",
    }
    if profile.faststart:
        opts["movflags"] = "+faststart"
    if aprof is not None:
        opts.update({"c:a": "aac", "b:a": aprof.bitrate, "ar": aprof.sample_rate})
        opts.update(dict(aprof.encoder_options))
    dests: dict[str, Path] = {"video": dest_path}
    want_poster = profile.poster and poster_dest is not None
    if profile.poster and poster_dest is not None:
        dests["poster"] = Path(poster_dest)
    with atomic_outputs(dests) as temps:
        outputs.insert(0, OutputSpec(str(temps["video"]), maps, opts))
        job = Job(
            inputs=[InputSpec(str(src_path))],
            streams=streams,
            outputs=outputs,
            loglevel="info" if aprof is not None else "error",
        )
        res = run_job(
            job,
            duration=duration,
            progress_cb=scaled(0.1 if aprof else 0.0, 0.95),
            should_cancel=should_cancel,
            timeout=timeout,
        )
        meters = parse_ebur128_summaries(res.stderr) if aprof is not None else {}
        if want_poster:
            run_job(
                poster_job(temps["video"], temps["poster"], profile, duration),
                should_cancel=should_cancel,
                timeout=120.0,
            )
        size = temps["video"].stat().st_size
        out_duration = _duration_of(temps["video"])
    if progress_cb is not None:
        progress_cb(1.0)
    warnings = list(info.warnings) + (list(plan.warnings) if plan else [])
    return RenditionResult(
        profile=profile.name,
        path=str(dest_path),
        size=size,
        duration=out_duration,
        gain_db=plan.gain_db if plan else None,
        input_loudness=plan.reported_input if plan else None,
        output_loudness=meters.get("ebur128@o0"),
        warnings=tuple(warnings),
        poster_path=str(dests["poster"]) if want_poster else None,
    )


#: Frames the poster is chosen among (2 s at 25 fps): ffmpeg's ``thumbnail`` filter keeps the
#: one closest to their average colour histogram, so a fade, a flash or a cut is not chosen.
POSTER_CANDIDATE_FRAMES = 50


def poster_job(video: Path, dest: Path, profile: VideoProfile, duration: float | None) -> Job:
    """A JPEG poster from the finished rendition (its exact frame size): the most
    representative of the frames from ``poster_at`` of the duration on (a short clip gives
    fewer candidates; ``thumbnail`` then picks among those it has)."""
    at = max(0.0, (duration or 0.0) * profile.poster_at)
    return Job(
        inputs=[InputSpec(str(video), {"ss": f"{at:.3f}"})],
        streams=[
            StreamSpec(
                "poster",
                "video",
                InputRef(0, "v:0"),
                (flt("thumbnail", n=POSTER_CANDIDATE_FRAMES),),
            )
        ],
        outputs=[
            OutputSpec(
                str(dest),
                ["poster"],
                {"frames:v": 1, "q:v": 3, "f": "image2", "update": 1},
            )
        ],
    )


def _scale_rate(rate: str, factor: float) -> str:
    r = rate.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(r[-1:], 1)
    num = float(r[:-1]) if r[-1:] in ("k", "m") else float(r)
    return str(int(num * mult * factor))
