"""Loudness measurement (ffmpeg ``ebur128``) and gain planning.

Strategy (measure once, then linear gain + limiter; ffmpeg's two-pass ``loudnorm`` is ~6x
slower and is not used). The CPU goes to true-peak metering (4x oversampling), so it is done
once per job, on the master; everything else is derived or metered without it.

1. **Measure** -- one decode of the source in one ffmpeg process; the audio is ``asplit``
   into the master itself (``ebur128=peak=sample+true``: I, LRA, true and sample peak) and
   one branch per *distinct* pre-processing chain that changes the samples (channel downmix,
   resampling, band-limiting), metered for I, LRA and the sample peak only. A chain that
   leaves the samples as they are (``broadcast`` / ``web_audio`` of a 48 kHz stereo master)
   shares the master's measurement.
2. **Level** (rare) -- a profile with ``max_lra_lu`` whose measured LRA is too wide gets a
   leveller (``dynaudnorm``, gentle settings) appended to its chain; that chain is measured in
   one more run.
3. **Limiter probe** (only when limiting is predicted, i.e. peak + gain above the limiter
   ceiling) -- one run over excerpts of the source applying gain and limiter and measuring
   the result (``ebur128`` without peak metering, cheap). Limiting lowers integrated
   loudness by up to ~1 LU on peaky speech; the planned gain is corrected by what the probe
   lost, so the encode lands on target in one go.
4. **Encode** happens in :mod:`media_pipeline.audio` / :mod:`media_pipeline.video` with
   ``volume=<gain>dB`` then ``alimiter`` at ``true_peak - limiter_margin_db`` (sample-peak
   limiter; the margin absorbs inter-sample peaks and codec overshoot, tuned per profile).

Output loudness (:class:`GainPlan`):

* **derived** -- the limiter stays idle (peak + gain at least :data:`LIMITER_IDLE_MARGIN_DB`
  under the ceiling, typical for ``broadcast`` at -23 LUFS) and the chain's true peak is
  known: the chain is plain linear gain, so output I = input I + gain, TP = input TP + gain,
  LRA = input LRA (``GainPlan.predicted_output``); nothing is metered.
* **metered** -- the limiter works, or the chain was not true-peak metered (downmixed,
  resampled or band-limited: ``loudspeaker``): the final signal is split off right before the
  encoder into an ``ebur128`` reading I, LRA and the sample peak (no oversampling). The true
  peak is that sample peak plus the chain's inter-sample overshoot (the master's true minus
  sample peak when the chain keeps its rate and bandwidth, else 0;
  ``GainPlan.metered_output``).

Both describe the signal handed to the encoder. PCM outputs are exact; MP3/AAC can move the
true peak by a few tenths of a dB and lose up to ~0.4 LU (MP3 64k) in the codec, which the
per-profile limiter margin and the tolerances cover (the tests measure the encoded files
independently and compare them with the recorded figures).
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .errors import PipelineError
from .ffmpeg_adapter import (
    CancelCheck,
    FilterSpec,
    InputRef,
    InputSpec,
    Job,
    OutputSpec,
    StreamSpec,
    flt,
    run_job,
)
from .probe import AudioStreamInfo
from .profiles import AudioProfile

#: ebur128 reports -70 LUFS (the absolute gate) for silence
SILENCE_LUFS = -69.5
#: never amplify by more than this (a -53 LUFS recording needs +37 dB to reach -16)
MAX_GAIN_DB = 50.0
#: gains (relative to the master's) an estimated chain is limited at on the excerpts
ESTIMATE_GAIN_SPREAD_DB = (-2.0, 0.0, 2.0)
#: how far a limiter probe may move the gain
MAX_LIMITER_COMPENSATION_DB = 3.0
#: the limiter probe reads at most this many evenly spread excerpts of the source ...
PROBE_EXCERPTS = 6
#: ... of this many seconds each (sources up to twice the total are probed whole)
PROBE_EXCERPT_SECONDS = 5.0
#: true peak this far below the limiter ceiling counts as "limiter idle" (ebur128 reports
#: 0.1 dB steps; inter-sample estimates differ slightly between 4x oversamplers)
LIMITER_IDLE_MARGIN_DB = 0.5
#: floating-point sample formats every chain converts to first
FLOAT_FORMATS = "fltp|flt|dblp|dbl"
#: 1/sqrt(2): -3 dB for centre and surrounds in the ITU-R BS.775 downmix
M3DB = 0.7071


@dataclass(frozen=True)
class LoudnessStats:
    integrated_lufs: float
    true_peak_dbtp: float | None
    lra_lu: float
    #: metered only where asked (``ebur128(..., sample_peak=True)``); not part of reports
    sample_peak_dbfs: float | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, float | None]:
        return {
            "integrated_lufs": self.integrated_lufs,
            "true_peak_dbtp": self.true_peak_dbtp,
            "lra_lu": self.lra_lu,
        }


_SUMMARY = re.compile(r"^\[(?P<name>[^\s\]]+) @ [^\]]+\] Summary:\s*$")
_I = re.compile(r"^\s*I:\s*(?P<v>-?(?:inf|nan|[\d.]+))\s*LUFS")
_LRA = re.compile(r"^\s*LRA:\s*(?P<v>-?(?:inf|nan|[\d.]+))\s*LU\b")
_PEAK = re.compile(r"^\s*Peak:\s*(?P<v>-?(?:inf|nan|[\d.]+))\s*dB")


def _num(text: str) -> float:
    v = float(text)
    return v if math.isfinite(v) else (-120.0 if v < 0 else 0.0)


def parse_ebur128_summaries(stderr: str) -> dict[str, LoudnessStats]:
    """Parse every ``ebur128`` summary in an ffmpeg log, keyed by filter instance name.

    Instances are named in the graph (``ebur128@m0``); the summary is logged at ``info`` level
    when the filter is uninitialised, first line prefixed with ``[ebur128@m0 @ 0x...]``. A
    ``Peak:`` line belongs to the ``True peak:`` or ``Sample peak:`` section above it (a
    ``Peak:`` without a section header is read as the true peak).
    """
    out: dict[str, LoudnessStats] = {}
    current: str | None = None
    vals: dict[str, float] = {}
    section = "TP"

    def flush() -> None:
        if current is not None and "I" in vals:
            out[current] = LoudnessStats(
                integrated_lufs=vals["I"],
                true_peak_dbtp=vals.get("TP"),
                lra_lu=vals.get("LRA", 0),
                sample_peak_dbfs=vals.get("SP"),
            )

    for line in stderr.splitlines():
        m = _SUMMARY.match(line)
        if m:
            flush()
            current, vals, section = m.group("name"), {}, "TP"
            continue
        if current is None:
            continue
        if line.startswith("["):
            flush()
            current, vals = None, {}
            continue
        stripped = line.strip()
        if stripped in ("True peak:", "Sample peak:"):
            section = "TP" if stripped.startswith("True") else "SP"
            continue
        for key, rx in (("I", _I), ("LRA", _LRA), (section, _PEAK)):
            mm = rx.match(line)
            if mm and key not in vals:
                vals[key] = _num(mm.group("v"))
    flush()
    return out


def target_channels(profile: AudioProfile, audio: AudioStreamInfo) -> int:
    if profile.channels == "mono":
        return 1
    if profile.channels == "stereo":
        return 2
    return 1 if audio.channels == 1 else 2


def channel_filters(out_channels: int, audio: AudioStreamInfo) -> list[FilterSpec]:
    """Explicit downmix matrices (ITU-R BS.775: centre and surrounds at -3 dB).

    The LFE channel is dropped, as in the ITU downmix: it carries nothing a loudspeaker or
    radio listener needs, and adding it would make the downmix boom. Channel positions follow
    the WAV/ffmpeg order (FL FR FC LFE BL BR [SL SR]); layouts other than mono, stereo, 5.x
    and 7.1 fall back to ffmpeg's default rematrixing (also ITU-based).
    """
    n = audio.channels
    if out_channels == 1:
        if n == 1:
            expr = "mono|c0=c0"
        elif n == 2:
            expr = "mono|c0=0.5*c0+0.5*c1"
        elif n in (5, 6):
            b = (3, 4) if n == 5 else (4, 5)
            c = M3DB / 2
            expr = f"mono|c0=0.5*c0+0.5*c1+{M3DB}*c2+{c:.4f}*c{b[0]}+{c:.4f}*c{b[1]}"
        elif n == 8:
            c = M3DB / 2
            expr = f"mono|c0=0.5*c0+0.5*c1+{M3DB}*c2" + "".join(
                f"+{c:.4f}*c{i}" for i in (4, 5, 6, 7)
            )
        else:
            return [flt("aformat", channel_layouts="mono")]
    else:
        if n == 1:
            expr = "stereo|c0=c0|c1=c0"
        elif n == 2:
            expr = "stereo|c0=c0|c1=c1"
        elif n in (5, 6):
            bl, br = (3, 4) if n == 5 else (4, 5)
            expr = f"stereo|c0=c0+{M3DB}*c2+{M3DB}*c{bl}|c1=c1+{M3DB}*c2+{M3DB}*c{br}"
        elif n == 8:
            expr = f"stereo|c0=c0+{M3DB}*c2+{M3DB}*c4+{M3DB}*c6|c1=c1+{M3DB}*c2+{M3DB}*c5+{M3DB}*c7"
        else:
            return [flt("aformat", channel_layouts="stereo")]
    return [flt("pan", args=expr)]


def pre_chain(profile: AudioProfile, audio: AudioStreamInfo) -> tuple[FilterSpec, ...]:
    """Pre-processing before gain: float samples, downmix, resampling, band-limiting."""
    chain: list[FilterSpec] = [flt("aformat", sample_fmts=FLOAT_FORMATS)]
    chain += channel_filters(target_channels(profile, audio), audio)
    chain.append(
        # soxr is a high-quality resampler (8 kHz phone audio up to 44.1/48 kHz)
        # (precision 20 bits, soxr's "high quality": ~120 dB, beyond any 16-bit output)
        flt("aresample", osr=profile.sample_rate, resampler="soxr", precision=20)
    )
    if profile.highpass_hz:
        chain.append(flt("highpass", f=profile.highpass_hz))
    if profile.lowpass_hz:
        chain.append(flt("lowpass", f=profile.lowpass_hz))
    return tuple(chain)


def leveller() -> FilterSpec:
    """Gentle slow leveller used only when a source's LRA exceeds the profile's maximum."""
    return flt("dynaudnorm", f=250, g=11, p=0.7, m=20)


def limiter_ceiling_db(profile: AudioProfile) -> float:
    return profile.true_peak_dbtp - profile.limiter_margin_db


def gain_chain(gain_db: float, profile: AudioProfile) -> tuple[FilterSpec, ...]:
    """Linear gain followed by a look-ahead limiter (``level=0``: no auto make-up gain)."""
    limit = 10 ** (limiter_ceiling_db(profile) / 20)
    return (
        flt("volume", volume=f"{gain_db:.2f}dB", precision="float"),
        flt("alimiter", limit=f"{limit:.5f}", attack=2, release=30, level=0, latency=1),
    )


def ebur128(name: str, *, peak: bool, dual_mono: bool, sample_peak: bool = False) -> FilterSpec:
    """A named ``ebur128`` meter. ``peak``: true peak (4x oversampled, the costly part);
    ``sample_peak``: the highest sample (nearly free)."""
    opts: dict[str, str | int | float] = {"framelog": "verbose"}
    modes = [m for m, on in (("sample", sample_peak), ("true", peak)) if on]
    if modes:
        opts["peak"] = "+".join(modes)
    if dual_mono:
        opts["dualmono"] = "true"
    return FilterSpec(f"ebur128@{name}", opts)


@dataclass(frozen=True)
class Branch:
    key: str
    filters: tuple[FilterSpec, ...]
    dual_mono: bool
    peak: bool = True
    sample_peak: bool = False


def measure_branches(
    src: str,
    branches: Sequence[Branch],
    *,
    duration: float | None,
    stream: int = 0,
    progress_cb: Callable[[float], None] | None = None,
    should_cancel: CancelCheck | None = None,
    timeout: float | None = None,
    max_parallel: int = 1,
    shared: Sequence[FilterSpec] = (),
) -> dict[str, LoudnessStats]:
    """Measure several processing chains of one source in a single decode.

    ``shared`` filters run once on the decoded source before it is split into the branches.

    With ``max_parallel > 1`` the branches are spread over that many concurrent ffmpeg
    processes (each decodes the source; decoding is cheap next to true-peak metering).
    """
    if max_parallel > 1 and len(branches) > 1:
        groups = [list(branches[i::max_parallel]) for i in range(max_parallel)]
        groups = [g for g in groups if g]
        fractions = [0.0] * len(groups)
        lock = threading.Lock()

        def make_cb(idx: int) -> Callable[[float], None]:
            def cb(x: float) -> None:
                with lock:
                    fractions[idx] = x
                    total = sum(fractions) / len(fractions)
                if progress_cb is not None:
                    progress_cb(total)

            return cb

        results: dict[str, LoudnessStats] = {}
        errors: list[BaseException] = []
        stop = threading.Event()

        def cancel() -> bool:
            return stop.is_set() or (should_cancel is not None and should_cancel())

        def work(idx: int, group: list[Branch]) -> None:
            try:
                res = measure_branches(
                    src,
                    group,
                    duration=duration,
                    stream=stream,
                    progress_cb=make_cb(idx),
                    should_cancel=cancel,
                    timeout=timeout,
                    shared=shared,
                )
                with lock:
                    results.update(res)
            except BaseException as exc:
                with lock:
                    errors.append(exc)
                stop.set()

        threads = [threading.Thread(target=work, args=(i, g)) for i, g in enumerate(groups)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise next(
                (e for e in errors if not (isinstance(e, PipelineError) and e.code == "cancelled")),
                errors[0],
            )
        return results
    streams: list[StreamSpec] = []
    outputs: list[OutputSpec] = []
    names: dict[str, str] = {}
    head: InputRef | str = InputRef(0, f"a:{stream}")
    if shared:
        streams.append(StreamSpec(name="pre", kind="audio", source=head, filters=tuple(shared)))
        head = "pre"
    for i, br in enumerate(branches):
        inst = f"m{i}"
        names[f"ebur128@{inst}"] = br.key
        streams.append(
            StreamSpec(
                name=f"b{i}",
                kind="audio",
                source=head,
                filters=(
                    *br.filters,
                    ebur128(inst, peak=br.peak, dual_mono=br.dual_mono, sample_peak=br.sample_peak),
                ),
            )
        )
        outputs.append(OutputSpec("-", [f"b{i}"], {"f": "null"}))
    job = Job(inputs=[InputSpec(src)], streams=streams, outputs=outputs, loglevel="info")
    res = run_job(
        job,
        duration=duration,
        progress_cb=progress_cb,
        should_cancel=should_cancel,
        timeout=timeout,
    )
    parsed = parse_ebur128_summaries(res.stderr)
    missing = [k for k in names if k not in parsed]
    if missing:
        raise PipelineError("ffmpeg_failed", "loudness measurement produced no summary")
    return {names[k]: v for k, v in parsed.items() if k in names}


def measure_file(
    path: str, *, dual_mono: bool = False, timeout: float | None = 600.0
) -> LoudnessStats:
    """Integrated loudness, true peak and LRA of a whole file's first audio stream."""
    return measure_branches(
        path, [Branch("x", (), dual_mono=dual_mono)], duration=None, timeout=timeout
    )["x"]


