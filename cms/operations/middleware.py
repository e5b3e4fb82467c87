"""Requests that leave out a field a view reads directly are the client's error, not ours."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDictKeyError

from cms.operations.views import error_response

logger = logging.getLogger(__name__)


class MissingFieldMiddleware:
    """A view that indexes ``request.POST``/``FILES`` for a field the request did not send
    (Wagtail's copy view, wagtail-localize's PO upload) raises ``MultiValueDictKeyError``:
    answer 400 with the error page in the reader's language instead of a 500. With
    ``ATOMIC_REQUESTS`` the view's transaction is already rolled back when this runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, MultiValueDictKeyError):
            return None
        logger.warning("%s %s: missing field %s", request.method, request.path, exception)
        return error_response(request, 400, "missing_field")
