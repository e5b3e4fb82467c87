"""The demo and test media, made from the tools the project already needs.

Every file is synthetic: speech comes from espeak-ng's Vietnamese voice over a quiet tone
bed, pictures from ffmpeg's test sources or from Pillow drawing, and the broken files are a
few literal bytes. Nothing is downloaded and nothing outside the repository is read, so a
fresh clone can build the set on its own (docs/samples.md lists each file and how it is
made).

:func:`ensure_samples` writes the set into a temporary folder beside its destination and
renames it into place, so no reader ever sees a half-written file. A stamp file in the
folder records a digest of this package's sources and the versions of ffmpeg, espeak-ng and
Pillow; while it matches, nothing is generated again. Seeds are fixed and encoders run
single-threaded with ffmpeg's ``bitexact`` flags, so two runs on one machine give the same
bytes (other machines, with other encoder versions, may differ slightly).

No synthetic voice exists here for Khmer, Tày or Hmong, so the demo's recordings in those
languages are tone beds without speech (``km_tone_bed.ogg``, ``tyz_tone_bed.ogg``,
``km_test_pattern_720p.mp4``), and the demo says so in its text.

The files are made by :mod:`.sound`, :mod:`.video`, :mod:`.pictures` and :mod:`.small_files`
with the tools of :mod:`.tools`.

Usage: ``python -m media_pipeline.samples DEST``
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import PIL

from . import pictures, video
from .small_files import VI_SUBTITLES, write_small_files
from .sound import RADIO_AUDIO, RADIO_TEXT, clipped, derive, tone_bed, voice_track
from .tools import SampleError, integrated_lufs, tool_version

__all__ = ["SAMPLE_FILES", "STAMP_NAME", "SampleError", "ensure_samples", "generate", "is_current"]

STAMP_NAME = ".samples-stamp"

#: Each generated file and what it stresses (the table in docs/samples.md says the same).
SAMPLE_FILES: dict[str, str] = {
    "vi_segment_48k_stereo.wav": "15 s radio segment, 48 kHz stereo PCM, about -20 LUFS",
    "vi_phone_8k_mono.wav": "telephone-quality field recording, 8 kHz mono PCM",
    "vi_vbr_44k.mp3": "VBR MP3 at 44.1 kHz (duration from the Xing header)",
    "vi_very_quiet.m4a": "AAC at about -53 LUFS",
    "vi_clipped_loud.wav": "clipped PCM at about -5 LUFS, true peak above 0 dBFS",
    "vi_speech.ogg": "Opus in Ogg, 48 kHz mono",
    "vi_surround_5_1.wav": "5.1 PCM (speech in the centre channel)",
    "vi_report_1080p.mp4": "12 s 1080p30 H.264 with AAC speech timed to the subtitles",
    "phone_portrait_rotated.mp4": "1920x1080 stored with a 90 degree rotation (phone video)",
    "archive_sd_interlaced.mpg": "720x576 4:3 interlaced (top field first) MPEG-2 with MP2",
    "silent_no_audio.mp4": "720p H.264 without an audio stream",
    "vi_report.vi.srt": "Vietnamese subtitles for vi_report_1080p.mp4",
    "vi_report.km.srt": "Khmer subtitles for vi_report_1080p.mp4",
    "photo_3000x2000.jpg": "3000x2000 RGB JPEG photo stand-in",
    "poster_cmyk.jpg": "CMYK JPEG (Adobe) with six pure colour bars",
    "poster_scan_16bit.tif": "16-bit RGB TIFF (SMPTE bars)",
    "logo_alpha.png": "800x600 RGBA PNG with a half-transparent background",
    "bad_truncated.mp3": "the VBR MP3 cut after a fifth of its bytes",
    "bad_text_named.mp3": "a line of text named .mp3",
    "bad_empty.wav": "0 bytes",
    "bad_decompression_bomb.png": "a tiny PNG whose header claims 60000x60000 pixels",
    "km_tone_bed.ogg": "demo: Khmer version's recording, a tone bed without speech (Opus)",
    "tyz_tone_bed.ogg": "demo: Tày version's recording, a tone bed without speech (Opus)",
    "km_test_pattern_720p.mp4": "demo: Khmer video, SMPTE HD bars with a tone bed, no text",
}


#: The generator's sources: every module of this package, in name order.
SOURCES = tuple(sorted(Path(__file__).parent.glob("*.py")))


def stamp_text() -> str:
    """What the set depends on: this package's sources and the tools' versions."""
    digest = hashlib.sha256()
    for path in SOURCES:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return (
        f"generator {digest.hexdigest()}\n"
        f"{tool_version(['ffmpeg', '-version'])}\n"
        f"{tool_version(['espeak-ng', '--version'])}\n"
        f"Pillow {PIL.__version__}\n"
    )


def is_current(dest: Path) -> bool:
    stamp = dest / STAMP_NAME
    try:
        if stamp.read_text(encoding="utf-8") != stamp_text():
            return False
    except OSError:
        return False
    return all((dest / name).is_file() for name in SAMPLE_FILES)


@contextmanager
def _locked(dest: Path) -> Iterator[None]:
    """One generator at a time per destination (tests and the demo may start together)."""
    lock = dest.parent / f".{dest.name}.lock"
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_samples(dest: Path) -> Path:
    """The complete sample set in ``dest``, generated only when missing or out of date."""
    dest = Path(dest).absolute()
    if is_current(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _locked(dest):
        if is_current(dest):  # another process finished it while we waited
            return dest
        partial = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
        try:
            partial.chmod(0o755)  # mkdtemp makes 0700; the web server reads the demo's copy
            generate(partial)
            (partial / STAMP_NAME).write_text(stamp_text(), encoding="utf-8")
            if dest.exists() or dest.is_symlink():
                old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
                os.rename(dest, old / "set")
                os.rename(partial, dest)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(partial, dest)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return dest


# --- the whole set ------------------------------------------------------------------------


def generate(out: Path, workers: int | None = None) -> None:
    """Writes every file of :data:`SAMPLE_FILES` into the existing folder ``out``."""
    work = out / ".work"
    work.mkdir()
    try:
        radio = voice_track(work, "radio", [(0.6, RADIO_TEXT)], 15.0)
        cues = voice_track(
            work, "cues", [(start, text) for start, _end, text in VI_SUBTITLES], 12.0
        )
        radio_lufs, cue_lufs = integrated_lufs(radio), integrated_lufs(cues)
        jobs: list[Callable[[], None]] = [
            lambda: video.report_video(cues, cue_lufs, out),
            lambda: video.rotated_video(radio, radio_lufs, out, work),
            lambda: video.km_video(out),
            lambda: video.silent_video(out),
            lambda: video.interlaced_video(radio, radio_lufs, out),
            lambda: pictures.tiff_16bit(out),
            lambda: pictures.photo(out),
            lambda: pictures.poster_cmyk(out),
            lambda: pictures.logo_alpha(out),
            lambda: clipped(radio, radio_lufs, out),
            lambda: tone_bed(out, "km_tone_bed.ogg", 15.0, 2.0, 220.0, 3),
            lambda: tone_bed(out, "tyz_tone_bed.ogg", 15.0, 2.5, 262.0, 2),
            lambda: write_small_files(out),
            *[(lambda spec=spec: derive(radio, radio_lufs, out, spec)) for spec in RADIO_AUDIO],
        ]
        count = workers or min(2, os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=count) as pool:
            for future in [pool.submit(job) for job in jobs]:
                future.result()
        mp3 = (out / "vi_vbr_44k.mp3").read_bytes()
        (out / "bad_truncated.mp3").write_bytes(mp3[: len(mp3) // 5])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    missing = [name for name in SAMPLE_FILES if not (out / name).is_file()]
    if missing:
        raise SampleError(f"not generated: {', '.join(missing)}")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m media_pipeline.samples DEST", file=sys.stderr)
        return 2
    dest = Path(args[0])
    cached = is_current(dest.absolute())
    started = time.monotonic()
    try:
        ensure_samples(dest)
    except SampleError as exc:
        print(f"samples: {exc}", file=sys.stderr)
        return 1
    size = sum((dest / name).stat().st_size for name in SAMPLE_FILES)
    how = "up to date" if cached else f"generated in {time.monotonic() - started:.1f} s"
    print(f"{len(SAMPLE_FILES)} sample files in {dest} ({size / 1e6:.1f} MB), {how}")
    return 0