@dataclass(frozen=True)
class GainPlan:
    """How one audio rendition is normalised, and how its output loudness is known."""

    profile: str
    chain: tuple[FilterSpec, ...]  # pre-processing (+ leveller)
    gain_db: float
    input_stats: LoudnessStats  # measured after pre-processing, before gain
    levelled: bool
    limiter_ceiling_dbtp: float
    warnings: tuple[str, ...] = ()
    #: after the leveller, when one was needed (the gain is computed from these)
    levelled_stats: LoudnessStats | None = None
    #: the master's own I / TP / LRA (its first audio stream, no processing)
    source_stats: LoudnessStats | None = None
    #: true peak minus sample peak of the chain's signal: the master's when the chain keeps
    #: its sample rate and bandwidth; 0 for a resampled or low-passed chain, whose signal is
    #: then oversampled relative to its bandwidth (see :func:`_peak_overshoot_db`)
    peak_overshoot_db: float = 0.0

    @property
    def reported_input(self) -> LoudnessStats:
        """Input stats for reports: the chain's, with the master's true peak when the chain's
        own was not metered (only one chain per source is true-peak metered)."""
        s = self.input_stats
        if s.true_peak_dbtp is None and self.source_stats is not None:
            return LoudnessStats(s.integrated_lufs, self.source_stats.true_peak_dbtp, s.lra_lu)
        return s

    @property
    def gain_input(self) -> LoudnessStats:
        """What the gain is applied to: the levelled signal when levelled, else the chain's."""
        return self.levelled_stats or self.input_stats

    @property
    def limiter_active(self) -> bool:
        """Whether the limiter can touch the signal (peak + gain near the ceiling).

        ``alimiter`` works on sample peaks; the chain's true peak (at least its sample peak)
        is used when measured, otherwise the limiter counts as active."""
        peak = _limiter_peak(self.gain_input)
        if peak is None:
            return True
        return peak + self.gain_db > self.limiter_ceiling_dbtp - LIMITER_IDLE_MARGIN_DB

    @property
    def output_derived(self) -> bool:
        """Whether the output I / TP / LRA follow exactly from the input measurement: the
        limiter stays idle (the chain after measurement is plain linear gain) and the
        chain's true peak was metered. Otherwise the encode meters the output in-line."""
        return not self.limiter_active and self.gain_input.true_peak_dbtp is not None

    def predicted_output(self) -> LoudnessStats:
        """Exact output stats when the limiter stays idle: the chain is then linear gain."""
        stats = self.gain_input
        tp = None if stats.true_peak_dbtp is None else stats.true_peak_dbtp + self.gain_db
        return LoudnessStats(
            integrated_lufs=round(stats.integrated_lufs + self.gain_db, 1),
            true_peak_dbtp=None if tp is None else round(tp, 1),
            lra_lu=stats.lra_lu,
        )

    def metered_output(self, meter: LoudnessStats) -> LoudnessStats:
        """Output stats from the in-line meter (:func:`output_meter`).

        The meter reads I, LRA and the sample peak; the true peak is the metered sample peak
        plus :attr:`peak_overshoot_db`. The limiter changes the gain slowly next to a sample
        period, so peaks keep the inter-sample overshoot they had before it; this saves a
        4x oversampled meter per limited output (the tests compare with ffmpeg's own
        true-peak meter on the files)."""
        if meter.true_peak_dbtp is not None or meter.sample_peak_dbfs is None:
            return meter
        return LoudnessStats(
            integrated_lufs=meter.integrated_lufs,
            true_peak_dbtp=round(meter.sample_peak_dbfs + self.peak_overshoot_db, 1),
            lra_lu=meter.lra_lu,
            sample_peak_dbfs=meter.sample_peak_dbfs,
        )

    def filters(self, profile: AudioProfile) -> tuple[FilterSpec, ...]:
        return (*self.chain, *gain_chain(self.gain_db, profile))


