"""Audio renditions: one measurement decode, then one encode run for all profiles.

``render_audio`` measures the source once (:func:`media_pipeline.loudness.plan_gains`: the
master metered whole, plus a short limiter probe over excerpts when the limiter will work or
a chain changes the samples), then runs ffmpeg once with the decoded audio ``asplit`` into one
branch per distinct pre-processing chain and one per profile (gain, limiter, encoder).
Outputs whose loudness follows from the measurements (limiter idle, or measured taking little
on the excerpts) are computed (:meth:`~media_pipeline.loudness.GainPlan.predicted_output`);
the others get an ``ebur128`` meter in their own branch reading I, LRA and the sample peak
(:meth:`~media_pipeline.loudness.GainPlan.metered_output`). With ``max_parallel > 1`` (default
1, see :func:`default_parallelism`) the encode is spread over several concurrent ffmpeg
processes (each decodes the master again) to shorten one job's wall time at some CPU cost.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .atomic import atomic_outputs
from .errors import PipelineError
from .ffmpeg_adapter import (
    CancelCheck,
    InputRef,
    InputSpec,
    Job,
    OutputSpec,
    ProgressCallback,
    Scalar,
    StreamSpec,
    flt,
    run_ffprobe,
    run_job,
)
from .loudness import (
    MAX_GAIN_DB,
    SILENCE_LUFS,
    GainPlan,
    LoudnessStats,
    gain_chain,
    output_meter,
    parse_ebur128_summaries,
    plan_gains,
)
from .probe import MediaInfo, probe
from .profiles import DEFAULT_PROFILES, AudioProfile, Profile

#: a corrective re-encode happens when the in-line output misses the target by more than
#: this fraction of the profile tolerance (should be rare: the limiter probe pre-compensates)
RETRY_FRACTION = 0.6
_MAX_TAG_CHARS = 1024
#: Line breaks, C0/C1 controls, DEL, bidi embedding/override/isolate/mark controls: none of
#: them belongs in a one-line tag a player shows (a title with CR/LF, NUL or U+202E).
_TAG_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)
_TAG_KEY = re.compile(r"[^A-Za-z0-9_]")


def tag_text(value: str, limit: int = _MAX_TAG_CHARS) -> str:
    """The text of an ID3 tag (``ffmpeg -metadata``): NFC, one line, control characters
    stripped (line breaks become spaces), at most ``limit`` characters."""
    text = _TAG_CONTROLS.sub(
        lambda m: " " if m.group(0) in "\r\n\x0b\x0c\x85\u2028\u2029" else "",
        unicodedata.normalize("NFC", value),
    )
    return re.sub(r"\s+", " ", text).strip()[:limit]


@dataclass(frozen=True)
class AudioTags:
    """Tags written into renditions that support them (ID3v2.4 for MP3).

    ``language`` is an ISO 639-2 code ("vie", "khm", "cjm"); ``item_id`` identifies the
    package / content item and is stored in a ``TXXX`` frame.
    """

    title: str = ""
    language: str = ""
    item_id: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def items(self) -> list[tuple[str, str]]:
        pairs = [("title", self.title), ("language", self.language), ("item_id", self.item_id)]
        pairs += [(_TAG_KEY.sub("_", k), v) for k, v in self.extra.items() if _TAG_KEY.sub("", k)]
        cleaned = [(k, tag_text(v)) for k, v in pairs]
        return [(k, v) for k, v in cleaned if v]


@dataclass(frozen=True)
class RenditionResult:
    profile: str
    path: str
    size: int
    duration: float | None
    gain_db: float | None = None
    input_loudness: LoudnessStats | None = None
    output_loudness: LoudnessStats | None = None
    levelled: bool = False
    warnings: tuple[str, ...] = ()
    poster_path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "path": self.path,
            "size": self.size,
            "duration": self.duration,
            "gain_db": self.gain_db,
            "input_loudness": self.input_loudness.as_dict() if self.input_loudness else None,
            "output_loudness": self.output_loudness.as_dict() if self.output_loudness else None,
            "levelled": self.levelled,
            "warnings": list(self.warnings),
            "poster_path": self.poster_path,
        }


def encoder_options(profile: AudioProfile) -> dict[str, Scalar | None]:
    opts: dict[str, Scalar | None] = {
        "c:a": profile.codec,
        "ar": profile.sample_rate,
        "f": profile.container,
        "map_chapters": -1,
    }
    if profile.bitrate:
        opts["b:a"] = profile.bitrate
    if profile.container == "mp3":
        opts["id3v2_version"] = 4
        opts["write_id3v1"] = 0
    if profile.container in ("ipod", "mp4", "mov"):
        opts["movflags"] = "+faststart"
    if profile.container == "wav":
        opts["rf64"] = "auto"
    opts.update(dict(profile.encoder_options))
    return opts


def output_format_filters(profile: AudioProfile) -> list[Any]:
    """Final sample-format step; 16-bit PCM gets triangular dither instead of truncation."""
    if profile.codec == "pcm_s16le":
        return [flt("aresample", osf="s16", dither_method="triangular")]
    return []


def default_parallelism() -> int:
    """Concurrent encode processes per job: ``MEDIA_PIPELINE_PARALLEL``, default 1.

    ffmpeg runs an audio filter graph and its encoders on one thread, so one process uses
    one core. A second process (encode groups split by cost) shortens one job's wall time
    but decodes the master again and pays ffmpeg's start-up once more; a worker farm is
    CPU-bound and already runs jobs side by side, so the default is one process.
    ``benchmarks/media_audio.py --parallel 2`` measures the other setting.
    """
    env = os.environ.get("MEDIA_PIPELINE_PARALLEL")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return 1


def _check_dest(src: Path, dest: Path) -> None:
    try:
        same = dest.exists() and os.path.samefile(src, dest)
    except OSError:
        same = False
    if same or src.resolve() == dest.resolve():
        raise PipelineError("invalid_argument", "a rendition may never overwrite its master")


def _resolve_profiles(
    names: Sequence[str], profiles: Mapping[str, Profile] | None
) -> dict[str, AudioProfile]:
    table = DEFAULT_PROFILES if profiles is None else profiles
    out: dict[str, AudioProfile] = {}
    for n in names:
        p = table.get(n)
        if not isinstance(p, AudioProfile):
            raise PipelineError("invalid_argument", f"{n!r} is not an audio profile")
        out[n] = p
    return out


def _cost(p: AudioProfile) -> float:
    return {"aac": 3.0, "libmp3lame": 2.0, "libopus": 2.5}.get(p.codec, 0.5)


def _groups(names: Sequence[str], profiles: Mapping[str, AudioProfile], n: int) -> list[list[str]]:
    n = max(1, min(n, len(names)))
    groups: list[list[str]] = [[] for _ in range(n)]
    load = [0.0] * n
    for name in sorted(names, key=lambda x: -_cost(profiles[x])):
        i = load.index(min(load))
        groups[i].append(name)
        load[i] += _cost(profiles[name])
    return [g for g in groups if g]


def _encode_job(
    src: str,
    dests: Mapping[str, Path],
    profiles: Mapping[str, AudioProfile],
    plans: Mapping[str, GainPlan],
    names: Sequence[str],
    tags: Sequence[tuple[str, str]],
    stream: int,
) -> Job:
    inputs = [InputSpec(src)]
    streams: list[StreamSpec] = []
    outputs: list[OutputSpec] = []
    # outputs whose pre-processing is the same (broadcast and web_audio of a stereo master)
    # share one run of it
    chain_streams: dict[tuple[str, ...], str] = {}
    chain_of: dict[str, str] = {}
    for name in names:
        chain = plans[name].chain
        key = tuple(f.render() for f in chain)
        if key not in chain_streams:
            chain_streams[key] = f"c{len(chain_streams)}"
            streams.append(
                StreamSpec(chain_streams[key], "audio", InputRef(0, f"a:{stream}"), chain)
            )
        chain_of[name] = chain_streams[key]
    for i, name in enumerate(names):
        p = profiles[name]
        # an output whose loudness cannot be derived is metered in-line, after the limiter
        # (``ebur128`` passes the audio on unchanged, in the limiter's sample format)
        meter = () if plans[name].output_derived else (output_meter(f"o{i}", p),)
        streams.append(
            StreamSpec(
                name=f"r{i}",
                kind="audio",
                source=chain_of[name],
                filters=(
                    *gain_chain(plans[name].gain_db, p),
                    *meter,
                    *output_format_filters(p),
                ),
            )
        )
        opts = encoder_options(p)
        opts["map_metadata"] = -1  # never copy the master's tags
        if p.id3_tags:
            # "-metadata:g:<n>": the index after "g" is ignored by ffmpeg; it only makes the
            # option names unique. Values travel as separate argv entries (no escaping).
            for j, (k, v) in enumerate(tags):
                opts[f"metadata:g:{j}"] = f"{k}={v}"
        outputs.append(OutputSpec(str(dests[name]), [f"r{i}"], opts))
    metered = any(not plans[n].output_derived for n in names)
    return Job(
        inputs=inputs, streams=streams, outputs=outputs, loglevel="info" if metered else "error"
    )


def _run_groups(
    jobs: Sequence[tuple[list[str], Job]],
    *,
    duration: float | None,
    progress_cb: ProgressCallback | None,
    should_cancel: CancelCheck | None,
    timeout: float | None,
) -> dict[str, LoudnessStats]:
    """Run encode jobs (concurrently when more than one) and collect in-line meters."""
    stop = threading.Event()
    lock = threading.Lock()
    fractions = [0.0] * len(jobs)
    results: dict[str, LoudnessStats] = {}
    errors: list[BaseException] = []

    def cancel() -> bool:
        return stop.is_set() or (should_cancel is not None and should_cancel())

    def worker(idx: int, names: list[str], job: Job) -> None:
        def cb(x: float) -> None:
            with lock:
                fractions[idx] = x
                total = sum(fractions) / len(fractions)
            if progress_cb is not None:
                progress_cb(total)

        try:
            res = run_job(
                job, duration=duration, progress_cb=cb, should_cancel=cancel, timeout=timeout
            )
            meters = parse_ebur128_summaries(res.stderr)
            with lock:
                for i, name in enumerate(names):
                    if f"ebur128@o{i}" in meters:
                        results[name] = meters[f"ebur128@o{i}"]
        except BaseException as exc:
            with lock:
                errors.append(exc)
            stop.set()

    if len(jobs) == 1:
        worker(0, *jobs[0])
    else:
        threads = [
            threading.Thread(target=worker, args=(i, names, job), daemon=True)
            for i, (names, job) in enumerate(jobs)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if errors:
        # a user cancel wins over the "cancelled" we caused in sibling jobs
        primary = next(
            (e for e in errors if not (isinstance(e, PipelineError) and e.code == "cancelled")),
            errors[0],
        )
        raise primary
    return results


def _needs_retry(p: AudioProfile, out: LoudnessStats | None, plan: GainPlan) -> float | None:
    """Gain correction for a rendition that missed its target, or ``None``."""
    if (
        out is None
        or plan.gain_input.integrated_lufs <= SILENCE_LUFS
        or plan.gain_db >= MAX_GAIN_DB
    ):
        return None
    err = p.target_lufs - out.integrated_lufs
    if abs(err) > RETRY_FRACTION * p.tolerance_lu:
        return err
    return None


def render_audio(
    src: str | os.PathLike[str],
    outputs: Mapping[str, str | os.PathLike[str]],
    profiles: Mapping[str, Profile] | None = None,
    *,
    tags: AudioTags | None = None,
    progress_cb: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    timeout: float | None = None,
    info: MediaInfo | None = None,
    max_parallel: int | None = None,
) -> dict[str, RenditionResult]:
    """Render audio renditions of ``src``: ``outputs`` maps profile name -> destination path.

    ``profiles`` defaults to :data:`DEFAULT_PROFILES`. Each destination is written atomically
    (all or nothing); the master is only read. ``progress_cb`` receives 0..1;
    ``should_cancel`` is polled while ffmpeg runs. ``timeout`` applies to each ffmpeg run
    (default: 60 s + 2x the duration). Raises :class:`PipelineError` (``no_audio`` for a
    source without sound).
    """
    src_path = Path(src)
    if not outputs:
        return {}
    if info is None:
        info = probe(src_path)
    if info.audio is None:
        raise PipelineError(
            "no_audio", "the file has no audio stream, so no audio rendition can be made"
        )
    audio = info.audio
    names = list(outputs)
    profs = _resolve_profiles(names, profiles)
    dests = {n: Path(outputs[n]) for n in names}
    for d in dests.values():
        _check_dest(src_path, d)
    duration = info.duration
    if timeout is None:
        timeout = 60.0 + 2.0 * (duration or 3600.0)
    stream_index = 0  # first audio stream
    if max_parallel is None:
        max_parallel = default_parallelism()

    def scaled(lo: float, hi: float) -> ProgressCallback:
        def cb(x: float) -> None:
            if progress_cb is not None:
                progress_cb(lo + (hi - lo) * max(0.0, min(1.0, x)))

        return cb

    plans = plan_gains(
        str(src_path),
        profs,
        audio,
        duration=duration,
        stream=stream_index,
        progress_cb=scaled(0.0, 0.3),
        should_cancel=should_cancel,
        timeout=timeout,
    )
    tag_items = tags.items() if tags is not None else []
    meta = tag_items
    with atomic_outputs(dests) as temps:
        jobs = [
            (g, _encode_job(str(src_path), temps, profs, plans, g, meta, stream_index))
            for g in _groups(names, profs, max_parallel)
        ]
        meters = _run_groups(
            jobs,
            duration=duration,
            progress_cb=scaled(0.3, 0.95),
            should_cancel=should_cancel,
            timeout=timeout,
        )
        extra_warnings: dict[str, list[str]] = {n: [] for n in names}
        for name in names:
            fix = _needs_retry(profs[name], meters.get(name), plans[name])
            if fix is None:
                continue
            plans[name] = replace(plans[name], gain_db=round(plans[name].gain_db + fix, 2))
            job = _encode_job(str(src_path), temps, profs, plans, [name], meta, stream_index)
            meters.update(
                _run_groups(
                    [([name], job)],
                    duration=duration,
                    progress_cb=None,
                    should_cancel=should_cancel,
                    timeout=timeout,
                )
            )
            extra_warnings[name].append(f"re-encoded once with {fix:+.1f} dB correction")
        sizes = {n: temps[n].stat().st_size for n in names}
    if progress_cb is not None:
        progress_cb(1.0)
    output_duration = _output_duration(info)
    results: dict[str, RenditionResult] = {}
    for name in names:
        p, plan = profs[name], plans[name]
        if plan.output_derived:
            out: LoudnessStats | None = plan.predicted_output()
        else:
            meter = meters.get(name)
            out = None if meter is None else plan.metered_output(meter)
        warnings = [*info.warnings, *plan.warnings, *extra_warnings[name]]
        if out is not None and out.lra_lu > (p.max_lra_lu or 1e9):
            warnings.append(f"loudness range {out.lra_lu:.1f} LU above {p.max_lra_lu} LU")
        results[name] = RenditionResult(
            profile=name,
            path=str(dests[name]),
            size=sizes[name],
            duration=output_duration,
            gain_db=plan.gain_db,
            input_loudness=plan.reported_input,
            output_loudness=out,
            levelled=plan.levelled,
            warnings=tuple(warnings),
        )
    return results


def _output_duration(info: MediaInfo) -> float | None:
    """How long every audio rendition of ``info`` lasts: as long as the master's audio.

    Every chain keeps the number of seconds (resampling changes the rate, not the length;
    the limiter compensates its look-ahead), so no ffprobe is run per output. A master whose
    duration the probe corrected (``declared_duration``) uses the corrected figure."""
    if info.audio is None:
        raise PipelineError("no_audio", "the file has no audio stream")
    if info.declared_duration is not None or info.audio.duration is None:
        return info.duration
    return info.audio.duration


def _duration_of(path: Path) -> float | None:
    try:
        data = run_ffprobe(str(path)).data
    except PipelineError:
        return None
    raw = (data.get("format") or {}).get("duration")
    try:
        return float(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None
