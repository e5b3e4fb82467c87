"""A strict Content Security Policy everywhere, relaxed only where Wagtail's admin needs it.

The public site, the station portal, the station API and OAI-PMH get ``script-src 'self'``
plus a per-response nonce: an injected ``<script>`` in a caption or a translation cannot run.
Wagtail's admin templates (date pickers, inline panels, wagtail-localize's editor) still
contain inline scripts, so admin responses allow ``'unsafe-inline'`` scripts and never carry a
nonce (a nonce would make browsers ignore ``'unsafe-inline'``). Every other directive
(``frame-ancestors``, ``object-src``, ``base-uri``, ``form-action``) stays strict there too.
"""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

ADMIN_PREFIX = "/admin/"


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX):
            parts.nonce = None
            parts.replace = {**(parts.replace or {}), "script-src": [SELF, UNSAFE_INLINE]}
        return parts
