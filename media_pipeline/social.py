"""Versions for social platforms and messaging apps (issue 18: 2).

* :func:`render_social`: a 9:16 or 1:1 H.264/AAC video of the editor's cut (in/out points):
  the whole picture scaled to fit inside the frame over a blurred, darkened copy of itself
  (or a plain colour), subtitles in the version's language burned inside the platform's safe
  area (cues before the in point dropped, the rest shifted to the cut's start).
* :func:`render_audiogram`: a radio segment as a video: the waveform of its audio over a
  plain background, the item's title at the top, subtitles (if any) at the bottom.

Both take the audio of the cut into a temporary PCM file first, so that loudness is measured
and normalised on exactly what is published, with the same functions as every other
rendition (:func:`media_pipeline.loudness.plan_gains`). Fonts are the board renditions'
(the Noto font for the subtitles' script, shaped with HarfBuzz: Khmer coeng, Cham).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
from .loudness import GainPlan, ebur128, parse_ebur128_summaries, plan_gains
from .probe import MediaInfo, probe
from .profiles import AudiogramProfile, AudioProfile, SocialVideoProfile, bitrate_bps
from .subtitles import Cue, _ass_text, _ass_time, ass_script, cut_cues, parse_srt
from .video import DEINTERLACE, audio_profile_for, fit_filters, scaled_progress

SocialProfile = SocialVideoProfile | AudiogramProfile


@dataclass(frozen=True)
class Cut:
    """The part of the master a social version is made of, in seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def plan_cut(
    duration: float | None, cut_in: float | None, cut_out: float | None, max_duration: float
) -> tuple[Cut, list[str]]:
    """The cut for ``[cut_in, cut_out]`` (the whole master when unset), shortened to the
    platform limit ``max_duration`` (with a ``cut_shortened`` warning)."""
    if not duration or duration <= 0:
        raise PipelineError("invalid_argument", "the master's duration is unknown")
    start = float(cut_in or 0.0)
    end = duration if cut_out is None else min(float(cut_out), duration)
    if start < 0 or end - start < 0.1:
        raise PipelineError(
            "invalid_argument", f"empty cut: in {start:.3f} s, out {end:.3f} s of {duration:.3f} s"
        )
    warnings: list[str] = []
    if end - start > max_duration:
        end = start + max_duration
        warnings.append(f"cut_shortened: the cut is limited to {max_duration:.0f} s")
    return Cut(round(start, 3), round(end, 3)), warnings


def safe_box(profile: SocialProfile) -> tuple[int, int, int, int]:
    """The safe area as ``(left, top, right, bottom)`` pixel edges of the frame."""
    w, h = profile.width, profile.height
    side = round(w * profile.safe_side)
    return side, round(h * profile.safe_top), w - side, h - round(h * profile.safe_bottom)


def _font_for(text: str) -> tuple[str, str]:
    script = detect_script(text)
    return SCRIPT_FONT_NAMES[script], str(Path(find_font(script)).parent)


def safe_area_ass(
    cues: list[Cue], profile: SocialProfile, *, title: str = "", title_until: float = 0.0
) -> tuple[str, str]:
    """``(ASS document, fonts dir)``: subtitles bottom-centred on the safe area's lower edge,
    the title (audiograms) top-centred on its upper edge, both wrapped inside its sides."""
    w, h = profile.width, profile.height
    left, top, right, bottom = safe_box(profile)
    size = max(12, round(w * profile.font_scale))
    outline = max(2, round(size / 14))
    pad = round(size * 0.25)  # the outline and descenders stay inside the box too
    body_text = " ".join(c.text for c in cues)
    font, fonts_dir = _font_for(body_text or title or "a")
    title_font = _font_for(title)[0] if title else font

    def style(name: str, fontname: str, fsize: int, bold: int, align: int, margin_v: int) -> str:
        return (
            f"Style: {name},{fontname.replace(',', ' ')},{fsize},&H00FFFFFF,&H00FFFFFF,"
            f"&H00000000,&H99000000,{bold},0,0,0,100,100,0,0,1,{outline},1,{align},"
            f"{left + pad},{w - right + pad},{margin_v}\n"
        )

    head = ass_script(
        w,
        h,
        style("Default", font, size, 0, 2, h - bottom + pad)
        + style("Title", title_font, round(size * 1.1), 1, 8, top + pad),
    )
    events = [
        f"Dialogue: 0,{_ass_time(c.start)},{_ass_time(c.end)},Default,,0,0,0,,{_ass_text(c.text)}"
        for c in cues
    ]
    if title:
        events.insert(
            0,
            f"Dialogue: 1,{_ass_time(0)},{_ass_time(title_until)},Title,,0,0,0,,{_ass_text(title)}",
        )
    return head + "\n".join(events) + "\n", fonts_dir


