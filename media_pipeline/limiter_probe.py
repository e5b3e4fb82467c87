"""The limiter probe: one cheap run over excerpts of the source (loudness only, no peak
meters) measuring chains that change the samples and what the limiter takes away."""

from __future__ import annotations

import itertools
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
from .loudness_chains import gain_chain
from .loudness_meter import SILENCE_LUFS, LoudnessStats, ebur128, parse_ebur128_summaries
from .profiles import AudioProfile

#: how far a limiter probe may move the gain
MAX_LIMITER_COMPENSATION_DB = 3.0
#: the limiter probe reads one excerpt per minute of the source, at least this many ...
PROBE_EXCERPTS = 4
#: ... and at most this many, evenly spread ...
PROBE_EXCERPTS_MAX = 8
#: ... of this many seconds each (sources up to twice the total are probed whole)
PROBE_EXCERPT_SECONDS = 4.0
#: the key of the source's own plain meter in :func:`probe_excerpts`'s answer
SOURCE_KEY = "source"


def excerpt_count(duration: float | None) -> int:
    """How many excerpts a source of ``duration`` seconds is probed on: one per minute,
    between :data:`PROBE_EXCERPTS` and :data:`PROBE_EXCERPTS_MAX`."""
    minutes = int((duration or 0.0) // 60)
    return max(PROBE_EXCERPTS, min(PROBE_EXCERPTS_MAX, minutes))


def excerpt_seconds(duration: float | None) -> float | None:
    """Seconds of audio the probe reads: the excerpts, or ``duration`` for a short source
    (up to twice the excerpts' total), which is read whole."""
    total = excerpt_count(duration) * PROBE_EXCERPT_SECONDS
    if duration is None or duration <= 2 * total:
        return duration
    return total


def excerpt_filters(duration: float | None) -> tuple[FilterSpec, ...]:
    """``aselect`` keeping :func:`excerpt_count` evenly spread excerpts of a long source.

    (Seeking to each excerpt instead costs more CPU: every extra ffmpeg input has a fixed
    cost well above decoding the skipped audio.)"""
    if duration is None or excerpt_seconds(duration) == duration:
        return ()
    period = duration / excerpt_count(duration)
    return (
        flt("aselect", expr=f"lt(mod(t,{period:.3f}),{PROBE_EXCERPT_SECONDS:g})"),
        flt("asetpts", expr="N/SR/TB"),
    )


@dataclass(frozen=True)
class Excerpted:
    """A chain run over the excerpts: metered plain, and with each gain + limiter given.

    ``exact``: the chain leaves the samples as they are (its loudness is the source's), so
    it is not run, and its plain figure is the source's own meter (key ``source|plain``)."""

    profile: AudioProfile
    chain: tuple[FilterSpec, ...]
    limiter_gains_db: tuple[float, ...] = ()
    exact: bool = False

    @property
    def own_plain_meter(self) -> bool:
        # the source meter is not dual-mono: a dual-mono profile needs its own
        return not self.exact or self.profile.dual_mono

    def plain_key(self, name: str) -> str:
        return f"{name}|plain" if self.own_plain_meter else f"{SOURCE_KEY}|plain"


def probe_excerpts(
    src: str,
    chains: Mapping[str, Excerpted],
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
    streams = [
        StreamSpec("pre", "audio", InputRef(0, f"a:{stream}"), excerpt_filters(duration)),
        StreamSpec("src", "audio", "pre", (ebur128("ps", peak=False, dual_mono=False),)),
    ]
    outputs = [OutputSpec("-", ["src"], {"f": "null"})]
    keys = {"ebur128@ps": f"{SOURCE_KEY}|plain"}
    for i, (name, item) in enumerate(chains.items()):
        head = "pre"
        if not item.exact:
            streams.append(StreamSpec(f"c{i}", "audio", "pre", item.chain))
            head = f"c{i}"
        variants: list[tuple[str, tuple[FilterSpec, ...]]] = []
        if item.own_plain_meter:
            variants.append(("plain", ()))
        for k, gain in enumerate(item.limiter_gains_db):
            variants.append((f"limited{k}", gain_chain(gain, item.profile)))
        for j, (tag, filters) in enumerate(variants):
            inst = f"p{i}v{j}"
            keys[f"ebur128@{inst}"] = f"{name}|{tag}"
            meter = ebur128(inst, peak=False, dual_mono=item.profile.dual_mono)
            streams.append(StreamSpec(inst, "audio", head, (*filters, meter)))
            outputs.append(OutputSpec("-", [inst], {"f": "null"}))
    res = run_job(
        Job(inputs=[InputSpec(src)], streams=streams, outputs=outputs, loglevel="info"),
        duration=excerpt_seconds(duration),
        progress_cb=progress_cb,
        should_cancel=should_cancel,
        timeout=timeout,
    )
    parsed = parse_ebur128_summaries(res.stderr)
    if any(k not in parsed for k in keys):
        raise PipelineError("ffmpeg_failed", "loudness measurement produced no summary")
    return {v: parsed[k] for k, v in keys.items()}


def limiter_loss(
    plain: LoudnessStats, limited: Sequence[tuple[float, LoudnessStats]], gain_db: float
) -> float | None:
    """The loudness (LU) the limiter takes away at ``gain_db``, from excerpts limited at a
    few gains around it: interpolated between them, the nearest one's outside them.
    ``None`` when the excerpts are silent."""
    losses = sorted(
        (gain, plain.integrated_lufs + gain - stats.integrated_lufs)
        for gain, stats in limited
        if min(plain.integrated_lufs, stats.integrated_lufs) > SILENCE_LUFS
    )
    if not losses:
        return None
    if gain_db <= losses[0][0]:
        lost = losses[0][1]
    elif gain_db >= losses[-1][0]:
        lost = losses[-1][1]
    else:
        (gain_below, lost_below), (gain_above, lost_above) = next(
            (below, above)
            for below, above in itertools.pairwise(losses)
            if below[0] <= gain_db <= above[0]
        )
        share = (gain_db - gain_below) / (gain_above - gain_below)
        lost = lost_below + (lost_above - lost_below) * share
    return lost


def limiter_correction(lost_db: float | None) -> float:
    """Gain correction for a limiter loss (:func:`limiter_loss`), over-corrected slightly
    because the loss grows with the gain (measured on speech)."""
    if lost_db is None:
        return 0.0
    return max(-1.0, min(MAX_LIMITER_COMPENSATION_DB, lost_db * 1.25))
