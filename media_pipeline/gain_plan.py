"""Gain planning: measure the source once, then one :class:`GainPlan` per audio profile
(see :mod:`media_pipeline.loudness` for the strategy)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from .ffmpeg_adapter import CancelCheck, FilterSpec
from .limiter_probe import (
    SOURCE_KEY,
    Excerpted,
    limiter_correction,
    limiter_loss,
    probe_excerpts,
)
from .loudness_chains import (
    M3DB,
    gain_chain,
    leveller,
    limiter_ceiling_db,
    pre_chain,
    target_channels,
)
from .loudness_meter import (
    MAX_GAIN_DB,
    SILENCE_LUFS,
    Branch,
    LoudnessStats,
    measure_branches,
)
from .probe import AudioStreamInfo
from .profiles import AudioProfile

#: gains (relative to the master's) an estimated chain is limited at on the excerpts
ESTIMATE_GAIN_SPREAD_DB = (-2.0, 2.0)
#: an output the limiter takes at most this much from (measured on the excerpts) is
#: derived, not metered: the excerpts' figure is then within the meter's 0.1 LU steps of
#: the whole file's (see :attr:`GainPlan.output_derived`)
DERIVED_LIMITER_LOSS_LU = 0.3
#: true peak this far below the limiter ceiling counts as "limiter idle" (ebur128 reports
#: 0.1 dB steps; inter-sample estimates differ slightly between 4x oversamplers)
LIMITER_IDLE_MARGIN_DB = 0.5


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
    #: the loudness (LU) the limiter takes away at :attr:`gain_db`, measured on the
    #: excerpts; ``None`` when the limiter was not probed
    limiter_loss_lu: float | None = None

    @property
    def reported_input(self) -> LoudnessStats:
        """Input stats for reports: the chain's, with the master's true peak when the chain's
        own was not metered (only one chain per source is true-peak metered)."""
        chain = self.input_stats
        if chain.true_peak_dbtp is None and self.source_stats is not None:
            return LoudnessStats(
                chain.integrated_lufs, self.source_stats.true_peak_dbtp, chain.lra_lu
            )
        return chain

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
        """Whether the output I / TP / LRA follow from measurements already made, so the
        encode need not meter it. The chain's true peak must have been metered (the chain
        keeps the master's samples), and either the limiter stays idle (the chain after
        measurement is plain linear gain: exact) or the limiter probe measured it taking
        at most :data:`DERIVED_LIMITER_LOSS_LU` away. Otherwise the encode meters the output
        in-line."""
        if self.gain_input.true_peak_dbtp is None:
            return False
        if not self.limiter_active:
            return True
        loss = self.limiter_loss_lu
        return loss is not None and not self.levelled and loss <= DERIVED_LIMITER_LOSS_LU

    def predicted_output(self) -> LoudnessStats:
        """Output stats without metering the output (see :attr:`output_derived`): the input
        plus the gain, less what the limiter takes away; a limiter at work holds the sample
        peaks at its ceiling, and the true peak keeps the chain's inter-sample overshoot."""
        stats = self.gain_input
        integrated = stats.integrated_lufs + self.gain_db
        tp = None if stats.true_peak_dbtp is None else stats.true_peak_dbtp + self.gain_db
        if self.limiter_active and self.limiter_loss_lu is not None:
            integrated -= max(0.0, self.limiter_loss_lu)
            # alimiter reacts to sample peaks
            ceiling = self.limiter_ceiling_dbtp
            peak = stats.sample_peak_dbfs if stats.sample_peak_dbfs is not None else tp
            if tp is not None and peak is not None and peak + self.gain_db > ceiling:
                tp = min(tp, ceiling + self.peak_overshoot_db)
        return LoudnessStats(
            integrated_lufs=round(integrated, 1),
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
        self, chains: Mapping[str, Excerpted], progress: Callable[[float], None]
    ) -> dict[str, LoudnessStats]:
        return probe_excerpts(
            self.path,
            chains,
            duration=self.duration,
            stream=self.stream,
            progress_cb=progress,
            should_cancel=self.should_cancel,
            timeout=self.timeout,
        )


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
    branches = [Branch(SOURCE_KEY, (), False, peak=True, sample_peak=True)]
    exact = [name for name, p in profiles.items() if _exact_peak_chain(p, audio)]
    if any(profiles[name].dual_mono for name in exact):
        branches.append(Branch("dual", (), True, peak=False))
    measured = source.measure(branches, progress)
    source_stats = measured[SOURCE_KEY]
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
    source = measured[SOURCE_KEY]
    source_excerpts = excerpts[f"{SOURCE_KEY}|plain"].integrated_lufs
    estimated: dict[str, LoudnessStats] = {}
    for key, stats in excerpts.items():
        name, _, tag = key.rpartition("|")
        if tag != "plain" or name == SOURCE_KEY or name in measured:
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
    branches = [Branch(name, chains[name], profiles[name].dual_mono, peak=False) for name in wide]
    return source.measure(branches, progress)


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
) -> dict[str, GainPlan]:
    """Measure the source once and plan each profile's gain.

    1. one full-length run meters the master (the job's only true-peak meter);
    2. chains with too wide a loudness range get the leveller and are measured whole (rare);
    3. one run over excerpts (only when needed) meters the chains that change the samples
       (their loudness = the master's + what the chain changes on the excerpts) and, where
       the limiter will work, gain + limiter (its loss is added to the gain, so the encode
       lands on target in one go).

    Progress is reported from 0 to 1 over these runs.
    """

    def report(lo: float, hi: float) -> Callable[[float], None]:
        def scaled(fraction: float) -> None:
            if progress_cb is not None:
                progress_cb(lo + (hi - lo) * fraction)

        return scaled

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
    excerpted: dict[str, Excerpted] = {}
    for name, profile in profiles.items():
        gain = first_gain(name)
        will_limit = audible and limiter_peak(name) + gain > limiter_ceiling_db(profile)
        if name not in known or will_limit:
            # an estimated chain's gain is known only after this run: limit at a few gains
            # around the master's and interpolate
            spread = (0.0,) if name in known else ESTIMATE_GAIN_SPREAD_DB
            gains_db = tuple(gain + d for d in spread) if will_limit else ()
            exact = name in measured and name not in levelled
            excerpted[name] = Excerpted(profile, chains[name], gains_db, exact=exact)
    excerpts = source.probe_excerpts(excerpted, report(0.8, 1.0)) if excerpted else {}
    estimated = _estimate_chains({**known, SOURCE_KEY: source_stats}, excerpts)
    gain_input = {**estimated, **known}

    gains: dict[str, float] = {}
    warnings: dict[str, list[str]] = {}
    losses: dict[str, float | None] = {}
    for name, profile in profiles.items():
        gains[name], warnings[name] = _base_gain(profile, gain_input[name])
        item = excerpted.get(name)
        if item is not None and item.limiter_gains_db:
            limited = [
                (gain, excerpts[f"{name}|limited{k}"])
                for k, gain in enumerate(item.limiter_gains_db)
            ]
            plain = excerpts[item.plain_key(name)]
            # the gain is raised by what the limiter takes at the planned gain; the loss
            # recorded is the one at the raised gain, the one the encode will see
            gains[name] += limiter_correction(limiter_loss(plain, limited, gains[name]))
            losses[name] = limiter_loss(plain, limited, gains[name])
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
            limiter_loss_lu=losses.get(name),
        )
        for name, profile in profiles.items()
    }