def output_meter(name: str, profile: AudioProfile) -> FilterSpec:
    """The in-line meter of an output whose loudness cannot be derived: I, LRA and the sample
    peak (see :meth:`GainPlan.metered_output` for the true peak)."""
    return ebur128(name, peak=False, dual_mono=profile.dual_mono, sample_peak=True)


def _peak_overshoot_db(
    profile: AudioProfile, audio: AudioStreamInfo, source_stats: LoudnessStats
) -> float:
    """How far the chain's true peak lies above its sample peak (see
    :attr:`GainPlan.peak_overshoot_db`)."""
    tp, sp = source_stats.true_peak_dbtp, source_stats.sample_peak_dbfs
    if tp is None or sp is None or profile.sample_rate != audio.sample_rate:
        return 0.0
    return 0.0 if profile.lowpass_hz else max(0.0, tp - sp)


def _limiter_peak(stats: LoudnessStats) -> float | None:
    """The peak the limiter reacts to: the true peak when metered, else the sample peak."""
    return stats.true_peak_dbtp if stats.true_peak_dbtp is not None else stats.sample_peak_dbfs


def _base_gain(profile: AudioProfile, stats: LoudnessStats) -> tuple[float, list[str]]:
    warnings: list[str] = []
    if stats.integrated_lufs <= SILENCE_LUFS:
        return 0.0, ["the audio is silent (below the -70 LUFS gate); no gain applied"]
    gain = profile.target_lufs - stats.integrated_lufs
    if gain > MAX_GAIN_DB:
        warnings.append(f"gain limited to +{MAX_GAIN_DB:.0f} dB; the output stays below target")
        gain = MAX_GAIN_DB
    return gain, warnings


