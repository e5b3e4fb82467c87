"""The local production stack and its parts, for scripts, benchmarks and tests (not product
code): free ports and waiting for them (``ports``), child processes (``processes``), nginx
with the deployed site configuration (``nginx``), TOTP codes (``totp``), a small HTTP/1.1
client (``http``) and the whole production setup on loopback (``stack``).

Importable from the repository root without ``sys.path`` edits: run the scripts and
benchmarks as modules (``.venv/bin/python -m scripts.prod_local``,
``.venv/bin/python -m benchmarks.stations_polling``); pytest puts the root on the path.
Standard library only at import time (``psutil`` and ``django_otp`` where used).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