def _subtitle_cues(path: str | os.PathLike[str] | None, cut: Cut) -> list[Cue]:
    if path is None:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise PipelineError("invalid_argument", f"cannot read subtitles: {exc}") from exc
    return cut_cues(parse_srt(text), cut.start, cut.end)


def _ass_filter(
    tmp: Path, cues: list[Cue], profile: SocialProfile, title: str, cut: Cut
) -> FilterSpec | None:
    if not (cues or title) or not profile.burn_subtitles:
        return None
    document, fonts_dir = safe_area_ass(cues, profile, title=title, title_until=cut.duration)
    ass_path = tmp / "subtitles.ass"
    ass_path.write_text(document, encoding="utf-8")
    return flt("ass", filename=str(ass_path), fontsdir=fonts_dir, shaping="complex")


def _cut_audio(
    src: Path,
    cut: Cut,
    profile: SocialProfile,
    tmp: Path,
    progress: ProgressCallback,
    should_cancel: CancelCheck | None,
    timeout: float,
) -> tuple[Path, AudioProfile, GainPlan]:
    """The cut's audio as PCM, and the gain plan measured on it."""
    wav = tmp / "cut.wav"
    run_job(
        Job(
            inputs=[InputSpec(str(src), _seek(cut))],
            streams=[],
            outputs=[OutputSpec(str(wav), [InputRef(0, "a:0")], {"c:a": "pcm_s24le", "f": "wav"})],
        ),
        should_cancel=should_cancel,
        timeout=timeout,
    )
    winfo = probe(wav)
    if winfo.audio is None:  # pragma: no cover - the source had audio
        raise PipelineError("no_audio", "the cut has no audio")
    aprof = audio_profile_for(profile)
    gain = plan_gains(
        str(wav),
        {aprof.name: aprof},
        winfo.audio,
        duration=cut.duration,
        progress_cb=progress,
        should_cancel=should_cancel,
        timeout=timeout,
    )[aprof.name]
    return wav, aprof, gain


def _seek(cut: Cut) -> dict[str, Scalar | None]:
    return {"ss": f"{cut.start:.3f}", "t": f"{cut.duration:.3f}"}


def _encoder_options(profile: SocialProfile, cut: Cut) -> dict[str, Scalar | None]:
    cap = bitrate_bps(profile.max_video_bitrate)
    opts: dict[str, Scalar | None] = {
        "c:v": profile.codec,
        "profile:v": profile.h264_profile,
        "preset": profile.preset,
        "b:v": profile.video_bitrate,
        "maxrate": cap,
        "bufsize": cap,  # one second of VBV: the cap holds over any second
        "g": max(1, round(profile.fps * profile.gop_seconds)),
        "pix_fmt": profile.pix_fmt,
        "c:a": "aac",
        "b:a": profile.audio_bitrate,
        "ar": profile.audio_sample_rate,
        "aac_coder": "fast",
        "t": f"{cut.duration:.3f}",
        "map_metadata": -1,
        "map_chapters": -1,
        "f": "mp4",
    }
    if profile.faststart:
        opts["movflags"] = "+faststart"
    return opts


