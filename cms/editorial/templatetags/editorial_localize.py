"""The translation editor's workflow actions ("Gửi duyệt"), added to wagtail-localize's page."""

from __future__ import annotations

import json
import re
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from wagtail.models import Page
from wagtail_localize.strings import StringValue

from cms.editorial.localize import workflow_props

register = template.Library()


@register.simple_tag(takes_context=True)
def translation_workflow(context: template.Context) -> dict[str, Any] | None:
    instance = context.get("instance")
    request = context.get("request")
    if not isinstance(instance, Page) or request is None:
        return None
    return workflow_props(request, instance)


LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def plain_text(data: Any) -> Any:
    """A string of a plain-text field (a script, a transcript) as the translator reads it:
    wagtail-localize stores its line breaks as ``<br/>`` and its ``&`` as ``&amp;``, and the
    editor shows that markup as it is. Strings with other markup (rich text) are unchanged:
    their tags are the translator's to keep."""
    if not isinstance(data, str) or ("<" not in data and "&" not in data):
        return data
    if "<" in LINE_BREAK.sub("", data):
        return data
    return StringValue(data).render_text()


@register.simple_tag
def props_with_workflow(props: str, workflow: dict[str, Any] | None) -> str:
    """wagtail-localize's editor props, plus ``workflow`` (the actions this user has), with
    plain-text sources shown as text (:func:`plain_text`). Translations are left as stored:
    the editor's text box drops typed line breaks, so a translator keeps a ``<br/>`` there, and
    showing it as a line break would lose it at the next edit."""
    data = json.loads(props)
    data["workflow"] = workflow
    for segment in data.get("segments", []):
        if segment.get("type") == "string":
            segment["source"] = plain_text(segment.get("source"))
    return json.dumps(data, cls=DjangoJSONEncoder)