def _exact_peak_chain(profile: AudioProfile, audio: AudioStreamInfo) -> bool:
    """Whether a profile's pre-processing leaves the source's samples as they are (same
    channels and rate, no band-limiting), so its measurement is the master's own."""
    return (
        audio.channels in (1, 2)
        and target_channels(profile, audio) == audio.channels
        and profile.sample_rate == audio.sample_rate
        and not profile.highpass_hz
        and not profile.lowpass_hz
    )


def _downmix_peak_bound_db(audio: AudioStreamInfo) -> float:
    """How far a downmix can raise peaks above the source's (sum of the matrix row)."""
    return 0.0 if audio.channels <= 2 else 20 * math.log10(1 + 2 * M3DB + 2 * M3DB / 2)


def excerpt_filters(duration: float | None) -> tuple[FilterSpec, ...]:
    """``aselect`` keeping :data:`PROBE_EXCERPTS` evenly spread excerpts of a long source.

    (Seeking to each excerpt instead costs more CPU: every extra ffmpeg input has a fixed
    cost well above decoding the skipped audio.)"""
    total = PROBE_EXCERPTS * PROBE_EXCERPT_SECONDS
    if duration is None or duration <= 2 * total:
        return ()
    period = duration / PROBE_EXCERPTS
    return (
        flt("aselect", expr=f"lt(mod(t,{period:.3f}),{PROBE_EXCERPT_SECONDS:g})"),
        flt("asetpts", expr="N/SR/TB"),
    )


