"""The translation editor's workflow actions ("Gửi duyệt"), added to wagtail-localize's page."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from wagtail.models import Page

from cms.editorial.localize import workflow_props

register = template.Library()


@register.simple_tag(takes_context=True)
def translation_workflow(context: template.Context) -> dict[str, Any] | None:
    instance = context.get("instance")
    request = context.get("request")
    if not isinstance(instance, Page) or request is None:
        return None
    return workflow_props(request, instance)


@register.simple_tag
def props_with_workflow(props: str, workflow: dict[str, Any] | None) -> str:
    """wagtail-localize's editor props, plus ``workflow`` (the actions this user has)."""
    data = json.loads(props)
    data["workflow"] = workflow
    return json.dumps(data, cls=DjangoJSONEncoder)
