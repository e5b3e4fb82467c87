"""Keep this app's 404s as 404s.

The site's ``LocaleMiddleware`` turns any 404 outside the language prefix into a redirect
to ``/vi/<path>``, because Wagtail's catch-all page route makes every such path "valid".
A station's client must get a plain 404 (and the same one whether a package exists or
not), so the views here point ``request.urlconf`` at this app's own URL configuration
when they answer 404: it has no language-prefixed patterns, so neither ``LocaleMiddleware``
nor ``CommonMiddleware`` (APPEND_SLASH) redirects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

NOT_FOUND = {"error": "not_found"}
URLCONF = "cms.stations.urls"


def api_not_found(request: HttpRequest) -> JsonResponse:
    request.urlconf = URLCONF
    return JsonResponse(NOT_FOUND, status=404)


View = Callable[..., HttpResponseBase]


def keep_404(api: bool) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                if api:
                    response = JsonResponse(NOT_FOUND, status=404)
                else:
                    response = render(request, "stations/not_found.html", status=404)
            if response.status_code == 404:
                request.urlconf = URLCONF
            return response

        return wrapper

    return decorator


@csrf_exempt  # token-authenticated API: a POST to an unknown route is a 404, not a CSRF 403
@keep_404(api=True)
def unknown_api_route(request: HttpRequest, rest: str = "") -> HttpResponse:
    return api_not_found(request)
