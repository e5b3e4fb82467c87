"""Responses that hand over one stored file: Range, If-Range, ETag, constant memory.

Every file the site hands out after its own checks (station packages, ``/media/``
renditions, share cards) leaves through :func:`stored_file_response`, the way the
deployment serves files:

* behind nginx (``ACCEL_REDIRECT_PREFIX`` set): an ``X-Accel-Redirect`` answer; nginx sends
  the bytes from an ``internal`` location (sendfile, Range, If-Range) and the Python worker
  is free at once;
* on S3-compatible storage: a redirect to a presigned URL valid a few minutes; the object
  store serves Range requests itself;
* otherwise the app streams the file itself, one chunk at a time, with single-range support.

The strong ETag is the file's SHA-256. Conditional requests follow RFC 9110 §13.2.2.

The settings are read from ``settings.CMS_STATIONS`` (where deployments set them, see
docs/stations.md), with the defaults below; ``cms.stations.conf`` includes them.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe
from storages.backends.s3 import S3Storage

DEFAULTS: dict[str, Any] = {
    # nginx ``internal`` location aliasing MEDIA_ROOT; None = the app streams the bytes itself.
    "ACCEL_REDIRECT_PREFIX": None,
    # Lifetime of a presigned S3 URL handed to a client (seconds).
    "PRESIGNED_URL_SECONDS": 300,
    # Chunk size of app-served downloads: memory stays at one chunk whatever the file size.
    "CHUNK_BYTES": 256 * 1024,
}


def setting(name: str) -> Any:
    """One file-serving setting, from ``settings.CMS_STATIONS`` or the default above."""
    return getattr(settings, "CMS_STATIONS", {}).get(name, DEFAULTS[name])


mimetypes.add_type("audio/x-mpegurl", ".m3u8")
mimetypes.add_type("text/vtt", ".vtt")
mimetypes.add_type("application/x-subrip", ".srt")

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_ETAG_LIST = re.compile(r'\s*((?:W/)?"[^"]*"|[^,\s]+)\s*,?')


class Unsatisfiable(Exception):
    """The Range header cannot be served: answer 416 with ``Content-Range: bytes */size``."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions asked for, or None to send the whole file.

    Only single byte ranges are served. Other units and several ranges are ignored (RFC 9110
    allows it: the whole file is sent). A malformed or unsatisfiable byte range raises
    ``Unsatisfiable``, as nginx does, so the app and nginx answer alike.
    """
    if not header:
        return None
    header = header.strip()
    if not header.lower().startswith("bytes="):
        return None
    if "," in header:
        return None
    match = _RANGE.match(header.replace(" ", ""))
    if not match or match.group(1) == match.group(2) == "":
        raise Unsatisfiable
    first_text, last_text = match.groups()
    if first_text == "":
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise Unsatisfiable
    return first, min(last, size - 1)


def etag_for(sha256: str) -> str:
    return f'"{sha256}"'


def if_range_allows(request: HttpRequest, etag: str) -> bool:
    """A Range is honoured only if If-Range (when sent) names the current strong ETag.

    RFC 9110 §13.1.5: If-Range uses strong comparison; a date (or a weak tag) never
    matches here, so the whole file is sent, which the RFC allows."""
    value = request.META.get("HTTP_IF_RANGE")
    return value is None or value.strip() == etag


def entity_tags(header: str) -> list[str] | None:
    """The entity-tags of an If-Match / If-None-Match value, or None for ``*``.

    RFC 9110 §8.8.3: ``entity-tag = [ "W/" ] opaque-tag``; a list is comma-separated.
    Unquoted garbage is kept as is (it then matches nothing)."""
    value = header.strip()
    if value == "*":
        return None
    return [tag for tag in (part.strip() for part in _ETAG_LIST.findall(value)) if tag]


def weak_match(tag: str, etag: str) -> bool:
    """RFC 9110 §8.8.3.2 weak comparison: the opaque-tags match, W/ or not."""
    return tag.removeprefix("W/") == etag.removeprefix("W/")


def strong_match(tag: str, etag: str) -> bool:
    """RFC 9110 §8.8.3.2 strong comparison: neither is weak and the opaque-tags match."""
    return not tag.startswith("W/") and not etag.startswith("W/") and tag == etag


def precondition(request: HttpRequest, etag: str, modified: int | None) -> int | None:
    """The status a conditional GET/HEAD answers before any body (412, 304), or None.

    RFC 9110 §13.2.2, in this order: If-Match, else If-Unmodified-Since (412 when false);
    If-None-Match, else If-Modified-Since (304 when false for GET/HEAD). A date is ignored
    when the file has no modification date (§13.1.3, §13.1.4) or the value is not a valid
    HTTP-date. If-Range is left to the Range step."""
    if_match = request.META.get("HTTP_IF_MATCH")
    if if_match is not None:
        tags = entity_tags(if_match)
        # "*" is true for an existing representation (§13.1.1); this one exists.
        if tags is not None and not any(strong_match(tag, etag) for tag in tags):
            return 412
    else:
        since = parse_http_date_safe(request.META.get("HTTP_IF_UNMODIFIED_SINCE") or "")
        if since is not None and modified is not None and modified > since:
            return 412
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = entity_tags(if_none_match)
        if tags is None or any(weak_match(tag, etag) for tag in tags):
            return 304
    elif request.method in ("GET", "HEAD"):
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE") or "")
        if since is not None and modified is not None and modified <= since:
            return 304
    return None


def nginx_would_refuse(request: HttpRequest) -> bool:
    """nginx evaluates If-Match and If-Unmodified-Since again on an X-Accel-Redirect
    answer, without the app's ETag (``etag off`` in /_protected/) and against the stored
    file's mtime: it would answer 412 where the app, having checked them, found them true.
    Such requests (no station client sends them) are streamed by the app instead."""
    if_match = request.META.get("HTTP_IF_MATCH")
    return (if_match is not None and if_match.strip() != "*") or bool(
        request.META.get("HTTP_IF_UNMODIFIED_SINCE")
    )


def without_body(status: int) -> HttpResponse:
    """An empty answer with no Content-Type: Django's default ``text/html`` would claim
    a body that is not there (304, 412, 416, HEAD are about the file, not a page)."""
    response = HttpResponse(status=status)
    del response["Content-Type"]
    return response


def file_chunks(path: Path, first: int, length: int, chunk: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(first)
        remaining = length
        while remaining > 0:
            data = handle.read(min(chunk, remaining))
            if not data:
                return
            remaining -= len(data)
            yield data


def common_headers(response: HttpResponseBase, etag: str, filename: str) -> HttpResponseBase:
    response["ETag"] = etag
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-transform"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def content_type_of(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def stored_file_response(
    request: HttpRequest, storage_name: str, *, sha256: str, size: int, filename: str
) -> HttpResponseBase:
    """A response delivering one stored file whose caller has authorised it (and checked its
    bytes where that is the rule): X-Accel-Redirect to nginx, a presigned S3 URL, or the
    bytes themselves with ETag, conditional requests and Range."""
    etag = etag_for(sha256)
    content_type = content_type_of(filename)
    prefix = setting("ACCEL_REDIRECT_PREFIX")
    try:
        path = Path(default_storage.path(storage_name))
    except NotImplementedError:
        return presigned_redirect(storage_name, filename)
    # Conditional requests (RFC 9110 §13.2.2) come before Range: a matching If-None-Match
    # with a Range is a 304, not a 206 (§13.1.2, §14.2). Evaluated here for nginx too:
    # its /_protected/ location has the app's ETag only as an added header (etag off), so
    # it cannot compare tags, and it would apply Range to HEAD.
    modified = int(path.stat().st_mtime)
    status = precondition(request, etag, modified)
    if status is not None:
        response = without_body(status)
        if status == 304:
            response["Last-Modified"] = http_date(modified)
        return common_headers(response, etag, filename)
    if request.method == "HEAD":
        # §9.3.2 / §14.2: Range is defined for GET only; HEAD answers as a GET without
        # Range would, headers only.
        head = HttpResponse(content_type=content_type)
        head["Content-Length"] = str(size)
        head["Last-Modified"] = http_date(modified)
        return common_headers(head, etag, filename)
    if prefix and not nginx_would_refuse(request):
        # nginx sends the bytes: Range and If-Range (against the app's ETag), sendfile.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(storage_name)
        return common_headers(response, etag, filename)
    try:
        byte_range = (
            parse_range(request.META.get("HTTP_RANGE"), size)
            if if_range_allows(request, etag)
            else None
        )
    except Unsatisfiable:
        response = without_body(416)
        response["Content-Range"] = f"bytes */{size}"
        return common_headers(response, etag, filename)
    chunk = int(setting("CHUNK_BYTES"))
    if byte_range is None:
        whole = FileResponse(path.open("rb"), content_type=content_type)
        whole.block_size = chunk
        whole["Content-Length"] = str(size)
        whole["Last-Modified"] = http_date(modified)
        return common_headers(whole, etag, filename)
    first, last = byte_range
    length = last - first + 1
    streaming = StreamingHttpResponse(
        file_chunks(path, first, length, chunk), status=206, content_type=content_type
    )
    streaming["Content-Range"] = f"bytes {first}-{last}/{size}"
    streaming["Content-Length"] = str(length)
    streaming["Last-Modified"] = http_date(modified)
    return common_headers(streaming, etag, filename)


def presigned_redirect(storage_name: str, filename: str) -> HttpResponse:
    """Send the station to a short-lived presigned URL on S3-compatible storage."""
    if not isinstance(default_storage, S3Storage):
        raise ImproperlyConfigured(
            f"files not on a local disk must be on S3-compatible storage, not {default_storage!r}"
        )
    url = default_storage.url(
        storage_name,
        parameters={"ResponseContentDisposition": content_disposition_header(True, filename)},
        expire=int(setting("PRESIGNED_URL_SECONDS")),
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    return response
