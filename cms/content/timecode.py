"""In/out points typed as editors in Việt Nam write times: seconds (``65`` or ``65,5``),
``phút:giây`` (``1:05``, ``1:05,5``) or ``giờ:phút:giây`` (``0:01:05``); a decimal comma
or point. Stored as seconds (a float); shown back as ``1:05`` / ``1:05,5``."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

_TIMECODE = re.compile(r"^(?:(?:(\d{1,2}):)?(\d{1,3}):)?(\d{1,5})(?:[.,](\d{1,3}))?$")


def parse_timecode(text: str) -> float:
    """Seconds for ``text``; ``ValueError`` when it is not a time."""
    value = text.strip().replace(" ", "")
    match = _TIMECODE.match(value)
    if not match:
        raise ValueError(text)
    hours, minutes, seconds, fraction = match.groups()
    if (hours is not None or minutes is not None) and int(seconds) >= 60:
        raise ValueError(text)
    if hours is not None and int(minutes) >= 60:
        raise ValueError(text)
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds)
    return round(total + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0), 3)


def format_timecode(seconds: float | None) -> str:
    """``65.5`` -> ``1:05,5``; ``3725`` -> ``1:02:05``."""
    if seconds is None:
        return ""
    millis = round(seconds * 1000)
    whole, ms = divmod(millis, 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    if ms:
        text += "," + f"{ms:03d}".rstrip("0")
    return text


class TimecodeFormField(forms.CharField):
    default_error_messages = {
        "invalid": _("Nhập thời điểm dạng giây (65 hoặc 65,5) hoặc phút:giây (1:05)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "1:05", "size": 10}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int | float):
            return format_timecode(float(value))
        return value

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_timecode(text)
        except ValueError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class TimecodeField(models.FloatField):
    """Seconds in the database, a timecode in the admin form."""

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": TimecodeFormField, **kwargs})
