"""What shapes a rendition besides its master and its profile (issue 17: 3; issue 18: 2).

Burned-in subtitles (their bytes and language), the item's title (an audiogram's caption)
and the editor's in/out points (the social versions' cut) all change the output, so they are
part of the rendition's key: change the subtitles and the board and social versions are made
again; two byte-identical masters in different languages never share burned subtitles.

They belong to the item, which the media layer does not know: the content layer registers a
provider (``register_provider`` in its ``AppConfig.ready``) that gives the inputs of a
master's item, and the scheduler and the worker ask :func:`inputs_for`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cms.media.models import MediaMaster
from media_pipeline.hashing import rendition_key
from media_pipeline.profiles import AudiogramProfile, SocialVideoProfile, VideoProfile


@dataclass(frozen=True)
class RenditionInputs:
    """The item-side inputs of a master's renditions."""

    #: a stored subtitle document (``CustomDocument``: SRT), or None
    subtitles: Any = None
    subtitles_language: str = ""
    #: the item's title, shown on an audiogram
    caption: str = ""
    cut_in: float | None = None
    cut_out: float | None = None


Provider = Callable[[MediaMaster], RenditionInputs | None]
_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> Provider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def inputs_for(master: MediaMaster) -> RenditionInputs | None:
    """The inputs of the item this master belongs to; None when no item uses it yet."""
    for provider in _PROVIDERS:
        found = provider(master)
        if found is not None:
            return found
    return None


def subtitles_digest(inputs: RenditionInputs | None) -> str:
    """SHA-256 of the subtitle file's bytes ("" without subtitles)."""
    if inputs is None or inputs.subtitles is None or not inputs.subtitles.file:
        return ""
    from cms.media.renditions import file_sha256

    return file_sha256(inputs.subtitles.file)


def burns_subtitles(profile: object) -> bool:
    return isinstance(profile, VideoProfile | SocialVideoProfile | AudiogramProfile) and bool(
        profile.burn_subtitles
    )


def is_item_profile(profile: object) -> bool:
    """Made from an item (cut, title), not from the master alone."""
    return isinstance(profile, SocialVideoProfile | AudiogramProfile)


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def key_extra(profile: object, inputs: RenditionInputs | None, digest: str) -> dict[str, str]:
    """The inputs that shape ``profile``'s output, as ``rendition_key`` extras. A profile
    they do not shape (audio, web video, waveform) keeps the key it always had."""
    extra: dict[str, str] = {}
    if inputs is None:
        return extra
    if burns_subtitles(profile) and digest:
        extra["subtitles"] = digest
        extra["subtitles_language"] = inputs.subtitles_language
    if is_item_profile(profile):
        extra["cut_in"] = _seconds(inputs.cut_in)
        extra["cut_out"] = _seconds(inputs.cut_out)
    if isinstance(profile, AudiogramProfile):
        extra["caption"] = inputs.caption
    return extra


def key_for(
    master: MediaMaster, profile: object, inputs: RenditionInputs | None, digest: str
) -> str:
    return rendition_key(master.sha256, profile, **key_extra(profile, inputs, digest))
