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
#: the limiter probe reads at most this many evenly spread excerpts of the source ...
PROBE_EXCERPTS = 6
#: ... of this many seconds each (sources up to twice the total are probed whole)
PROBE_EXCERPT_SECONDS = 5.0
#: the key of the source's own plain meter in :func:`probe_excerpts`'s answer
SOURCE_KEY = "source"


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


@dataclass(frozen=True)
class Excerpted:
    """A chain run over the excerpts: metered plain, and with each gain + limiter given."""

    profile: AudioProfile
    chain: tuple[FilterSpec, ...]
    limiter_gains_db: tuple[float, ...] = ()


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
    sel = excerpt_filters(duration)
    streams = [
        StreamSpec("pre", "audio", InputRef(0, f"a:{stream}"), sel),
        StreamSpec("src", "audio", "pre", (ebur128("ps", peak=False, dual_mono=False),)),
    ]
    outputs = [OutputSpec("-", ["src"], {"f": "null"})]
    keys = {"ebur128@ps": f"{SOURCE_KEY}|plain"}
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


def limiter_correction(
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
        (gain_below, lost_below), (gain_above, lost_above) = next(
            (below, above)
            for below, above in itertools.pairwise(losses)
            if below[0] <= gain_db <= above[0]
        )
        share = (gain_db - gain_below) / (gain_above - gain_below)
        lost = lost_below + (lost_above - lost_below) * share
    return max(-1.0, min(MAX_LIMITER_COMPENSATION_DB, lost * 1.25))