def _energy_mean_lufs(values: Sequence[float]) -> float:
    """Loudness of equally long excerpts taken together (silent ones left out)."""
    audible = [v for v in values if v > SILENCE_LUFS]
    if not audible:
        return -70.0
    return 10 * math.log10(sum(10 ** (v / 10) for v in audible) / len(audible))


@dataclass(frozen=True)
class _Excerpted:
    """A chain run over the excerpts: metered plain, and with each gain + limiter given."""

    profile: AudioProfile
    chain: tuple[FilterSpec, ...]
    limiter_gains_db: tuple[float, ...] = ()


def _probe_excerpts(
    src: str,
    chains: Mapping[str, _Excerpted],
    *,
    duration: float | None,
    stream: int,
    progress_cb: Callable[[float], None] | None,
    should_cancel: CancelCheck | None,
    timeout: float | None,
) -> dict[str, LoudnessStats]:
    """One run over excerpts of the source (loudness only, no peak meters): the source
    itself (key ``source|plain``) and per chain a plain meter (``<name>|plain``) and per
    limiter gain given, gain + limiter + meter (``<name>|limited<k>``)."""
    sel = excerpt_filters(duration)
    streams = [
        StreamSpec("pre", "audio", InputRef(0, f"a:{stream}"), sel),
        StreamSpec("src", "audio", "pre", (ebur128("ps", peak=False, dual_mono=False),)),
    ]
    outputs = [OutputSpec("-", ["src"], {"f": "null"})]
    keys = {"ebur128@ps": f"{_SOURCE_KEY}|plain"}
    for i, (name, item) in enumerate(chains.items()):
        streams.append(StreamSpec(f"c{i}", "audio", "pre", item.chain))
        variants: list[tuple[str, tuple[FilterSpec, ...]]] = [("plain", ())]
        for k, gain in enumerate(item.limiter_gains_db):
            variants.append((f"limited{k}", gain_chain(gain, item.profile)))
        for j, (tag, filters) in enumerate(variants):
            inst = f"p{i}v{j}"
            keys[f"ebur128@{inst}"] = f"{name}|{tag}"
            meter = ebur128(inst, peak=False, dual_mono=item.profile.dual_mono)
            streams.append(StreamSpec(inst, "audio", f"c{i}", (*filters, meter)))
            outputs.append(OutputSpec("-", [inst], {"f": "null"}))
    probed = min(duration, PROBE_EXCERPTS * PROBE_EXCERPT_SECONDS) if sel and duration else duration
    res = run_job(
        Job(inputs=[InputSpec(src)], streams=streams, outputs=outputs, loglevel="info"),
        duration=probed,
        progress_cb=progress_cb,
        should_cancel=should_cancel,
        timeout=timeout,
    )
    parsed = parse_ebur128_summaries(res.stderr)
    if any(k not in parsed for k in keys):
        raise PipelineError("ffmpeg_failed", "loudness measurement produced no summary")
    return {v: parsed[k] for k, v in keys.items()}


