"""Loudness meters: ffmpeg ``ebur128`` instances, their summaries, and one-decode
measurement of several processing chains (see :mod:`media_pipeline.loudness` for the
strategy)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .errors import PipelineError
from .ffmpeg_adapter import (
    CancelCheck,
    FilterSpec,
    InputRef,
    InputSpec,
    Job,
    OutputSpec,
    StreamSpec,
    run_job,
)
from .profiles import AudioProfile

#: ebur128 reports -70 LUFS (the absolute gate) for silence
SILENCE_LUFS = -69.5
#: never amplify by more than this (a -53 LUFS recording needs +37 dB to reach -16)
MAX_GAIN_DB = 50.0


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
    shared: Sequence[FilterSpec] = (),
) -> dict[str, LoudnessStats]:
    """Measure several processing chains of one source in a single decode (one ffmpeg
    process). ``shared`` filters run once on the decoded source before it is split into the
    branches."""
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


def output_meter(name: str, profile: AudioProfile) -> FilterSpec:
    """The in-line meter of an output whose loudness cannot be derived: I, LRA and the sample
    peak (see :meth:`GainPlan.metered_output` for the true peak)."""
    return ebur128(name, peak=False, dual_mono=profile.dual_mono, sample_peak=True)
