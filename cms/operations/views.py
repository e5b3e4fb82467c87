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


def error_response(request: HttpRequest, status: int, code: str) -> HttpResponse:
    """JSON ``{"error": code}`` for API clients (station sync clients), the page
    ``<status>.html`` in the reader's language for everyone else; never cached."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": code}, status=status)
    else:
        response = TemplateResponse(request, f"{status}.html", status=status)
        response.render()
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: a request refused before any view ran (too much form data, too many
    fields, a forged host)."""
    return error_response(request, 400, "bad_request")


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database outage gets a 503 with Retry-After and its own page
    (the request's transaction was rolled back, so nothing was saved half-way); anything
    else the plain 500 page."""
    error = sys.exc_info()[1]
    if not database_unavailable(error):
        return error_response(request, 500, "server_error")
    logger.error("database unavailable: %s", str(error).strip()[:500])
    response = error_response(request, 503, "database_unavailable")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
