"""Loudness measurement (ffmpeg ``ebur128``) and gain planning.

Strategy (measure once, then linear gain + limiter; ffmpeg's two-pass ``loudnorm`` is ~6x
slower and is not used):

1. **Measure** -- one decode of the source; the audio is ``asplit`` into one branch per
   *distinct* pre-processing chain (channel downmix, resampling, band-limiting), each ending
   in ``ebur128=peak=true`` (``dualmono`` where the profile says). Profiles sharing a chain
   (e.g. ``broadcast`` and ``web_audio``) share the measurement.
2. **Level** (rare) -- a profile with ``max_lra_lu`` whose measured LRA is too wide gets a
   leveller (``dynaudnorm``, gentle settings) appended to its chain; that chain is measured in
   one more run.
3. **Limiter probe** (only when limiting is predicted, i.e. measured true peak + gain is above
   the limiter ceiling) -- one run applying gain and limiter and measuring the result
   (``ebur128`` without peak metering, cheap). Limiting lowers integrated loudness by up to
   ~1 LU on peaky speech; the planned gain is corrected by what the probe lost, so the encode
   lands on target in one go.
4. **Encode** happens in :mod:`media_pipeline.audio` / :mod:`media_pipeline.video` with
   ``volume=<gain>dB`` then ``alimiter`` at ``true_peak - limiter_margin_db`` (sample-peak
   limiter; the margin absorbs inter-sample peaks and codec overshoot, tuned per profile).

Output loudness: when the limiter stays idle (measured true peak + gain is at least
:data:`LIMITER_IDLE_MARGIN_DB` under the ceiling -- typical for ``broadcast`` at -23 LUFS) the
chain is plain linear gain and the output I / TP / LRA are *computed* exactly from the input
measurement (``GainPlan.predicted_output``). Otherwise the final signal is metered **in-line**
in the encode run (split off right before the encoder into an ``ebur128=peak=true`` branch),
which costs the same true-peak metering as decoding the encoded file again but needs no extra
pass. For PCM outputs both are exact; MP3/AAC can add a few tenths of a dB of true peak and
lose ~0.4 LU (MP3 64k) in the codec, which the per-profile limiter margin and the +-1 LU
tolerance cover (the test-suite measures the encoded files independently).

Parallelism: with ``max_parallel > 1`` the measurement branches and the encode groups run as
that many concurrent ffmpeg processes (each decoding the master; cheap next to encoding).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

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
#: how far a limiter probe may move the gain
MAX_LIMITER_COMPENSATION_DB = 3.0
#: the limiter probe reads at most this many evenly spread excerpts of the source ...
PROBE_EXCERPTS = 10
#: ... of this many seconds each (sources up to twice the total are probed whole)
PROBE_EXCERPT_SECONDS = 6.0
#: true peak this far below the limiter ceiling counts as "limiter idle" (ebur128 reports
#: 0.1 dB steps; inter-sample estimates differ slightly between 4x oversamplers)
LIMITER_IDLE_MARGIN_DB = 0.5
#: 1/sqrt(2): -3 dB for centre and surrounds in the ITU-R BS.775 downmix
M3DB = 0.7071


@dataclass(frozen=True)
class LoudnessStats:
    integrated_lufs: float
    true_peak_dbtp: float | None
    lra_lu: float

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
    when the filter is uninitialised, first line prefixed with ``[ebur128@m0 @ 0x...]``.
    """
    out: dict[str, LoudnessStats] = {}
    current: str | None = None
    vals: dict[str, float] = {}

    def flush() -> None:
        if current is not None and "I" in vals:
            out[current] = LoudnessStats(
                integrated_lufs=vals["I"], true_peak_dbtp=vals.get("TP"), lra_lu=vals.get("LRA", 0)
            )

    for line in stderr.splitlines():
        m = _SUMMARY.match(line)
        if m:
            flush()
            current, vals = m.group("name"), {}
            continue
        if current is None:
            continue
        if line.startswith("["):
            flush()
            current, vals = None, {}
            continue
        for key, rx in (("I", _I), ("LRA", _LRA), ("TP", _PEAK)):
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
    chain: list[FilterSpec] = [flt("aformat", sample_fmts="fltp|flt|dblp|dbl")]
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


