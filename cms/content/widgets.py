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
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class CheckboxList(forms.CheckboxSelectMultiple):
    """A scrollable list of checkboxes; ``searchable`` adds a search box (with or without
    diacritics) above it, with the texts below."""

    template_name = "content/widgets/checkbox_list.html"
    searchable = False
    search_label: str | Promise = _("Tìm trong danh sách")
    search_placeholder: str | Promise = _("Gõ để tìm")
    search_note: str | Promise | None = None
    no_match: str | Promise = _("Không có mục nào khớp.")

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            searchable=self.searchable,
            search_label=self.search_label,
            search_placeholder=self.search_placeholder,
            search_note=self.search_note,
            no_match=self.no_match,
        )
        return context


class UnitPicker(CheckboxList):
    """Producing units (co-operating units of an item) as searchable checkboxes: a
    province's stations and offices are too many for a Ctrl-click list."""

    searchable = True
    search_label = _("Tìm đơn vị")
    search_placeholder = _("Gõ để tìm, ví dụ: Trung tâm Văn hóa")
    no_match = _("Không có đơn vị nào khớp.")


class AreaPicker(CheckboxList):
    """Administrative units as checkboxes, each with the dates it was valid; the ones not
    valid on ``valid_on`` (the production date, else today) start hidden unless chosen."""

    searchable = True
    search_label = _("Tìm đơn vị hành chính")
    search_placeholder = _("Gõ để tìm, ví dụ: Cao Loc")
    search_note = _(
        "Chỉ hiện các đơn vị hành chính còn hiệu lực vào ngày sản xuất "
        "(chưa có ngày sản xuất: hôm nay)."
    )
    no_match = _("Không có đơn vị nào khớp.")
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
