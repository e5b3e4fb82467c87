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
   ceiling, or a chain changes the samples) -- one run over excerpts of the source (one
   4-second excerpt per minute, 4 to 8; a source up to twice their length is read whole),
   metering without peak meters (cheap): the chains that change the samples (their loudness =
   the master's + what the chain changes on the excerpts) and gain + limiter (its loss is
   added to the gain, so the encode lands on target in one go). A chain that keeps the
   master's samples is not run again: its limited variants take the source directly.
4. **Encode** happens in :mod:`media_pipeline.audio` / :mod:`media_pipeline.video` with
   ``volume=<gain>dB`` then ``alimiter`` at ``true_peak - limiter_margin_db`` (sample-peak
   limiter; the margin absorbs inter-sample peaks and codec overshoot, tuned per profile).

Output loudness (:class:`GainPlan`):

* **derived** -- the chain's true peak is known (it keeps the master's samples) and either
  the limiter stays idle (peak + gain at least :data:`LIMITER_IDLE_MARGIN_DB` under the
  ceiling, typical for ``broadcast`` at -23 LUFS: output I = input I + gain, TP = input TP +
  gain, LRA = input LRA, exact) or the limiter probe measured it taking at most
  ``DERIVED_LIMITER_LOSS_LU`` away (``web_audio`` at -16 LUFS on speech: I less that loss, TP
  at the ceiling plus the master's inter-sample overshoot); ``GainPlan.predicted_output``.
* **metered** -- the limiter takes more, or the chain was not true-peak metered (downmixed,
  resampled or band-limited: ``loudspeaker``): an ``ebur128`` reading I, LRA and the sample
  peak (no oversampling) sits in the rendition's encode branch right after the limiter. The
  true peak is that sample peak plus the chain's inter-sample overshoot (the master's true
  minus sample peak when the chain keeps its rate and bandwidth, else 0;
  ``GainPlan.metered_output``).

Both describe the signal handed to the encoder. PCM outputs are exact; MP3/AAC can move the
true peak by a few tenths of a dB and lose up to ~0.4 LU (MP3 64k) in the codec, which the
per-profile limiter margin and the tolerances cover (the tests measure the encoded files
independently and compare them with the recorded figures).
"""

from __future__ import annotations

from .gain_plan import LIMITER_IDLE_MARGIN_DB, GainPlan, plan_gains
from .limiter_probe import PROBE_EXCERPT_SECONDS, PROBE_EXCERPTS, excerpt_filters
from .loudness_chains import (
    channel_filters,
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
    ebur128,
    measure_branches,
    measure_file,
    output_meter,
    parse_ebur128_summaries,
)

__all__ = [
    "LIMITER_IDLE_MARGIN_DB",
    "MAX_GAIN_DB",
    "PROBE_EXCERPTS",
    "PROBE_EXCERPT_SECONDS",
    "SILENCE_LUFS",
    "Branch",
    "GainPlan",
    "LoudnessStats",
    "channel_filters",
    "ebur128",
    "excerpt_filters",
    "gain_chain",
    "leveller",
    "limiter_ceiling_db",
    "measure_branches",
    "measure_file",
    "output_meter",
    "parse_ebur128_summaries",
    "plan_gains",
    "pre_chain",
    "target_channels",
]
