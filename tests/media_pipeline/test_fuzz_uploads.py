"""Mutated samples (flipped bytes, cut files, spliced garbage) against the upload checks.

Whatever the bytes, ``sniff`` either classifies the file or raises a ``PipelineError`` with
one of the stable codes the admin translates; it never crashes another way, never hangs,
and never changes the file it reads (masters are read-only).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from media_pipeline.errors import ERROR_CODES, PipelineError
from media_pipeline.images import inspect_image
from media_pipeline.probe import Limits, sniff

MEDIA_SAMPLES = [
    "vi_vbr_44k.mp3",
    "vi_speech.ogg",
    "vi_very_quiet.m4a",
    "phone_portrait_rotated.mp4",
]
IMAGE_SAMPLES = ["logo_alpha.png", "poster_cmyk.jpg"]
LIMITS = Limits(max_duration_s=4 * 3600, max_pixels=80_000_000)


def fuzz(examples: int) -> Any:
    """Reproducible runs (derandomised), no per-example deadline: ffprobe takes its time."""
    return settings(
        max_examples=max(examples, int(os.environ.get("CMS_FUZZ_EXAMPLES", 0))),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=True,
    )


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["flip", "truncate", "splice", "header"]))
    buffer = bytearray(data)
    if kind == "flip":
        for _ in range(draw(st.integers(1, 32))):
            position = draw(st.integers(0, len(buffer) - 1))
            buffer[position] = draw(st.integers(0, 255))
    elif kind == "truncate":
        buffer = buffer[: draw(st.integers(0, len(buffer) - 1))]
    elif kind == "splice":
        position = draw(st.integers(0, len(buffer)))
        buffer[position:position] = draw(st.binary(min_size=1, max_size=4096))
    else:  # the first bytes, where containers keep their headers
        for position in range(min(64, len(buffer))):
            if draw(st.booleans()):
                buffer[position] = draw(st.integers(0, 255))
    return bytes(buffer)


def check(path: Path) -> None:
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        result = sniff(path, LIMITS)
    except PipelineError as error:
        assert error.code in ERROR_CODES
    else:
        assert result.kind in {"audio", "video", "image"}
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "the input was modified"


@pytest.mark.parametrize("sample", MEDIA_SAMPLES)
def test_mutated_media_gets_a_known_answer(sample: str, samples: Path, tmp_path: Path) -> None:
    original = (samples / sample).read_bytes()
    # Keep the examples small enough that ffprobe answers quickly: the first 256 KiB.
    data = original[: 256 * 1024]

    @fuzz(examples=25)
    @given(mutations(data))
    def run(mutated: bytes) -> None:
        path = tmp_path / f"upload{Path(sample).suffix}"
        path.write_bytes(mutated)
        check(path)

    run()


@pytest.mark.parametrize("sample", IMAGE_SAMPLES)
def test_mutated_images_get_a_known_answer(sample: str, samples: Path, tmp_path: Path) -> None:
    data = (samples / sample).read_bytes()

    @fuzz(examples=40)
    @given(mutations(data))
    def run(mutated: bytes) -> None:
        path = tmp_path / f"upload{Path(sample).suffix}"
        path.write_bytes(mutated)
        check(path)
        try:
            info = inspect_image(path, max_pixels=LIMITS.max_pixels)
        except PipelineError as error:
            assert error.code in ERROR_CODES
        else:
            assert info.width > 0 and info.height > 0

    run()
