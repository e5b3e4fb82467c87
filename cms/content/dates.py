"""Dates in the admin: typed as Vietnamese write them, shown as dd/mm/yyyy, never replaced.

Wagtail's date widgets use a jQuery date picker that re-reads the typed text on blur with
its own format (``WAGTAIL_DATE_FORMAT``, ``Y-m-d`` by default) and puts *today* in the box
when it cannot read it: "30/11/2026" silently became the day of typing and was saved.

Here the server does all the reading, whatever the admin language:

* the widgets show ``WAGTAIL_DATE_FORMAT`` (``%d/%m/%Y``) and the picker no longer
  "validates" on blur (``validateOnBlur: false``): what was typed stays in the box;
* the form fields accept the day/month/year forms (``30/11/2026``, ``30-11-2026``,
  ``30.11.2026``, ``1/2/2026``) and ISO (``2026-11-30``), the locale's own input formats
  being ignored (English reads ``01/02/2026`` as 2 January);
* what they cannot read (``31/02/2026``, ``abc``) is a form error in Vietnamese and the
  stored value is left as it was.

``install()`` registers these for every ``DateField``/``DateTimeField`` in Wagtail's admin
model forms (pages, snippets, settings).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin import widgets as wagtail_widgets

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
_TIMES = ["%H:%M", "%H:%M:%S", "%Hh%M", "%Hg%M"]
DATETIME_INPUT_FORMATS = [
    *(f"{day} {time}" for day in DATE_INPUT_FORMATS for time in _TIMES),
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    *DATE_INPUT_FORMATS,
]


class AdminDateInput(wagtail_widgets.AdminDateInput):
    """Wagtail's date picker, which keeps what the user typed on blur."""

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "validateOnBlur": False}


class AdminDateTimeInput(wagtail_widgets.AdminDateTimeInput):
    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "validateOnBlur": False}


class AdminDateField(forms.DateField):
    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {
        "invalid": _(
            "Không đọc được ngày này. Hãy nhập ngày/tháng/năm, ví dụ 30/11/2026 (hoặc 2026-11-30)."
        ),
    }


class AdminDateTimeField(forms.DateTimeField):
    input_formats = DATETIME_INPUT_FORMATS
    default_error_messages = {
        "invalid": _(
            "Không đọc được ngày giờ này. Hãy nhập ngày/tháng/năm giờ:phút, ví dụ 30/11/2026 14:30."
        ),
    }


# wagtail-localize writes dates with strftime("%-d %B %Y"): the C locale's English month
# ("2 December 2026") in the Vietnamese translation editor. Its modules bind the constant
# by name, so each is set.
WAGTAIL_LOCALIZE_DATE_FORMAT = "%d/%m/%Y"


def install() -> None:
    """Use these fields and widgets for date fields in every Wagtail admin model form, and
    day/month/year in wagtail-localize's translation editor."""
    import wagtail_localize.models
    import wagtail_localize.views.edit_translation

    for module in (wagtail_localize.models, wagtail_localize.views.edit_translation):
        module.DATE_FORMAT = WAGTAIL_LOCALIZE_DATE_FORMAT  # type: ignore[attr-defined]

    from django.db import models
    from wagtail.admin.forms.models import register_form_field_override

    register_form_field_override(
        models.DateField, override={"form_class": AdminDateField, "widget": AdminDateInput}
    )
    register_form_field_override(
        models.DateTimeField,
        override={"form_class": AdminDateTimeField, "widget": AdminDateTimeInput},
    )
