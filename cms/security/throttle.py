"""Login throttling (django-axes): who is counted, and what a locked-out person sees."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from cms.security.clients import client_ip


def axes_client_ip(request: HttpRequest) -> str:
    """The same notion of the client's address as the station API's rate limit."""
    return client_ip(request)


def lockout_response(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    body = render_to_string("security/lockout.html", {"minutes": minutes}, request=request)
    return HttpResponse(body, status=429)
