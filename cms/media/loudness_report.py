"""What a rendition's loudness report holds and whether it meets its profile."""

from __future__ import annotations

from typing import Any

from media_pipeline.profiles import AudiogramProfile, AudioProfile, SocialVideoProfile, VideoProfile


def targets(profile: Any) -> dict[str, float | None]:
    """The loudness targets the report compares a rendition against."""
    if not isinstance(profile, AudioProfile | VideoProfile | SocialVideoProfile | AudiogramProfile):
        return {}
    if isinstance(profile, AudioProfile):
        return {
            "target_lufs": profile.target_lufs,
            "tolerance_lu": profile.tolerance_lu,
            "max_true_peak_dbtp": profile.true_peak_dbtp,
            "max_lra_lu": profile.max_lra_lu,
        }
    return {
        "target_lufs": profile.audio_target_lufs,
        "tolerance_lu": profile.audio_tolerance_lu,
        "max_true_peak_dbtp": profile.audio_true_peak_dbtp,
        "max_lra_lu": None,
    }


def within_tolerance(loudness: dict[str, Any]) -> bool | None:
    """True/False when the output was measured against a target, None otherwise."""
    output, target = loudness.get("output"), loudness.get("target_lufs")
    if not output or target is None:
        return None
    ok: bool = abs(output["integrated_lufs"] - target) <= loudness["tolerance_lu"] + 1e-6
    peak = output.get("true_peak_dbtp")
    if peak is not None and peak > loudness["max_true_peak_dbtp"] + 1e-6:
        ok = False
    if loudness.get("max_lra_lu") is not None and output["lra_lu"] > loudness["max_lra_lu"]:
        ok = False
    return ok


def stats_dict(stats: Any) -> dict[str, Any] | None:
    """A ``LoudnessStats`` as stored in the report (None when not measured)."""
    return stats.as_dict() if stats is not None else None


def report(result: Any, profile: Any) -> dict[str, Any]:
    """The stored loudness report of a rendition made by the pipeline."""
    return {
        "input": stats_dict(result.input_loudness),
        "output": stats_dict(result.output_loudness),
        "gain_db": result.gain_db,
        **targets(profile),
    }
