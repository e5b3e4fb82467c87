"""What can go wrong in a sync, by what to do about it: give up (:class:`SyncError`) or try
again (:class:`TransientError` and its kinds)."""

from __future__ import annotations


class SyncError(Exception):
    """A failure that retrying will not fix (bad token, package gone, bad answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientError(Exception):
    """A failure worth retrying: network, timeout, 5xx, 429, checksum mismatch.

    ``retry_after``: the seconds the server asked us to wait (``Retry-After``), if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChecksumMismatch(TransientError):
    """A file arrived whole but its SHA-256 is not the manifest's (retried; if it persists
    the package counts as failed verification, not as a network problem)."""


class ServerBusy(TransientError):
    """The server asked us to come back later than we are willing to wait in this pass:
    stop the pass (every other request would get the same answer) and report it."""


class RangeNotSatisfiable(TransientError):
    """416: the partial file does not fit the file on the server; start it over."""
