"""Done when: uploading each valid sample through the admin yields its renditions with correct
measured properties. Each sample goes through the master form; on commit the scheduled jobs run
through the task path (immediate backend in tests, the same task the workers run); every
output is read back with ffprobe and measured with ebur128, independently of the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cms.media.models import MediaMaster, MediaRendition, RenditionStatus
from media_pipeline.hashing import sha256_file
from tests.media_pipeline.conftest import decoded_duration, ebur128, ffprobe

ADD_MASTER = "/admin/snippets/media/mediamaster/add/"
AUDIO_SAMPLES = [
    "vi_segment_48k_stereo.wav",
    "vi_phone_8k_mono.wav",
    "vi_vbr_44k.mp3",
    "vi_very_quiet.m4a",
    "vi_clipped_loud.wav",
    "vi_speech.ogg",
    "vi_surround_5_1.wav",
]
#: codec, sample rate, channels (None: as the source, mono or stereo), target, ceiling
AUDIO = {
    "loudspeaker": ("mp3", 44100, 1, -16.0, -1.5),
    "broadcast": ("pcm_s16le", 48000, None, -23.0, -1.0),
    "web_audio": ("aac", 48000, None, -16.0, -1.0),
}


@pytest.fixture
def upload(client, make_user, settings, django_capture_on_commit_callbacks):
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": True}
    client.force_login(make_user("bientap", "editor"))

    def post(path: Path) -> MediaMaster:
        data = SimpleUploadedFile(path.name, path.read_bytes())
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ADD_MASTER, {"title": path.stem, "language": "vi", "file": data})
        assert response.status_code == 302, response.content.decode()[-2000:]
        return MediaMaster.objects.get(title=path.stem)

    return post


@pytest.mark.django_db
@pytest.mark.parametrize("sample", AUDIO_SAMPLES)
def test_audio_sample_upload_yields_measured_renditions(upload, samples, sample) -> None:
    source = samples / sample
    master = upload(source)
    source_channels = ffprobe(source)["streams"][0]["channels"]
    done = {r.profile: r for r in MediaRendition.objects.filter(master=master)}
    assert set(done) == {*AUDIO, "waveform"}
    for name, (codec, rate, channels, target, ceiling) in AUDIO.items():
        r = done[name]
        assert r.status == RenditionStatus.DONE, (name, r.error_code, r.error_detail)
        path = Path(r.file.path)
        stream = ffprobe(path)["streams"][0]
        assert stream["codec_name"] == codec and int(stream["sample_rate"]) == rate
        expected = channels or (1 if source_channels == 1 else 2)
        assert stream["channels"] == expected, name
        assert abs(decoded_duration(path) - decoded_duration(source)) <= 0.05, name
        integrated, peak, lra = ebur128(path, dual_mono=name == "loudspeaker")
        assert abs(integrated - target) <= 1.0, (name, integrated)
        assert peak <= ceiling, (name, peak)
        if name == "loudspeaker":
            assert lra <= 7.0
        assert r.loudness["output"] and r.loudness["input"]
        assert abs(r.loudness["output"]["integrated_lufs"] - integrated) <= 0.6
    assert done["waveform"].status == RenditionStatus.DONE
    assert sha256_file(master.file.path) == master.sha256  # the master is untouched


@pytest.mark.django_db
def test_video_sample_upload_yields_board_and_web_renditions(upload, samples) -> None:
    source = samples / "vi_report_1080p.mp4"
    master = upload(source)
    done = {r.profile: r for r in MediaRendition.objects.filter(master=master)}
    sizes = {"board_landscape": (1920, 1080), "board_portrait": (1080, 1920)}
    sizes["web_video"] = (1280, 720)
    for name, (w, h) in sizes.items():
        r = done[name]
        assert r.status == RenditionStatus.DONE, (name, r.error_code, r.error_detail)
        path = Path(r.file.path)
        video = next(s for s in ffprobe(path)["streams"] if s["codec_type"] == "video")
        assert (video["codec_name"], video["width"], video["height"]) == ("h264", w, h)
        assert video["pix_fmt"] == "yuv420p"
        if name.startswith("board"):
            assert video["avg_frame_rate"] == "25/1"
        assert abs(decoded_duration(path, "v:0") - decoded_duration(source, "v:0")) <= 0.05
        integrated, _, _ = ebur128(path)
        target = -23.0 if name.startswith("board") else -16.0
        assert abs(integrated - target) <= 1.0, (name, integrated)
    assert Path(done["web_video"].extra_files and done["web_video"].file.path).exists()
    assert {done[n].status for n in AUDIO} == {RenditionStatus.DONE}
