"""The media system checks name what is missing before a worker fails on an upload."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks

from media_pipeline import ffmpeg_adapter
from media_pipeline.errors import PipelineError


def media_ids() -> list[str]:
    return sorted(m.id for m in run_checks() if m.id and m.id.startswith("media."))


def test_a_complete_machine_passes() -> None:
    assert media_ids() == []


def test_missing_ffmpeg_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ffmpeg_adapter, "FFMPEG_BIN", "ffmpeg-that-is-not-installed")
    assert media_ids() == ["media.E001"]


def test_invalid_profile_override_is_an_error(settings) -> None:
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "PROFILE_OVERRIDES": {"web_audio": {"bogus": 1}}}
    messages = [m for m in run_checks() if m.id == "media.E002"]
    assert len(messages) == 1
    assert "bogus" in messages[0].msg


def test_an_encoder_ffmpeg_lacks_is_named_with_its_profile(settings) -> None:
    settings.CMS_MEDIA = {
        **settings.CMS_MEDIA,
        "PROFILE_OVERRIDES": {"radio_x": {"extends": "broadcast", "codec": "no_such_enc"}},
    }
    messages = [m for m in run_checks() if m.id == "media.E003"]
    assert len(messages) == 1
    assert "no_such_enc" in messages[0].msg and "radio_x" in messages[0].msg


def test_a_missing_script_font_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from cms.media import checks

    def no_khmer(script: str) -> str:
        if script == "khmer":
            raise PipelineError("invalid_argument", "font missing")
        return "/usr/share/fonts/x.ttf"

    monkeypatch.setattr(checks, "find_font", no_khmer)
    messages = [m for m in run_checks() if m.id == "media.W001"]
    assert len(messages) == 1
    assert "NotoSansKhmer" in messages[0].msg
