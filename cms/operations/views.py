"""Error pages that say what happened, in the reader's language, without touching the
database (it may be the thing that failed)."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

logger = logging.getLogger(__name__)

#: seconds a client (or a station's sync client) is asked to wait before trying again
RETRY_AFTER_SECONDS = 30


def database_unavailable(error: BaseException | None) -> bool:
    """True for the errors a lost, restarting or overloaded database server raises (Django
    wraps the driver's connection errors in these two)."""
    return isinstance(error, OperationalError | InterfaceError)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: a request refused before any view ran (too much form data, too many
    fields, a forged host): JSON for API clients, a page in the reader's language for
    everyone else."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": "bad_request"}, status=400)
    else:
        response = TemplateResponse(request, "400.html", status=400)
        response.render()
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database outage gets a 503 with Retry-After and its own page
    (the request's transaction was rolled back, so nothing was saved half-way); anything
    else the plain 500 page. API clients (station sync clients) get JSON."""
    error = sys.exc_info()[1]
    unavailable = database_unavailable(error)
    if unavailable:
        logger.error("database unavailable: %s", str(error).strip()[:500])
    response: HttpResponse
    if request.path.startswith("/api/"):
        code = "database_unavailable" if unavailable else "server_error"
        response = JsonResponse({"error": code}, status=503 if unavailable else 500)
    else:
        template = "503.html" if unavailable else "500.html"
        response = TemplateResponse(request, template, status=503 if unavailable else 500)
        response.render()
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
