"""Widgets of the item metadata tab (issue 14, item 11).

Topics, audiences and channels are short lists: checkboxes instead of Ctrl-click multiple
selects. The area (``coverage``) lists 100+ administrative units, old and new: ``AreaPicker``
is a checkbox list with a search box (with or without diacritics) that shows only the units
valid on the production date; the form checks the same rule on the server
(``cms.editorial.forms.ItemPageForm``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone


class CheckboxList(forms.CheckboxSelectMultiple):
    """A scrollable list of checkboxes."""

    template_name = "content/widgets/checkbox_list.html"
    searchable = False

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["searchable"] = self.searchable
        return context


class AreaPicker(CheckboxList):
    """Administrative units as checkboxes, each with the dates it was valid; the ones not
    valid on ``valid_on`` (the production date, else today) start hidden unless chosen."""

    searchable = True
    valid_on: datetime.date | None = None

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        unit = getattr(option["value"], "instance", None)
        if unit is None:
            return option
        attrs = option["attrs"]
        if unit.valid_from:
            attrs["data-valid-from"] = unit.valid_from.isoformat()
        if unit.valid_until:
            attrs["data-valid-until"] = unit.valid_until.isoformat()
        day = self.valid_on or timezone.localdate()
        valid = (unit.valid_from is None or unit.valid_from <= day) and (
            unit.valid_until is None or day <= unit.valid_until
        )
        option["hidden"] = not valid and not option["selected"]
        return option
