"""Serving package files to stations on weak links: Range, If-Range, ETag, constant memory.

Three ways, chosen per deployment:

* behind nginx (``ACCEL_REDIRECT_PREFIX`` set): the app checks the token and answers with
  ``X-Accel-Redirect``; nginx sends the bytes from an ``internal`` location (sendfile,
  Range, If-Range) and the Python worker is free at once;
* on S3-compatible storage: a redirect to a presigned URL valid a few minutes; the object
  store serves Range requests itself;
* otherwise the app streams the file itself, one chunk at a time, with single-range support.

The strong ETag is the file's SHA-256, which stations also use to check what they got.
Before any of the three, the stored file is checked against that SHA-256
(``cms.stations.integrity``): a released package's bytes never differ from its manifest;
if they do, the answer is 503 and an alarm, never the bytes.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.http import content_disposition_header

from cms.stations import conf, integrity
from cms.stations.models import PackageBuild

mimetypes.add_type("audio/x-mpegurl", ".m3u8")
mimetypes.add_type("text/vtt", ".vtt")
mimetypes.add_type("application/x-subrip", ".srt")

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


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
    """A Range is honoured only if If-Range (when sent) names the current strong ETag."""
    value = request.META.get("HTTP_IF_RANGE")
    return value is None or value.strip() == etag


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


def common_headers(response: HttpResponse, etag: str, filename: str) -> HttpResponse:
    response["ETag"] = etag
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-transform"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def content_type_of(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def unavailable(request: HttpRequest, api: bool) -> HttpResponse:
    """503: the file exists in the manifest but its stored bytes are not the released ones."""
    response: HttpResponse
    if api:
        response = JsonResponse({"error": "integrity_check_failed"}, status=503)
    else:
        response = render(request, "stations/unavailable.html", status=503)
    response["Cache-Control"] = "no-store"
    return response


def serve(
    request: HttpRequest,
    storage_name: str,
    *,
    sha256: str,
    size: int,
    filename: str,
    build: PackageBuild,
    path: str,
    api: bool,
) -> HttpResponse:
    """A response delivering one file of a released build (the caller has authorised it),
    after checking that its stored bytes are still the ones recorded (``path`` names it in
    the alarm: a path inside the bag, or ``bag.zip``)."""
    if not integrity.is_intact(storage_name, sha256=sha256, size=size):
        integrity.alarm(build.package_id, build.pk, storage_name, path)
        return unavailable(request, api)
    return deliver(request, storage_name, sha256=sha256, size=size, filename=filename)


def deliver(
    request: HttpRequest, storage_name: str, *, sha256: str, size: int, filename: str
) -> HttpResponse:
    """A response delivering one stored file whose caller has authorised it (and checked its
    bytes where that is the rule): X-Accel-Redirect to nginx, a presigned S3 URL, or the
    bytes themselves with ETag, conditional requests and Range."""
    etag = etag_for(sha256)
    content_type = content_type_of(filename)
    prefix = conf.get("ACCEL_REDIRECT_PREFIX")
    try:
        path = Path(default_storage.path(storage_name))
    except NotImplementedError:
        return presigned_redirect(storage_name, filename)
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(storage_name)
        return common_headers(response, etag, filename)

    if request.META.get("HTTP_IF_NONE_MATCH", "").strip() == etag and not request.META.get(
        "HTTP_RANGE"
    ):
        return common_headers(HttpResponse(status=304), etag, filename)
    try:
        byte_range = (
            parse_range(request.META.get("HTTP_RANGE"), size)
            if if_range_allows(request, etag)
            else None
        )
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return common_headers(response, etag, filename)
    chunk = int(conf.get("CHUNK_BYTES"))
    if byte_range is None:
        response = FileResponse(path.open("rb"), content_type=content_type)
        response.block_size = chunk
        response["Content-Length"] = str(size)
        return common_headers(response, etag, filename)
    first, last = byte_range
    length = last - first + 1
    streaming = StreamingHttpResponse(
        file_chunks(path, first, length, chunk), status=206, content_type=content_type
    )
    streaming["Content-Range"] = f"bytes {first}-{last}/{size}"
    streaming["Content-Length"] = str(length)
    return common_headers(streaming, etag, filename)


def presigned_redirect(storage_name: str, filename: str) -> HttpResponse:
    """Send the station to a short-lived presigned URL on S3-compatible storage."""
    url = default_storage.url(
        storage_name,
        parameters={"ResponseContentDisposition": content_disposition_header(True, filename)},
        expire=int(conf.get("PRESIGNED_URL_SECONDS")),
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    return response
