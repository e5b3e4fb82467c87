import pytest

from cms.media.subtitles import SubtitleError, to_webvtt, validate


def test_srt_sample_converts_to_webvtt(samples) -> None:
    vtt = to_webvtt((samples / "vi_report.km.srt").read_bytes())
    assert vtt.startswith("WEBVTT\n")
    assert "-->" in vtt and "," not in vtt.split("-->")[0].splitlines()[-1]
    assert any("\u1780" <= ch <= "\u17ff" for ch in vtt)


@pytest.mark.parametrize("raw", [b"", b"hello world", b"\xff\xfe\x00"])
def test_non_subtitles_are_refused(raw: bytes) -> None:
    with pytest.raises(SubtitleError):
        validate(raw)
