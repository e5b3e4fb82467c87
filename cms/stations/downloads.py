"""Serving package files to stations on weak links: Range, If-Range, ETag, constant memory.

Three ways, chosen per deployment:

* behind nginx (``ACCEL_REDIRECT_PREFIX`` set): the app checks the token and answers with
  ``X-Accel-Redirect``; nginx sends the bytes from an ``internal`` location (sendfile,
  Range, If-Range) and the Python worker is free at once;
* on S3-compatible storage: a redirect to a presigned URL valid a few minutes; the object
  store serves Range requests itself;
* otherwise the app streams the file itself, one chunk at a time, with single-range support.

Those three ways, with conditional requests and Range, are the media app's
(``cms.media.file_responses``); what is the stations' is the check below. The strong ETag
is the file's SHA-256, which stations also use to check what they got. Before any of the
three, the stored file is checked against that SHA-256
(``cms.stations.integrity``): a released package's bytes never differ from its manifest;
if they do, the answer is 503 and an alarm, never the bytes.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from cms.media.file_responses import stored_file_response
from cms.stations import integrity
from cms.stations.models import PackageBuild


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
) -> HttpResponseBase:
    """A response delivering one file of a released build (the caller has authorised it),
    after checking that its stored bytes are still the ones recorded (``path`` names it in
    the alarm: a path inside the bag, or ``bag.zip``)."""
    if not integrity.is_intact(storage_name, sha256=sha256, size=size):
        integrity.alarm(build.package_id, build.pk, storage_name, path)
        return unavailable(request, api)
    return stored_file_response(request, storage_name, sha256=sha256, size=size, filename=filename)
