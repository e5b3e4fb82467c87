"""File format identification with FIDO (Open Preservation Foundation), which matches
files against the UK National Archives' PRONOM signatures and gives PRONOM identifiers
(PUIDs such as ``fmt/141``) for the PREMIS ``formatRegistry``.

FIDO reads the first and last 128 kB of a file, so a multi-gigabyte master costs two
small reads. The signature files ship inside the ``opf-fido`` package (no download at run
time); their version goes into the PREMIS agent of the identification event.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fido import CONFIG_DIR
from fido import __version__ as FIDO_VERSION
from fido.fido import Fido
from fido.versions import get_local_versions

__all__ = ["FIDO_VERSION", "FormatMatch", "identify", "signature_versions"]


@dataclass(frozen=True)
class FormatMatch:
    puid: str
    name: str
    version: str
    mime: str
    basis: str  # "signature" (content) or "extension" (name only)


@cache
def signature_versions() -> dict[str, str]:
    """The PRONOM signature files FIDO uses (e.g. ``formats-v109.xml``)."""
    local = get_local_versions(CONFIG_DIR)
    return {
        "pronom": str(local.pronom_version),
        "pronom_signature": str(local.pronom_signature),
        "container_signature": str(local.pronom_container_signature),
        "extension_signature": str(local.fido_extension_signature),
    }


def agent_note() -> str:
    versions = signature_versions()
    return (
        f"PRONOM signature file {versions['pronom_signature']} (v{versions['pronom']}), "
        f"container signatures {versions['container_signature']}, "
        f"FIDO extension signatures {versions['extension_signature']}"
    )


@cache
def _fido() -> Fido:
    versions = signature_versions()
    return Fido(
        quiet=True,
        nocontainer=True,  # no ZIP/OLE containers among the archive's content files
        format_files=[versions["pronom_signature"], versions["extension_signature"]],
        handle_matches=lambda *args, **kwargs: None,
    )


def _text(element: Any, name: str) -> str:
    found = element.find(name)
    return (found.text or "").strip() if found is not None and found.text else ""


def identify(path: Path, mime: str = "") -> FormatMatch | None:
    """The PRONOM format of a file: by signature when one matches, else by extension;
    among several candidates the one whose MIME type is ``mime`` (our own guess), else
    FIDO's first. None when nothing matches."""
    fido = _fido()
    size = os.stat(path).st_size
    matches: list[tuple[Any, str]] = []
    basis = "signature"
    if size > 0:
        with path.open("rb") as handle:
            bof, eof, _ = fido.get_buffers(handle, size, seekable=True)
        matches = list(fido.match_formats(bof, eof))
    if not matches:
        basis = "extension"
        matches = list(fido.match_extensions(str(path)))
    if not matches:
        return None
    wanted = mime.split(";")[0].strip().lower()
    chosen = next(
        (f for f, _sig in matches if wanted and _text(f, "mime").lower() == wanted),
        matches[0][0],
    )
    return FormatMatch(
        puid=fido.get_puid(chosen),
        name=_text(chosen, "name"),
        version=_text(chosen, "version"),
        mime=_text(chosen, "mime"),
        basis=basis,
    )
