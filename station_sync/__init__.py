"""Sync client for stations: fetch broadcast packages, resume, verify, confirm receipt.

Standard library only (Python 3.9+), so a station can run it on any Linux or Windows PC::

    python -m station_sync sync --url https://cms.example.vn --dest D:\\GoiPhatSong --watch

The token is read from ``--token``, ``--token-file`` or the ``STATION_SYNC_TOKEN``
environment variable (preferred: command lines are visible to other users).
"""

from station_sync.client import Client, Config, SyncResult, sync

__all__ = ["Client", "Config", "SyncResult", "sync"]
__version__ = "1.0.0"