def ebur128(name: str, *, peak: bool, dual_mono: bool) -> FilterSpec:
    opts: dict[str, str | int | float] = {"framelog": "verbose"}
    if peak:
        opts["peak"] = "true"
    if dual_mono:
        opts["dualmono"] = "true"
    return FilterSpec(f"ebur128@{name}", opts)


@dataclass(frozen=True)
class Branch:
    key: str
    filters: tuple[FilterSpec, ...]
    dual_mono: bool
    peak: bool = True


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
                filters=(*br.filters, ebur128(inst, peak=br.peak, dual_mono=br.dual_mono)),
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
    """How one audio rendition is normalised."""

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

    @property
    def reported_input(self) -> LoudnessStats:
        """Input stats for reports: the chain's, with the master's true peak when the chain's
        own was not metered (only one chain per source is true-peak metered)."""
        s = self.input_stats
        if s.true_peak_dbtp is None and self.source_stats is not None:
            return LoudnessStats(s.integrated_lufs, self.source_stats.true_peak_dbtp, s.lra_lu)
        return s

    @property
    def limiter_active(self) -> bool:
        """Whether the limiter can touch the signal (true peak + gain near the ceiling)."""
        stats = self.levelled_stats or self.input_stats
        if stats.true_peak_dbtp is None:
            return True
        return (
            stats.true_peak_dbtp + self.gain_db > self.limiter_ceiling_dbtp - LIMITER_IDLE_MARGIN_DB
        )

    def predicted_output(self) -> LoudnessStats:
        """Exact output stats when the limiter stays idle: the chain is then linear gain."""
        stats = self.levelled_stats or self.input_stats
        tp = None if stats.true_peak_dbtp is None else stats.true_peak_dbtp + self.gain_db
        return LoudnessStats(
            integrated_lufs=round(stats.integrated_lufs + self.gain_db, 1),
            true_peak_dbtp=None if tp is None else round(tp, 1),
            lra_lu=stats.lra_lu,
        )

    def filters(self, profile: AudioProfile) -> tuple[FilterSpec, ...]:
        return (*self.chain, *gain_chain(self.gain_db, profile))


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
    """``aselect`` keeping :data:`PROBE_EXCERPTS` evenly spread excerpts of a long source."""
    total = PROBE_EXCERPTS * PROBE_EXCERPT_SECONDS
    if duration is None or duration <= 2 * total:
        return ()
    period = duration / PROBE_EXCERPTS
    return (
        flt("aselect", expr=f"lt(mod(t,{period:.3f}),{PROBE_EXCERPT_SECONDS:g})"),
        flt("asetpts", expr="N/SR/TB"),
    )


