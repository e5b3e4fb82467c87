"""Errors raised by the media pipeline.

Every failure leaves the library as a :class:`PipelineError` carrying a stable machine ``code``
(the Django side maps codes to translated, user-facing messages; never change a code's meaning),
a ``permanent`` flag (``True``: the input itself is bad or the job was deliberately stopped, so
retrying cannot help; ``False``: a transient condition, a retry may succeed) and an English
``detail`` for logs and administrators.

Stable codes
------------
==================== ========= ===========================================================
code                 permanent meaning
==================== ========= ===========================================================
``not_found``        yes       the source file does not exist / is not a regular file
``empty_file``       yes       the source file has 0 bytes
``not_media``        yes       the content is not audio, video or an image (e.g. a text file
                               named ``.mp3``); decided from content, never from the extension
``unreadable``       yes       looks like media but ffprobe / Pillow cannot read it
``truncated``        yes       the file is cut off so badly that nothing usable can be read
``no_audio``         yes       an audio rendition was requested from a source without audio
``no_video``         yes       a video rendition was requested from a source without video
``too_long``         yes       duration above the configured maximum (checked before decoding)
``too_many_pixels``  yes       frame / image pixel count above the configured maximum
``decompression_bomb`` yes     an image whose header claims a gigantic size; refused before
                               any pixel memory is allocated
``invalid_profile``  yes       a profile or profile override is invalid
``invalid_argument`` yes       a caller error (e.g. missing subtitle file, bad destination)
``ffmpeg_failed``    usually   ffmpeg exited with an error; permanent when it rejected the
                               input, transient when it was killed by a signal or ran out of
                               disk space / memory
``ffmpeg_missing``   no        the ffmpeg / ffprobe executable is not installed
``timeout``          no        ffmpeg ran longer than the allowed time and was killed
``cancelled``        yes       ``should_cancel()`` returned true; the job was stopped on
                               purpose, so it must not be retried automatically
``io_error``         no        reading or writing a file failed at the OS level
``disk_full``        no        no space (or quota) left where the output or a temporary file
                               is written; nothing was published, a retry after room is made
                               succeeds
==================== ========= ===========================================================
"""

from __future__ import annotations

import errno
from typing import Final

PERMANENT_CODES: Final[frozenset[str]] = frozenset(
    {
        "not_found",
        "empty_file",
        "not_media",
        "unreadable",
        "truncated",
        "no_audio",
        "no_video",
        "too_long",
        "too_many_pixels",
        "decompression_bomb",
        "invalid_profile",
        "invalid_argument",
        "ffmpeg_failed",
        "cancelled",
    }
)
TRANSIENT_CODES: Final[frozenset[str]] = frozenset(
    {"ffmpeg_missing", "timeout", "io_error", "disk_full"}
)
#: ``errno`` values that mean "the disk is full" (no space, quota exceeded, file too large)
DISK_FULL_ERRNOS: Final[frozenset[int]] = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
ERROR_CODES: Final[frozenset[str]] = PERMANENT_CODES | TRANSIENT_CODES


class PipelineError(Exception):
    """A media processing failure with a stable machine-readable ``code``."""

    def __init__(self, code: str, detail: str, *, permanent: bool | None = None) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown pipeline error code {code!r}")
        self.code = code
        self.detail = detail
        self.permanent = code in PERMANENT_CODES if permanent is None else permanent
        super().__init__(f"{code}: {detail}")

    def __reduce__(self) -> tuple[object, ...]:
        # Keep the error picklable (task queues pickle exceptions) despite keyword-only args.
        return (_rebuild, (self.code, self.detail, self.permanent))

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly representation for job records."""
        return {"code": self.code, "detail": self.detail, "permanent": self.permanent}


def _rebuild(code: str, detail: str, permanent: bool) -> PipelineError:
    return PipelineError(code, detail, permanent=permanent)


def os_error(exc: OSError, detail: str) -> PipelineError:
    """The pipeline error for a failed file operation: ``disk_full`` or ``io_error``."""
    code = "disk_full" if exc.errno in DISK_FULL_ERRNOS else "io_error"
    return PipelineError(code, f"{detail}: {exc}")
