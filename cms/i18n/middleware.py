"""Language selection for the public site without hijacking non-localised URLs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

# URLs that live outside the /<language>/ prefix: a 404 there is a real 404.
NON_LOCALISED_PREFIXES = (
    "/admin/",
    "/api/",
    "/oai",
    "/stations/",
    "/documents/",
    "/static/",
    "/media/",
    "/healthz",
    "/subtitles/",
)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django redirects any unknown path to ``/<lang>/<path>`` when that path would resolve;
    Wagtail's catch-all route makes every prefixed path resolve, so API clients and
    harvesters would get a 302 instead of a 404. Those URL spaces are left alone."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.status_code == 404 and request.path_info.startswith(NON_LOCALISED_PREFIXES):
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            return response
        return super().process_response(request, response)
