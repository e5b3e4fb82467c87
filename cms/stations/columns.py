"""Wagtail ``ui.tables`` columns shared by the stations admin pages."""

from __future__ import annotations

from typing import Any

from django.middleware.csrf import get_token
from wagtail.admin.ui.tables import Column


class TemplateColumn(Column):
    """A column whose cell is rendered by its own template (given the row as ``instance``)."""

    def __init__(self, name: str, *, cell_template_name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.cell_template_name = cell_template_name

    def get_cell_context_data(self, instance: Any, parent_context: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_cell_context_data(instance, parent_context)
        # a cell template is rendered on its own, without the context processors: give
        # its forms the request's CSRF token
        request = parent_context.get("request")
        context["csrf_token"] = get_token(request) if request is not None else None
        return context
