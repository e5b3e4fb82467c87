"""The client's settings (from the command line, see ``cli.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Config:
    url: str
    token: str
    dest: Path
    timeout: float = 60.0
    max_attempts: int = 6
    backoff: float = 2.0
    max_backoff: float = 120.0
    # The longest Retry-After honoured by sleeping within a pass; longer ends the pass
    # with ServerBusy (the watch loop then sleeps as told, capped; one-shot mode exits).
    max_retry_after: float = 120.0
    # Re-check received bags with a full SHA-256 of every file (otherwise size + mtime).
    verify: bool = False
    chunk_bytes: int = 256 * 1024
    page_size: int = 100
    max_pages: int = 1000