def _probe_limiting(
    src: str,
    chains: Mapping[str, tuple[AudioProfile, tuple[FilterSpec, ...], float]],
    *,
    duration: float | None,
    stream: int,
    progress_cb: Callable[[float], None] | None,
    should_cancel: CancelCheck | None,
    timeout: float | None,
) -> dict[str, LoudnessStats]:
    """One run over excerpts of the source: per profile its chain, split into a plain meter
    and gain + limiter + meter (keys ``<name>|plain`` and ``<name>|limited``)."""
    sel = excerpt_filters(duration)
    streams = [StreamSpec("pre", "audio", InputRef(0, f"a:{stream}"), sel)]
    outputs: list[OutputSpec] = []
    keys: dict[str, str] = {}
    for i, (name, (profile, chain, gain)) in enumerate(chains.items()):
        streams.append(StreamSpec(f"c{i}", "audio", "pre", chain))
        for tag, filters in (("plain", ()), ("limited", gain_chain(gain, profile))):
            inst = f"p{i}{tag[0]}"
            keys[f"ebur128@{inst}"] = f"{name}|{tag}"
            meter = ebur128(inst, peak=False, dual_mono=profile.dual_mono)
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
    """Measure the source once per distinct chain and plan each profile's gain.

    True peak (4x oversampled, the costly part of metering) is measured once, on the chain
    that leaves the source as it is (or on the source itself); other chains are measured for
    loudness and LRA only, their renditions get the limiter and an in-line output meter.
    Progress is reported from 0 to 1 over the measurement runs (normally one).
    """
    chains = {name: pre_chain(p, audio) for name, p in profiles.items()}

    def branch_key(chain: tuple[FilterSpec, ...], dual: bool) -> str:
        return ("dual|" if dual else "") + ",".join(f.render() for f in chain)

    def run(
        branches: Sequence[Branch],
        lo: float,
        hi: float,
        run_duration: float | None,
        shared: Sequence[FilterSpec] = (),
    ) -> dict[str, LoudnessStats]:
        def cb(x: float) -> None:
            if progress_cb is not None:
                progress_cb(lo + (hi - lo) * x)

        return measure_branches(
            src,
            branches,
            duration=run_duration,
            stream=stream,
            progress_cb=cb,
            should_cancel=should_cancel,
            timeout=timeout,
            max_parallel=max_parallel,
            shared=shared,
        )

    first: dict[str, Branch] = {}
    source_key = "source"
    for n, c in chains.items():
        p = profiles[n]
        key = branch_key(c, p.dual_mono)
        exact = _exact_peak_chain(p, audio)
        if exact and not p.dual_mono:
            source_key = key
        if key not in first or exact:
            first[key] = Branch(key, c, p.dual_mono, peak=exact)
    if source_key not in first:
        first[source_key] = Branch(
            source_key, (flt("aformat", sample_fmts="fltp|flt|dblp|dbl"),), False, peak=True
        )
    stats1 = run(list(first.values()), 0.0, 0.6, duration)
    source_stats = stats1[source_key]
    stats = {n: stats1[branch_key(c, profiles[n].dual_mono)] for n, c in chains.items()}
    levelled: set[str] = set()
    original = dict(stats)

    wide = [
        n
        for n, p in profiles.items()
        if p.max_lra_lu is not None
        and stats[n].lra_lu > p.max_lra_lu
        and stats[n].integrated_lufs > SILENCE_LUFS
    ]
    if wide:
        lev = {n: (*chains[n], leveller()) for n in wide}
        second = [Branch(n, c, profiles[n].dual_mono, peak=False) for n, c in lev.items()]
        stats2 = run(second, 0.6, 0.8, duration)
        for n in wide:
            chains[n] = lev[n]
            original[n] = stats[n]
            stats[n] = stats2[n]
            levelled.add(n)

    gains: dict[str, float] = {}
    warns: dict[str, list[str]] = {}
    for n, p in profiles.items():
        gains[n], warns[n] = _base_gain(p, stats[n])

    def peak_estimate(n: str) -> float:
        tp = stats[n].true_peak_dbtp
        if tp is not None:
            return tp
        # a leveller only lowers peaks relative to loudness; a downmix can sum them
        return (source_stats.true_peak_dbtp or 0.0) + _downmix_peak_bound_db(audio)

    # Limiter probe, only where limiting is predicted (true peak + gain above the ceiling):
    # excerpts of the source with gain and limiter, against the same excerpts without, both
    # metered for loudness only; the loss is added to the gain. The encode meters the result.
    limited = [
        n
        for n, p in profiles.items()
        if stats[n].integrated_lufs > SILENCE_LUFS
        and peak_estimate(n) + gains[n] > limiter_ceiling_db(p)
    ]
    if limited:
        stats3 = _probe_limiting(
            src,
            {n: (profiles[n], chains[n], gains[n]) for n in limited},
            duration=duration,
            stream=stream,
            progress_cb=lambda x: progress_cb(0.8 + 0.2 * x) if progress_cb else None,
            should_cancel=should_cancel,
            timeout=timeout,
        )
        for n in limited:
            plain, lim = stats3[f"{n}|plain"], stats3[f"{n}|limited"]
            if lim.integrated_lufs > SILENCE_LUFS and plain.integrated_lufs > SILENCE_LUFS:
                lost = plain.integrated_lufs + gains[n] - lim.integrated_lufs
                # loss grows with gain, so over-correct slightly (measured on speech)
                gains[n] += max(-1.0, min(MAX_LIMITER_COMPENSATION_DB, lost * 1.25))
    if progress_cb is not None:
        progress_cb(1.0)
    return {
        n: GainPlan(
            profile=n,
            chain=chains[n],
            gain_db=round(gains[n], 2),
            input_stats=original[n],
            levelled=n in levelled,
            levelled_stats=stats[n] if n in levelled else None,
            limiter_ceiling_dbtp=limiter_ceiling_db(p),
            warnings=tuple(warns[n]),
            source_stats=source_stats,
        )
        for n, p in profiles.items()
    }
