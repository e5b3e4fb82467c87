"""The files of an item's archival bag, planned from the database alone (no media read)."""

from __future__ import annotations

import hashlib
import mimetypes
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.db.models.fields.files import FieldFile

from cms.archive.items import Item, version_master
from cms.content.itemtypes import ItemKind, kind_of
from cms.media.models import MediaMaster, MediaRendition
from cms.media.storage import safe_file_name

#: what ``plan_bag_files`` returns: the files, each language's bag paths, each language's
#: named roles (``master``, ``subtitles``, ``items``...) for the record's version fields
BagFilePlan = tuple[list["MediaFile"], dict[str, list[str]], dict[str, dict[str, Any]]]


@dataclass
class MediaFile:
    """A file the archival package will hold, planned from the database alone.

    ``digest`` identifies the content without reading it (the master's SHA-256, Wagtail's
    SHA-1 of an image), so an unchanged item is recognised without touching its media.
    """

    path: str  # POSIX path under the bag's data/ directory, NFC
    role: str  # master | rendition | subtitles | poster | image | text
    language: str
    mime: str
    digest: str
    size: int | None
    source: FieldFile | None = None
    text: str | None = None
    profile: str = ""
    object_ref: str = ""
    technical: dict[str, Any] = field(default_factory=dict)
    loudness: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""
    title: str = ""  # images: the title, from which the bag's file name comes

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "path": f"data/{self.path}",
            "role": self.role,
            "mimeType": self.mime,
        }
        if self.language:
            described["language"] = self.language
        if self.size is not None:
            described["size"] = self.size
        if self.sha256:
            described["sha256"] = self.sha256
        if self.profile:
            described["profile"] = self.profile
        if self.title:
            described["title"] = self.title
        return described


