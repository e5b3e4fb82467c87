"""The sound files: Vietnamese speech (espeak-ng) over a tone bed, derived recordings at
given loudnesses and formats, a clipped one, and tone beds without speech."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .tools import BITEXACT, ffmpeg, run

#: What the Vietnamese radio recording says (espeak-ng, voice ``vi``).
RADIO_TEXT = (
    "Kính thưa bà con. Mọi trẻ em đều có quyền được học tập, vui chơi và được bảo vệ. "
    "Ở các thôn bản vùng cao, cán bộ xã cùng các gia đình đưa trẻ đến trường đúng tuổi."
)


def _speak(text: str, dest: Path) -> Path:
    run(["espeak-ng", "-v", "vi", "-s", "150", "-w", str(dest), text])
    return dest


def voice_track(work: Path, name: str, parts: Sequence[tuple[float, str]], seconds: float) -> Path:
    """Vietnamese speech placed at the given times over a quiet tone-and-noise bed.

    Written as 48 kHz mono float WAV, so later gains can push it past full scale and the
    clipping happens only where a sample asks for it.
    """
    inputs: list[str] = []
    chains: list[str] = []
    for index, (start, text) in enumerate(parts):
        inputs += ["-i", str(_speak(text, work / f"{name}-{index}.wav"))]
        chains.append(
            f"[{index}:a]aresample=48000,aformat=sample_fmts=flt:channel_layouts=mono,"
            f"adelay={round(start * 1000)}:all=1,apad[s{index}]"
        )
    n = len(parts)
    chains.append("anoisesrc=r=48000:c=pink:a=0.004:seed=7[noise]")
    chains.append("sine=f=110:r=48000,volume=0.02[low]")
    chains.append("sine=f=165:r=48000,volume=0.01[fifth]")
    labels = "".join(f"[s{i}]" for i in range(n))
    chains.append(
        f"{labels}[noise][low][fifth]amix=inputs={n + 3}:normalize=0,"
        f"atrim=duration={seconds},aformat=sample_fmts=flt:channel_layouts=mono[out]"
    )
    dest = work / f"{name}.wav"
    ffmpeg(
        *inputs,
        "-filter_complex",
        ";".join(chains),
        "-map",
        "[out]",
        "-c:a",
        "pcm_f32le",
        "-t",
        str(seconds),
        *BITEXACT,
        str(dest),
    )
    return dest


def tone_bed_graph(seconds: float, tempo: float, base_hz: float, step: int) -> str:
    """A plucked pentatonic line over a drone: music-like, with no speech in it."""
    x = f"mod(t*{tempo},1)"
    k = f"mod(floor(t*{tempo})*{step},5)"
    freq = f"{base_hz}*pow(2,(2*{k}+gte({k},3))/12)"
    envelope = f"pow(1-{x},2)*(1-exp(-80*{x}))"
    expr = f"0.35*{envelope}*sin(2*PI*{freq}*t)+0.06*sin(2*PI*{base_hz / 2}*t)"
    return f"aevalsrc=exprs='{expr}':s=48000:d={seconds}"


@dataclass(frozen=True)
class Audio:
    """A derived recording: a slice of a voice track at a given loudness and format."""

    name: str
    seconds: float
    target_lufs: float
    filters: str  # after the gain; ends in the output channel layout
    codec: tuple[str, ...]
    channel_gain_db: float = 0.0  # what the layout adds to the mono track's loudness


def derive(voice: Path, voice_lufs: float, out: Path, spec: Audio) -> None:
    gain = spec.target_lufs - voice_lufs - spec.channel_gain_db
    ffmpeg(
        "-i",
        str(voice),
        "-af",
        f"atrim=duration={spec.seconds},volume={gain:.2f}dB,{spec.filters}",
        *spec.codec,
        *BITEXACT,
        str(out / spec.name),
    )


STEREO = "pan=stereo|c0=c0|c1=c0"
SURROUND = "pan=5.1|FL=0.35*c0|FR=0.35*c0|FC=c0|LFE=0*c0|BL=0.2*c0|BR=0.2*c0"
# ebur128 adds the channels' powers (surrounds weighted +1.5 dB, LFE left out)
SURROUND_GAIN = 10 * math.log10(2 * 0.35**2 + 1 + 2 * 1.41 * 0.2**2)
S16 = ("-c:a", "pcm_s16le")

RADIO_AUDIO = (
    Audio("vi_segment_48k_stereo.wav", 15.0, -20.0, STEREO, S16, 10 * math.log10(2)),
    Audio(
        "vi_phone_8k_mono.wav",
        9.0,
        -23.0,
        "highpass=f=300,lowpass=f=3400,aresample=8000:resampler=soxr",
        (*S16, "-ar", "8000"),
    ),
    Audio(
        "vi_vbr_44k.mp3",
        8.57,
        -19.0,
        f"{STEREO},aresample=44100",
        ("-c:a", "libmp3lame", "-q:a", "4", "-ar", "44100"),
        10 * math.log10(2),
    ),
    Audio(
        "vi_very_quiet.m4a",
        12.0,
        -53.0,
        f"{STEREO},aresample=44100",
        ("-c:a", "aac", "-b:a", "96k", "-ar", "44100"),
        10 * math.log10(2),
    ),
    Audio("vi_speech.ogg", 8.6, -19.0, "anull", ("-c:a", "libopus", "-b:a", "48k")),
    Audio("vi_surround_5_1.wav", 12.0, -18.0, SURROUND, S16, SURROUND_GAIN),
)


def clipped(voice: Path, voice_lufs: float, out: Path) -> None:
    """Speech driven far past full scale, then stored as 16-bit: flat-topped peaks."""
    ffmpeg(
        "-i",
        str(voice),
        "-af",
        f"atrim=duration=9,volume={3.0 - voice_lufs:.2f}dB",
        *S16,
        *BITEXACT,
        str(out / "vi_clipped_loud.wav"),
    )


def tone_bed(out: Path, name: str, seconds: float, tempo: float, base: float, step: int) -> None:
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        tone_bed_graph(seconds, tempo, base, step),
        "-af",
        "volume=-6dB",
        "-c:a",
        "libopus",
        "-b:a",
        "48k",
        *BITEXACT,
        str(out / name),
    )


# --- video --------------------------------------------------------------------------------
