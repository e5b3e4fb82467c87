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
from cms.content.models import ExhibitionPage, RadioSegmentPage, VideoPage
from cms.media.models import MediaMaster, MediaRendition
from cms.media.storage import safe_file_name

#: what ``plan_files`` returns: the files, each language's bag paths, each language's
#: named roles (``master``, ``subtitles``, ``items``...) for the record's version fields
Planned = tuple[list["MediaFile"], dict[str, list[str]], dict[str, dict[str, Any]]]


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


def media_files(item: Item) -> tuple[list[MediaFile], dict[str, list[str]]]:
    files, by_language, _named = plan_files(item)
    return files, by_language


def plan_files(
    item: Item,
) -> tuple[list[MediaFile], dict[str, list[str]], dict[str, dict[str, Any]]]:
    """Every content file of the item with its bag path, and each language's paths.

    A master shared by two versions (a translation still using the source's recording)
    is packed once, under its own language; renditions follow their master.
    """
    allocator = PathAllocator()
    files: list[MediaFile] = []
    by_language: dict[str, list[str]] = {}
    named: dict[str, dict[str, Any]] = {}
    masters_done: dict[int, list[str]] = {}
    documents_done: dict[int, str] = {}
    images_done: dict[int, str] = {}
    for version in item.versions:
        language = version.locale.language_code
        paths: list[str] = []
        roles: dict[str, Any] = {}
        master = version_master(version)
        if master is not None:
            if master.pk not in masters_done:
                masters_done[master.pk] = _master_files(master, allocator, files)
            paths.extend(masters_done[master.pk])
            roles["master"] = f"data/{masters_done[master.pk][0]}"
        if isinstance(version, VideoPage):
            document = version.subtitles if version.subtitles_id else None
            if document is not None:
                if document.pk not in documents_done:
                    documents_done[document.pk] = _stored_file(
                        allocator,
                        files,
                        f"{document.language or language}/subtitles",
                        image_file_name(document),
                        "subtitles",
                        document.language or language,
                        document.file,
                        document.file_hash,
                        document.file_size,
                        f"document:{document.pk}",
                        title=document.title,
                    )
                paths.append(documents_done[document.pk])
                roles["subtitles"] = f"data/{documents_done[document.pk]}"
            poster = version.poster_image if version.poster_image_id else None
            if poster is not None:
                image = poster
                if image.pk not in images_done:
                    images_done[image.pk] = _stored_file(
                        allocator,
                        files,
                        "images",
                        image_file_name(image),
                        "poster",
                        "",
                        image.file,
                        image.file_hash,
                        image.file_size,
                        f"image:{image.pk}",
                        title=image.title,
                    )
                paths.append(images_done[image.pk])
                roles["posterImage"] = f"data/{images_done[image.pk]}"
            if version.transcript.strip():
                text = _text_file(
                    allocator,
                    f"{language}/text",
                    "transcript.txt",
                    version.transcript,
                    language,
                    f"page:{version.pk}:transcript",
                )
                files.append(text)
                paths.append(text.path)
                roles["transcript"] = f"data/{text.path}"
        if isinstance(version, RadioSegmentPage) and version.script.strip():
            text = _text_file(
                allocator,
                f"{language}/text",
                "script.txt",
                version.script,
                language,
                f"page:{version.pk}:script",
            )
            files.append(text)
            paths.append(text.path)
            roles["script"] = f"data/{text.path}"
        if isinstance(version, ExhibitionPage):
            captions: list[str] = []
            roles["items"] = []
            for number, entry in enumerate(version.items.all().select_related("image"), 1):
                image = entry.image
                if image.pk not in images_done:
                    images_done[image.pk] = _stored_file(
                        allocator,
                        files,
                        "images",
                        image_file_name(image),
                        "image",
                        "",
                        image.file,
                        image.file_hash,
                        image.file_size,
                        f"image:{image.pk}",
                        title=image.title,
                    )
                paths.append(images_done[image.pk])
                roles["items"].append(
                    {
                        "image": f"data/{images_done[image.pk]}",
                        "caption": entry.caption,
                        "credit": entry.credit,
                        "date": entry.date.isoformat() if entry.date else None,
                        "place": entry.place,
                    }
                )
                details = [entry.credit, entry.date.isoformat() if entry.date else "", entry.place]
                captions.append(
                    f"{number}. {images_done[image.pk]}\n{entry.caption}\n"
                    + " · ".join(d for d in details if d)
                )
            if captions:
                text = _text_file(
                    allocator,
                    f"{language}/text",
                    "captions.txt",
                    "\n\n".join(captions) + "\n",
                    language,
                    f"page:{version.pk}:captions",
                )
                files.append(text)
                paths.append(text.path)
        by_language[language] = paths
        named[language] = roles
    return files, by_language, named


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
