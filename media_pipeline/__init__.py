"""Framework-free media processing for the CMS: probe, profiles, loudness, renditions.

Nothing in this package imports Django; the web side calls these functions from background
jobs and maps :class:`PipelineError` codes to translated messages.
"""

from .audio import AudioTags, RenditionResult, render_audio
from .errors import ERROR_CODES, PipelineError
from .hashing import rendition_key, sha256_file
from .images import (
    ImageInfo,
    ImageRenditionResult,
    image_warnings,
    inspect_image,
    output_extension,
    render_images,
)
from .loudness import LoudnessStats, measure_file
from .probe import Limits, MediaInfo, SniffResult, check_limits, probe, sniff
from .profiles import (
    DEFAULT_PROFILES,
    AudioProfile,
    ImageProfile,
    VideoProfile,
    WaveformProfile,
    board_native,
    profiles_from_config,
)
from .video import render_video
from .waveform import render_waveform

__all__ = [
    "DEFAULT_PROFILES",
    "ERROR_CODES",
    "AudioProfile",
    "AudioTags",
    "ImageInfo",
    "ImageProfile",
    "ImageRenditionResult",
    "Limits",
    "LoudnessStats",
    "MediaInfo",
    "PipelineError",
    "RenditionResult",
    "SniffResult",
    "VideoProfile",
    "WaveformProfile",
    "board_native",
    "check_limits",
    "image_warnings",
    "inspect_image",
    "measure_file",
    "output_extension",
    "probe",
    "profiles_from_config",
    "render_audio",
    "render_images",
    "render_video",
    "render_waveform",
    "rendition_key",
    "sha256_file",
    "sniff",
]
