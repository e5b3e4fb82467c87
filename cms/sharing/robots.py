"""``/robots.txt``: crawlers may read the public site; the admin, the station portal and
the station API (sign-in or a station's token) are not for them. Names the sitemap."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from cms.stations.urls import API


def private_prefixes() -> list[str]:
    """The URL prefixes crawlers are asked to leave alone."""
    return [
        reverse("wagtailadmin_home"),  # the admin
        reverse("stations:index"),  # the station portal and its downloads (signed in)
        f"/{API}/",  # the station API and its downloads (a station's token)
    ]


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    # the exceptions before "Allow: /": parsers that take the first matching rule (Python's)
    # read it as those that take the longest (RFC 9309) do
    lines = ["User-agent: *"]
    lines += [f"Disallow: {prefix}" for prefix in private_prefixes()]
    lines += ["Allow: /", "", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