class PathAllocator:
    """Unique, Unicode-preserving paths: names keep their script (NFC), and two files
    whose names differ only by case or normalisation get a ``-2`` suffix, because the
    USB disks provinces use are case-insensitive (exFAT/FAT32)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def allocate(self, folder: str, name: str) -> str:
        clean = safe_file_name(name)
        stem, ext = _split_ext(clean)
        candidate = f"{folder}/{clean}"
        n = 1
        while self._key(candidate) in self.taken:
            n += 1
            candidate = f"{folder}/{stem}-{n}{ext}"
        self.taken.add(self._key(candidate))
        return unicodedata.normalize("NFC", candidate)

    @staticmethod
    def _key(path: str) -> str:
        return unicodedata.normalize("NFC", path).casefold()


def _split_ext(name: str) -> tuple[str, str]:
    suffix = PurePosixPath(name).suffix
    if suffix and len(suffix) <= 16 and suffix != name:
        return name[: -len(suffix)], suffix
    return name, ""


def _mime(name: str, default: str = "application/octet-stream") -> str:
    guessed = mimetypes.guess_type(name)[0]
    if name.lower().endswith(".srt"):
        return "application/x-subrip"
    if name.lower().endswith(".vtt"):
        return "text/vtt"
    return guessed or default


def _text_file(
    allocator: PathAllocator, folder: str, name: str, text: str, language: str, ref: str
) -> MediaFile:
    data = unicodedata.normalize("NFC", text).encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    return MediaFile(
        path=allocator.allocate(folder, name),
        role="text",
        language=language,
        mime="text/plain; charset=utf-8",
        digest=f"sha256:{digest}",
        size=len(data),
        text=unicodedata.normalize("NFC", text),
        object_ref=ref,
        sha256=digest,
    )


def plan_bag_files(item: Item) -> BagFilePlan:
    """Every content file of the item with its bag path, and each language's paths.

    A master shared by two versions (a translation still using the source's recording)
    is packed once, under its own language; renditions follow their master.
    """
    planner = BagFilePlanner()
    by_language: dict[str, list[str]] = {}
    named: dict[str, dict[str, Any]] = {}
    for version in item.versions:
        language = version.locale.language_code
        paths: list[str] = []
        roles: dict[str, Any] = {}
        master = version_master(version)
        if master is not None:
            master_paths = planner.master(master)
            paths.extend(master_paths)
            roles["master"] = f"data/{master_paths[0]}"
        kind = kind_of(version)
        if kind is not None:
            _plan_bag_files_beside_master(planner, kind, version, language, paths, roles)
            if kind.has_exhibits:
                _plan_exhibition_bag_files(planner, kind, version, language, paths, roles)
        by_language[language] = paths
        named[language] = roles
    return planner.files, by_language, named


class BagFilePlanner:
    """The files of one item as they are planned: each master, document and image once,
    whichever language versions use it, under a path no other file of the bag has."""

    def __init__(self) -> None:
        self.allocator = PathAllocator()
        self.files: list[MediaFile] = []
        self.masters: dict[int, list[str]] = {}
        self.documents: dict[int, str] = {}
        self.images: dict[int, str] = {}

    def master(self, master: MediaMaster) -> list[str]:
        """The master's path and its renditions' (the master's first)."""
        if master.pk not in self.masters:
            self.masters[master.pk] = _master_files(master, self.allocator, self.files)
        return self.masters[master.pk]

    def document(self, document: Any, language: str) -> str:
        """A subtitles document, under its own language (else the version's)."""
        if document.pk not in self.documents:
            own = document.language or language
            self.documents[document.pk] = self._stored(
                document, f"{own}/subtitles", "subtitles", own, f"document:{document.pk}"
            )
        return self.documents[document.pk]

    def image(self, image: Any, role: str) -> str:
        """A Wagtail image (``poster`` or ``image``: the role of its first use)."""
        if image.pk not in self.images:
            self.images[image.pk] = self._stored(image, "images", role, "", f"image:{image.pk}")
        return self.images[image.pk]

    def text(self, language: str, name: str, text: str, ref: str) -> str:
        media = _text_file(self.allocator, f"{language}/text", name, text, language, ref)
        self.files.append(media)
        return media.path

    def _stored(self, stored: Any, folder: str, role: str, language: str, ref: str) -> str:
        return _stored_file(
            self.allocator,
            self.files,
            folder,
            image_file_name(stored),
            role,
            language,
            stored.file,
            stored.file_hash,
            stored.file_size,
            ref,
            title=stored.title,
        )


def _plan_bag_files_beside_master(
    planner: BagFilePlanner,
    kind: ItemKind,
    version: Any,
    language: str,
    paths: list[str],
    roles: dict[str, Any],
) -> None:
    """The subtitles document, poster image and spoken text the item type has."""
    subtitles = kind.subtitles(version)
    if subtitles is not None:
        path = planner.document(subtitles, language)
        paths.append(path)
        roles["subtitles"] = f"data/{path}"
    poster = kind.poster(version)
    if poster is not None:
        path = planner.image(poster, "poster")
        paths.append(path)
        roles["posterImage"] = f"data/{path}"
    text = kind.text(version)
    if text.strip():
        ref = f"page:{version.pk}:{kind.text_role}"
        path = planner.text(language, f"{kind.text_role}.txt", text, ref)
        paths.append(path)
        roles[kind.text_role] = f"data/{path}"


def _plan_exhibition_bag_files(
    planner: BagFilePlanner,
    kind: ItemKind,
    version: Any,
    language: str,
    paths: list[str],
    roles: dict[str, Any],
) -> None:
    """An exhibition's photos, each with its caption fields, and its captions as text."""
    captions: list[str] = []
    roles["items"] = []
    for number, entry in enumerate(kind.exhibits(version), 1):
        path = planner.image(entry.image, "image")
        paths.append(path)
        date = entry.date.isoformat() if entry.date else None
        roles["items"].append(
            {
                "image": f"data/{path}",
                "caption": entry.caption,
                "credit": entry.credit,
                "date": date,
                "place": entry.place,
            }
        )
        details = [entry.credit, date or "", entry.place]
        captions.append(
            f"{number}. {path}\n{entry.caption}\n" + " · ".join(d for d in details if d)
        )
    if captions:
        text = "\n\n".join(captions) + "\n"
        paths.append(planner.text(language, "captions.txt", text, f"page:{version.pk}:captions"))


def _stored_file(
    allocator: PathAllocator,
    files: list[MediaFile],
    folder: str,
    name: str,
    role: str,
    language: str,
    source: FieldFile,
    sha1: str,
    size: int | None,
    ref: str,
    title: str = "",
) -> str:
    if size is None:
        try:
            size = source.size
        except OSError:
            size = None
    media = MediaFile(
        path=allocator.allocate(folder, name),
        role=role,
        language=language,
        mime=_mime(name),
        digest=f"sha1:{sha1}" if sha1 else f"name:{source.name}:{size}",
        size=size,
        source=source,
        object_ref=ref,
        title=title,
    )
    files.append(media)
    return media.path


def image_file_name(image: Any) -> str:
    """The bag name of a Wagtail image or document: its title with the stored file's
    extension. Wagtail reduces an image's stored name to ASCII ("Ảnh đại diện.jpg" is
    stored as "Anh_dai_dien.jpg", a Khmer name as almost nothing) and storage adds a
    suffix to a name already taken (a restored file beside its old copy); the title keeps
    the script (the admin fills it in from the uploaded file's name) and comes back
    unchanged from an import, so the name in the bag is stable."""
    stored = Path(image.file.name).name
    extension = Path(stored).suffix
    title = unicodedata.normalize("NFC", (image.title or "").strip())
    if not title:
        return stored
    if extension and title.casefold().endswith(extension.casefold()):
        title = title[: -len(extension)]
    return safe_file_name(title[:120] + extension)


def _master_files(
    master: MediaMaster, allocator: PathAllocator, files: list[MediaFile]
) -> list[str]:
    name = master.original_name or Path(master.file.name or "").name
    entry = MediaFile(
        path=allocator.allocate(f"{master.language}/master", name),
        role="master",
        language=master.language,
        mime=_mime(name, "audio/octet-stream" if master.kind == "audio" else "video/octet-stream"),
        digest=f"sha256:{master.sha256}",
        size=master.size,
        source=master.file,
        object_ref=f"master:{master.pk}",
        technical=master.technical_metadata or {},
        sha256=master.sha256,
    )
    files.append(entry)
    paths = [entry.path]
    renditions = master.renditions.done()
    for rendition in renditions.order_by("profile"):
        paths.extend(_rendition_files(master, rendition, allocator, files))
    return paths


def _rendition_files(
    master: MediaMaster, rendition: MediaRendition, allocator: PathAllocator, files: list[MediaFile]
) -> list[str]:
    folder = f"{master.language}/renditions/{rendition.profile}"
    entry = MediaFile(
        path=allocator.allocate(folder, Path(rendition.file.name or "").name),
        role="rendition",
        language=master.language,
        mime=_mime(rendition.file.name or ""),
        digest=f"sha256:{rendition.sha256}" if rendition.sha256 else f"name:{rendition.file.name}",
        size=rendition.size or None,
        source=rendition.file,
        profile=rendition.profile,
        object_ref=f"rendition:{rendition.pk}",
        technical=rendition.technical_metadata or {},
        loudness=rendition.loudness or {},
        sha256=rendition.sha256,
    )
    files.append(entry)
    paths = [entry.path]
    for label, name in sorted((rendition.extra_files or {}).items()):
        storage = rendition.file.storage
        extra = FieldFile(rendition, rendition.file.field, name)
        extra.storage = storage
        extra_entry = MediaFile(
            path=allocator.allocate(folder, Path(name).name),
            role=f"rendition-{label}",
            language=master.language,
            mime=_mime(name),
            digest=f"name:{name}",
            size=None,
            source=extra,
            profile=rendition.profile,
            object_ref=f"rendition:{rendition.pk}:{label}",
        )
        files.append(extra_entry)
        paths.append(extra_entry.path)
    return paths