@dataclass(frozen=True)
class _Source:
    """The audio stream being planned and how each ffmpeg run over it is supervised."""

    path: str
    duration: float | None
    stream: int
    should_cancel: CancelCheck | None
    timeout: float | None

    def measure(
        self, branches: Sequence[Branch], progress: Callable[[float], None]
    ) -> dict[str, LoudnessStats]:
        return measure_branches(
            self.path,
            branches,
            duration=self.duration,
            stream=self.stream,
            progress_cb=progress,
            should_cancel=self.should_cancel,
            timeout=self.timeout,
        )

    def probe_excerpts(
        self, chains: Mapping[str, _Excerpted], progress: Callable[[float], None]
    ) -> dict[str, LoudnessStats]:
        return _probe_excerpts(
            self.path,
            chains,
            duration=self.duration,
            stream=self.stream,
            progress_cb=progress,
            should_cancel=self.should_cancel,
            timeout=self.timeout,
        )


_SOURCE_KEY = "source"


def _measure_source(
    source: _Source,
    profiles: Mapping[str, AudioProfile],
    audio: AudioStreamInfo,
    progress: Callable[[float], None],
) -> tuple[dict[str, LoudnessStats], LoudnessStats]:
    """The one full-length measurement: a single decode and ffmpeg process metering the
    master (I, LRA, true and sample peak -- the only true-peak meter of the job), split to a
    dual-mono meter for profiles that keep a mono master as it is but listen dual-mono.

    Returns the stats of every profile whose chain leaves the samples as they are (the
    chains that change them are estimated from excerpts, see :func:`_estimate_chains`) and
    the master's."""
    branches = [Branch(_SOURCE_KEY, (), False, peak=True, sample_peak=True)]
    exact = [name for name, p in profiles.items() if _exact_peak_chain(p, audio)]
    if any(profiles[name].dual_mono for name in exact):
        branches.append(Branch("dual", (), True, peak=False))
    measured = source.measure(branches, progress)
    source_stats = measured[_SOURCE_KEY]
    per_profile: dict[str, LoudnessStats] = {}
    for name in exact:
        if profiles[name].dual_mono:
            dual = measured["dual"]
            per_profile[name] = replace(
                dual,
                true_peak_dbtp=source_stats.true_peak_dbtp,
                sample_peak_dbfs=source_stats.sample_peak_dbfs,
            )
        else:
            per_profile[name] = source_stats
    return per_profile, source_stats


