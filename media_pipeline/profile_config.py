"""Profiles from settings: a plain dict overrides, derives, declares or removes profiles
(:func:`profiles_from_config`; the accepted forms are in :mod:`media_pipeline.profiles`)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, Union

from .profile_defaults import DEFAULT_PROFILES, board_native
from .profile_types import (
    AudiogramProfile,
    AudioProfile,
    ImageProfile,
    Profile,
    SocialVideoProfile,
    VideoProfile,
    WaveformProfile,
    _bad,
)

_TYPES: dict[str, type[Any]] = {
    "audio": AudioProfile,
    "video": VideoProfile,
    "image": ImageProfile,
    "waveform": WaveformProfile,
    "social": SocialVideoProfile,
    "audiogram": AudiogramProfile,
}


def _coerce(cls: type[Any], name: str, key: str, value: Any) -> Any:
    hints = typing.get_type_hints(cls)
    if key not in hints or key == "kind":
        raise _bad(f"{name}: unknown field {key!r} for {cls.__name__}")
    hint = hints[key]
    allowed = typing.get_args(hint) if typing.get_origin(hint) in (Union, types.UnionType) else ()
    if value is None:
        if type(None) in allowed:
            return None
        raise _bad(f"{name}: field {key!r} may not be empty")
    base = next((a for a in allowed if a is not type(None)), hint)
    origin = typing.get_origin(base)
    try:
        if base is bool:
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on")
            return bool(value)
        if base is int:
            return int(value)
        if base is float:
            return float(value)
        if base is str:
            return str(value)
        if origin is Literal:
            if value not in typing.get_args(base):
                raise _bad(f"{name}: {key}={value!r} not one of {typing.get_args(base)}")
            return value
        if origin is tuple:
            items = value.items() if isinstance(value, Mapping) else value
            return tuple(sorted((str(k), str(v)) for k, v in items))
    except (TypeError, ValueError) as exc:
        raise _bad(f"{name}: bad value for {key!r}: {value!r}") from exc
    return value


def _apply(profile: Profile | None, cls: type[Any], name: str, fields: Mapping[str, Any]) -> Any:
    values = {k: _coerce(cls, name, k, v) for k, v in fields.items()}
    values["name"] = name
    try:
        if profile is None:
            return cls(**values)
        return dataclasses.replace(profile, **values)
    except TypeError as exc:  # missing required fields
        raise _bad(f"{name}: {exc}") from exc


def profiles_from_config(
    config: Mapping[str, Mapping[str, Any] | None] | None,
    base: Mapping[str, Profile] = DEFAULT_PROFILES,
) -> dict[str, Profile]:
    """Return ``base`` with overrides from a plain settings dict applied.

    * ``{"loudspeaker": {"bitrate": "96k"}}`` overrides fields of an existing profile;
    * ``{"new_name": {"extends": "broadcast", ...}}`` derives a new profile;
    * ``{"new_name": {"type": "audio" | "video" | "image" | "waveform", ...}}`` declares one;
    * ``{"wall": {"type": "board_native", "width": 384, "height": 192}}`` uses the factory;
    * ``{"name": None}`` removes a profile.

    Unknown fields or invalid values raise ``PipelineError("invalid_profile")``.
    """
    result: dict[str, Profile] = dict(base)
    for name, raw in (config or {}).items():
        if raw is None:
            result.pop(name, None)
            continue
        if not isinstance(raw, Mapping):
            raise _bad(f"{name}: profile override must be a mapping")
        fields = dict(raw)
        ptype = fields.pop("type", None)
        extends = fields.pop("extends", None)
        if ptype == "board_native":
            try:
                start: Profile = board_native(
                    int(fields.pop("width")), int(fields.pop("height")), name=name
                )
            except KeyError as exc:
                raise _bad(f"{name}: board_native needs width and height") from exc
            result[name] = _apply(start, VideoProfile, name, fields)
            continue
        parent: Profile | None
        if extends is not None:
            if extends not in result:
                raise _bad(f"{name}: extends unknown profile {extends!r}")
            parent = result[extends]
        else:
            parent = result.get(name)
        if parent is not None:
            cls: type[Any] = type(parent)
        elif ptype in _TYPES:
            cls = _TYPES[str(ptype)]
        else:
            raise _bad(f"{name}: new profiles need 'type' (audio/video/image/board_native)")
        if ptype is not None and ptype in _TYPES and _TYPES[str(ptype)] is not cls:
            raise _bad(f"{name}: type {ptype!r} does not match the existing profile")
        result[name] = _apply(parent, cls, name, fields)
    return result
