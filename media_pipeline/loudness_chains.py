"""Processing chains of an audio rendition: float samples, downmix, resampling,
band-limiting (before the gain), then linear gain and the limiter."""

from __future__ import annotations

from .ffmpeg_adapter import FilterSpec, flt
from .probe import AudioStreamInfo
from .profiles import AudioProfile

#: floating-point sample formats every chain converts to first
FLOAT_FORMATS = "fltp|flt|dblp|dbl"
#: 1/sqrt(2): -3 dB for centre and surrounds in the ITU-R BS.775 downmix
M3DB = 0.7071


def target_channels(profile: AudioProfile, audio: AudioStreamInfo) -> int:
    if profile.channels == "mono":
        return 1
    if profile.channels == "stereo":
        return 2
    return 1 if audio.channels == 1 else 2


def channel_filters(out_channels: int, audio: AudioStreamInfo) -> list[FilterSpec]:
    """Explicit downmix matrices (ITU-R BS.775: centre and surrounds at -3 dB).

    The LFE channel is dropped, as in the ITU downmix: it carries nothing a loudspeaker or
    radio listener needs, and adding it would make the downmix boom. Channel positions follow
    the WAV/ffmpeg order (FL FR FC LFE BL BR [SL SR]); layouts other than mono, stereo, 5.x
    and 7.1 fall back to ffmpeg's default rematrixing (also ITU-based).
    """
    source = audio.channels
    if out_channels == 1:
        if source == 1:
            expr = "mono|c0=c0"
        elif source == 2:
            expr = "mono|c0=0.5*c0+0.5*c1"
        elif source in (5, 6):
            back_left, back_right = (3, 4) if source == 5 else (4, 5)
            surround = M3DB / 2
            expr = (
                f"mono|c0=0.5*c0+0.5*c1+{M3DB}*c2"
                f"+{surround:.4f}*c{back_left}+{surround:.4f}*c{back_right}"
            )
        elif source == 8:
            surround = M3DB / 2
            expr = f"mono|c0=0.5*c0+0.5*c1+{M3DB}*c2" + "".join(
                f"+{surround:.4f}*c{channel}" for channel in (4, 5, 6, 7)
            )
        else:
            return [flt("aformat", channel_layouts="mono")]
    elif source == 1:
        expr = "stereo|c0=c0|c1=c0"
    elif source == 2:
        expr = "stereo|c0=c0|c1=c1"
    elif source in (5, 6):
        back_left, back_right = (3, 4) if source == 5 else (4, 5)
        expr = f"stereo|c0=c0+{M3DB}*c2+{M3DB}*c{back_left}|c1=c1+{M3DB}*c2+{M3DB}*c{back_right}"
    elif source == 8:
        expr = f"stereo|c0=c0+{M3DB}*c2+{M3DB}*c4+{M3DB}*c6|c1=c1+{M3DB}*c2+{M3DB}*c5+{M3DB}*c7"
    else:
        return [flt("aformat", channel_layouts="stereo")]
    return [flt("pan", args=expr)]


def pre_chain(profile: AudioProfile, audio: AudioStreamInfo) -> tuple[FilterSpec, ...]:
    """Pre-processing before gain: float samples, downmix, resampling, band-limiting."""
    chain: list[FilterSpec] = [flt("aformat", sample_fmts=FLOAT_FORMATS)]
    chain += channel_filters(target_channels(profile, audio), audio)
    chain.append(
        # soxr is a high-quality resampler (8 kHz phone audio up to 44.1/48 kHz)
        # (precision 20 bits, soxr's "high quality": ~120 dB, beyond any 16-bit output)
        flt("aresample", osr=profile.sample_rate, resampler="soxr", precision=20)
    )
    if profile.highpass_hz:
        chain.append(flt("highpass", f=profile.highpass_hz))
    if profile.lowpass_hz:
        chain.append(flt("lowpass", f=profile.lowpass_hz))
    return tuple(chain)


def leveller() -> FilterSpec:
    """Gentle slow leveller used only when a source's LRA exceeds the profile's maximum."""
    return flt("dynaudnorm", f=250, g=11, p=0.7, m=20)


def limiter_ceiling_db(profile: AudioProfile) -> float:
    return profile.true_peak_dbtp - profile.limiter_margin_db


def gain_chain(gain_db: float, profile: AudioProfile) -> tuple[FilterSpec, ...]:
    """Linear gain followed by a look-ahead limiter (``level=0``: no auto make-up gain)."""
    limit = 10 ** (limiter_ceiling_db(profile) / 20)
    return (
        flt("volume", volume=f"{gain_db:.2f}dB", precision="float"),
        flt("alimiter", limit=f"{limit:.5f}", attack=2, release=30, level=0, latency=1),
    )