def _picture_streams(
    profile: SocialVideoProfile, info: MediaInfo, subs: FilterSpec | None
) -> list[StreamSpec]:
    if info.video is None:
        raise PipelineError("no_video", "the file has no video stream")
    v = info.video
    w, h = profile.width, profile.height
    display = (v.display_width, v.display_height)
    streams: list[StreamSpec] = []
    src: InputRef | str = InputRef(0, "v:0")
    if v.interlaced:
        streams.append(StreamSpec("src", "video", src, (DEINTERLACE,)))
        src = "src"
    tail = [
        flt("fps", fps=profile.fps),
        # the last frame held a little: the output's -t then ends the cut on a whole frame
        # (a 30 fps source converted to 25 fps would otherwise lose the cut's last frame)
        flt("tpad", stop_mode="clone", stop_duration=f"{2 / profile.fps:.3f}"),
        *([subs] if subs else []),
        flt("format", pix_fmts=profile.pix_fmt),
    ]
    if profile.background == "plain":
        fitted = fit_filters(display, (w, h), profile.pad_color)
        streams.append(StreamSpec("v", "video", src, (*fitted, *tail)))
        return streams
    # blurred background: the picture covering the frame, shrunk, blurred, darkened, enlarged
    bw, bh = max(16, w // 8 // 2 * 2), max(16, h // 8 // 2 * 2)
    streams += [
        StreamSpec(
            "bg",
            "video",
            src,
            (
                flt("scale", w=bw, h=bh, force_original_aspect_ratio="increase"),
                flt("crop", w=bw, h=bh),
                flt("boxblur", luma_radius=max(2, min(bw, bh) // 10), luma_power=2),
                flt("eq", brightness=-0.12, saturation=0.8),
                flt("scale", w=w, h=h, flags="bicubic"),
                flt("setsar", sar="1"),
            ),
        ),
        StreamSpec("fg", "video", src, fit_filters(display, (w, h), None)),
        StreamSpec(
            "v",
            "video",
            "bg",
            (flt("overlay", x="(W-w)/2", y="(H-h)/2"), *tail),
            extra_sources=("fg",),
        ),
    ]
    return streams


@dataclass(frozen=True)
class _Render:
    """What both renderings start from: the checked paths, the probe, the cut, the
    temporary folder and the burned-in subtitles (``None`` when there are none)."""

    src: Path
    dest: Path
    info: MediaInfo
    cut: Cut
    warnings: tuple[str, ...]
    timeout: float
    scaled: Callable[[float, float], ProgressCallback]
    tmp: Path
    subs: FilterSpec | None


@contextmanager
def _rendering(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    profile: SocialProfile,
    *,
    needs: str,
    title: str,
    cut_in: float | None,
    cut_out: float | None,
    subtitles_path: str | os.PathLike[str] | None,
    progress_cb: ProgressCallback | None,
    timeout: float | None,
    info: MediaInfo | None,
) -> Iterator[_Render]:
    """Check the paths, probe ``src`` (it must have a ``needs`` stream: ``video`` or
    ``audio``), plan the cut and write its subtitles into a temporary folder."""
    src_path, dest_path = Path(src), Path(dest)
    _check_dest(src_path, dest_path)
    info = info or probe(src_path)
    if getattr(info, needs) is None:
        raise PipelineError(f"no_{needs}", f"the file has no {needs} stream")
    cut, warnings = plan_cut(info.duration, cut_in, cut_out, profile.max_duration_s)
    timeout = timeout or 120.0 + 20.0 * cut.duration
    scaled = scaled_progress(progress_cb)
    prefix = "social-" if needs == "video" else "audiogram-"
    with tempfile.TemporaryDirectory(prefix=prefix) as tmpdir:
        tmp = Path(tmpdir)
        subs = _ass_filter(tmp, _subtitle_cues(subtitles_path, cut), profile, title, cut)
        yield _Render(
            src_path, dest_path, info, cut, tuple(info.warnings) + tuple(warnings), timeout,
            scaled, tmp, subs,
        )  # fmt: skip


def render_social(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    profile: SocialVideoProfile,
    *,
    cut_in: float | None = None,
    cut_out: float | None = None,
    subtitles_path: str | os.PathLike[str] | None = None,
    progress_cb: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    timeout: float | None = None,
    info: MediaInfo | None = None,
) -> RenditionResult:
    """Render the social version of the cut ``[cut_in, cut_out]`` of ``src`` (atomically).

    A source without audio gets a silent AAC track (some apps refuse video-only files)."""
    with _rendering(
        src, dest, profile, needs="video", title="", cut_in=cut_in, cut_out=cut_out,
        subtitles_path=subtitles_path, progress_cb=progress_cb, timeout=timeout, info=info,
    ) as r:  # fmt: skip
        cut = r.cut
        streams = _picture_streams(profile, r.info, r.subs)
        inputs = [InputSpec(str(r.src), _seek(cut))]
        gain: GainPlan | None = None
        outputs: list[OutputSpec] = []
        if r.info.audio is not None:
            wav, aprof, gain = _cut_audio(
                r.src, cut, profile, r.tmp, r.scaled(0.0, 0.15), should_cancel, r.timeout
            )
            inputs.append(InputSpec(str(wav)))
            streams += [
                StreamSpec("a", "audio", InputRef(1, "a:0"), gain.filters(aprof)),
                StreamSpec("am", "audio", "a", (ebur128("o0", peak=True, dual_mono=False),)),
            ]
            audio: str | InputRef = "a"
            outputs.append(OutputSpec("-", ["am"], {"f": "null"}))
        else:
            inputs.append(
                InputSpec(
                    f"anullsrc=r={profile.audio_sample_rate}:cl=stereo",
                    {"f": "lavfi", "t": f"{cut.duration:.3f}"},
                )
            )
            audio = InputRef(1, "a:0")
        return _encode(profile, r, inputs, streams, ["v", audio], outputs, gain, should_cancel)


def render_audiogram(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    profile: AudiogramProfile,
    *,
    title: str = "",
    cut_in: float | None = None,
    cut_out: float | None = None,
    subtitles_path: str | os.PathLike[str] | None = None,
    progress_cb: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    timeout: float | None = None,
    info: MediaInfo | None = None,
) -> RenditionResult:
    """Render an audiogram of the cut of ``src``: waveform, title and subtitles over a plain
    background, with the cut's audio normalised as the web renditions are."""
    w, h = profile.width, profile.height
    left, _top, right, _bottom = safe_box(profile)
    wave_w, wave_h = (right - left) // 2 * 2, round(h * profile.wave_height) // 2 * 2
    with _rendering(
        src, dest, profile, needs="audio", title=title.strip(), cut_in=cut_in, cut_out=cut_out,
        subtitles_path=subtitles_path, progress_cb=progress_cb, timeout=timeout, info=info,
    ) as r:  # fmt: skip
        cut = r.cut
        wav, aprof, gain = _cut_audio(
            r.src, cut, profile, r.tmp, r.scaled(0.0, 0.15), should_cancel, r.timeout
        )
        colour = "0x" + profile.background_color.lstrip("#")
        inputs = [
            InputSpec(str(wav)),
            InputSpec(
                f"color=c={colour}:s={w}x{h}:r={profile.fps}:d={cut.duration:.3f}",
                {"f": "lavfi"},
            ),
        ]
        streams = [
            StreamSpec("a", "audio", InputRef(0, "a:0"), gain.filters(aprof)),
            StreamSpec("am", "audio", "a", (ebur128("o0", peak=True, dual_mono=False),)),
            StreamSpec(
                "wave",
                "video",
                "a",
                (
                    flt("volume", volume=4.0),  # drawn larger; the published audio is "a"
                    flt(
                        "showwaves",
                        s=f"{wave_w}x{wave_h}",
                        mode="cline",
                        rate=profile.fps,
                        scale="sqrt",
                        draw="full",
                        colors="0x" + profile.wave_color.lstrip("#"),
                    ),
                ),
            ),
            StreamSpec(
                "v",
                "video",
                InputRef(1, "v:0"),
                (
                    flt("overlay", x="(W-w)/2", y="(H-h)/2", shortest=1),
                    *([r.subs] if r.subs else []),
                    flt("format", pix_fmts=profile.pix_fmt),
                ),
                extra_sources=("wave",),
            ),
        ]
        meter = OutputSpec("-", ["am"], {"f": "null"})
        return _encode(profile, r, inputs, streams, ["v", "a"], [meter], gain, should_cancel)


def _encode(
    profile: SocialProfile,
    r: _Render,
    inputs: list[InputSpec],
    streams: list[StreamSpec],
    maps: list[str | InputRef],
    meters: list[OutputSpec],
    gain: GainPlan | None,
    should_cancel: CancelCheck | None,
) -> RenditionResult:
    cut, progress = r.cut, r.scaled(0.15, 0.98)
    with atomic_outputs({"video": r.dest}) as temps:
        job = Job(
            inputs=inputs,
            streams=streams,
            outputs=[
                OutputSpec(str(temps["video"]), maps, _encoder_options(profile, cut)),
                *meters,
            ],
            loglevel="info" if gain is not None else "error",
        )
        res = run_job(
            job,
            duration=cut.duration,
            progress_cb=progress,
            should_cancel=should_cancel,
            timeout=r.timeout,
        )
        size = temps["video"].stat().st_size
        if size > profile.max_size_bytes:
            raise PipelineError(
                "ffmpeg_failed",
                f"{size} bytes is over the platform limit of {profile.max_size_bytes}",
            )
        out_duration = _duration_of(temps["video"])
    progress(1.0)
    output = parse_ebur128_summaries(res.stderr).get("ebur128@o0") if gain is not None else None
    return RenditionResult(
        profile=profile.name,
        path=str(r.dest),
        size=size,
        duration=out_duration,
        gain_db=gain.gain_db if gain else None,
        input_loudness=gain.reported_input if gain else None,
        output_loudness=output,
        warnings=r.warnings + (tuple(gain.warnings) if gain else ()),
    )