def _estimate_chains(
    measured: Mapping[str, LoudnessStats], excerpts: Mapping[str, LoudnessStats]
) -> dict[str, LoudnessStats]:
    """Loudness of chains that change the samples (downmix, resampling, band-limiting),
    from the master's full measurement plus the difference the chain makes on the excerpts
    (a property of the recording's spectrum and channels, steady along it); the LRA is the
    master's. Sources up to twice the excerpts' length are read whole, so this is exact."""
    if not excerpts:
        return {}
    source = measured[_SOURCE_KEY]
    source_excerpts = excerpts[f"{_SOURCE_KEY}|plain"].integrated_lufs
    estimated: dict[str, LoudnessStats] = {}
    for key, stats in excerpts.items():
        name, _, tag = key.rpartition("|")
        if tag != "plain" or name == _SOURCE_KEY or name in measured:
            continue
        if min(stats.integrated_lufs, source_excerpts) > SILENCE_LUFS:
            integrated = source.integrated_lufs + stats.integrated_lufs - source_excerpts
        else:
            integrated = source.integrated_lufs
        estimated[name] = LoudnessStats(round(integrated, 1), None, source.lra_lu)
    return estimated


def _level_wide_chains(
    source: _Source,
    profiles: Mapping[str, AudioProfile],
    chains: dict[str, tuple[FilterSpec, ...]],
    lra: Mapping[str, float],
    progress: Callable[[float], None],
) -> dict[str, LoudnessStats]:
    """Append the leveller to every chain whose loudness range is wider than its profile
    allows (``chains`` is updated) and measure those chains whole; returns their stats."""
    wide = [
        name
        for name, profile in profiles.items()
        if profile.max_lra_lu is not None and lra[name] > profile.max_lra_lu
    ]
    if not wide:
        return {}
    for name in wide:
        chains[name] = (*chains[name], leveller())
    branches = [Branch(n, chains[n], profiles[n].dual_mono, peak=False) for n in wide]
    return source.measure(branches, progress)


def _limiter_correction(
    plain: LoudnessStats, limited: Sequence[tuple[float, LoudnessStats]], gain_db: float
) -> float:
    """Gain correction for the loudness the limiter takes away at ``gain_db``, from excerpts
    limited at a few gains around it (interpolated), over-corrected slightly because the loss
    grows with the gain (measured on speech)."""
    losses = sorted(
        (gain, plain.integrated_lufs + gain - stats.integrated_lufs)
        for gain, stats in limited
        if min(plain.integrated_lufs, stats.integrated_lufs) > SILENCE_LUFS
    )
    if not losses:
        return 0.0
    if gain_db <= losses[0][0]:
        lost = losses[0][1]
    elif gain_db >= losses[-1][0]:
        lost = losses[-1][1]
    else:
        (g0, l0), (g1, l1) = next(
            (a, b) for a, b in itertools.pairwise(losses) if a[0] <= gain_db <= b[0]
        )
        lost = l0 + (l1 - l0) * (gain_db - g0) / (g1 - g0)
    return max(-1.0, min(MAX_LIMITER_COMPENSATION_DB, lost * 1.25))


