"""Every failure the media pipeline can report has a Vietnamese explanation."""

from media_pipeline.errors import ERROR_CODES


def test_every_error_code_has_a_vietnamese_message() -> None:
    """A failure the admin cannot explain is a failure the editor cannot fix."""
    from cms.media.messages import PIPELINE_MESSAGES

    missing = sorted(ERROR_CODES - PIPELINE_MESSAGES.keys())
    assert not missing, f"no Vietnamese message for {missing}"