def plan_gains(
    src: str,
    profiles: Mapping[str, AudioProfile],
    audio: AudioStreamInfo,
    *,
    duration: float | None,
    stream: int = 0,
    progress_cb: Callable[[float], None] | None = None,
    should_cancel: CancelCheck | None = None,
    timeout: float | None = None,
    max_parallel: int = 1,
) -> dict[str, GainPlan]:
    """Measure the source once and plan each profile's gain.

    1. one full-length run meters the master (the job's only true-peak meter);
    2. chains with too wide a loudness range get the leveller and are measured whole (rare);
    3. one run over excerpts (only when needed) meters the chains that change the samples
       (their loudness = the master's + what the chain changes on the excerpts) and, where
       the limiter will work, gain + limiter (its loss is added to the gain, so the encode
       lands on target in one go).

    Progress is reported from 0 to 1 over these runs. ``max_parallel`` is accepted for
    compatibility and ignored: a second process would decode the source again.
    """
    del max_parallel

    def report(lo: float, hi: float) -> Callable[[float], None]:
        def cb(x: float) -> None:
            if progress_cb is not None:
                progress_cb(lo + (hi - lo) * x)

        return cb

    source = _Source(src, duration, stream, should_cancel, timeout)
    chains = {name: pre_chain(profile, audio) for name, profile in profiles.items()}
    measured, source_stats = _measure_source(source, profiles, audio, report(0, 0.7))
    lra = {name: measured.get(name, source_stats).lra_lu for name in profiles}
    if source_stats.integrated_lufs <= SILENCE_LUFS:
        lra = dict.fromkeys(profiles, 0.0)
    levelled = _level_wide_chains(source, profiles, chains, lra, report(0.7, 0.8))
    known = {**measured, **levelled}

    def first_gain(name: str) -> float:
        stats = known.get(name, source_stats)  # an estimated chain: the master's, for now
        return _base_gain(profiles[name], stats)[0]

    def limiter_peak(name: str) -> float:
        peak = _limiter_peak(known[name]) if name in known else None
        if peak is not None:
            return peak
        # not peak-metered: a leveller only lowers peaks relative to loudness, a downmix can
        # sum them
        return (source_stats.true_peak_dbtp or 0.0) + _downmix_peak_bound_db(audio)

    audible = source_stats.integrated_lufs > SILENCE_LUFS
    excerpted: dict[str, _Excerpted] = {}
    for name, profile in profiles.items():
        gain = first_gain(name)
        will_limit = audible and limiter_peak(name) + gain > limiter_ceiling_db(profile)
        if name not in known or will_limit:
            # an estimated chain's gain is known only after this run: limit at a few gains
            # around the master's and interpolate
            spread = (0.0,) if name in known else ESTIMATE_GAIN_SPREAD_DB
            gains_db = tuple(gain + d for d in spread) if will_limit else ()
            excerpted[name] = _Excerpted(profile, chains[name], gains_db)
    excerpts = source.probe_excerpts(excerpted, report(0.8, 1.0)) if excerpted else {}
    estimated = _estimate_chains({**known, _SOURCE_KEY: source_stats}, excerpts)
    gain_input = {**estimated, **known}

    gains: dict[str, float] = {}
    warnings: dict[str, list[str]] = {}
    for name, profile in profiles.items():
        gains[name], warnings[name] = _base_gain(profile, gain_input[name])
        item = excerpted.get(name)
        if item is not None and item.limiter_gains_db:
            limited = [
                (gain, excerpts[f"{name}|limited{k}"])
                for k, gain in enumerate(item.limiter_gains_db)
            ]
            gains[name] += _limiter_correction(excerpts[f"{name}|plain"], limited, gains[name])
    if progress_cb is not None:
        progress_cb(1.0)

    def input_stats(name: str) -> LoudnessStats:
        """Before the leveller: measured, estimated, or (a levelled chain that changes the
        samples) the master's loudness and the range that called for levelling."""
        found = measured.get(name) or estimated.get(name)
        return found or LoudnessStats(source_stats.integrated_lufs, None, source_stats.lra_lu)

    return {
        name: GainPlan(
            profile=name,
            chain=chains[name],
            gain_db=round(gains[name], 2),
            input_stats=input_stats(name),
            levelled=name in levelled,
            levelled_stats=levelled.get(name),
            limiter_ceiling_dbtp=limiter_ceiling_db(profile),
            warnings=tuple(warnings[name]),
            source_stats=source_stats,
            peak_overshoot_db=_peak_overshoot_db(profile, audio, source_stats),
        )
        for name, profile in profiles.items()
    }
