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

import datetime
import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils import timezone
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


def _local(stamp: datetime.datetime | None) -> datetime.datetime | None:
    """The same instant in the site's time zone (strftime formats the UTC day otherwise)."""
    if stamp is None or timezone.is_naive(stamp):
        return stamp
    return timezone.localtime(stamp)


def _edit_translation_in_local_time(view: Callable[..., Any]) -> Callable[..., Any]:
    """wagtail-localize formats the UTC timestamp of the last publication: between midnight
    and 07:00 in Việt Nam the editor showed yesterday. The instance's timestamps (and its
    cached live revision's) are moved to local time first: the same instant, another zone."""

    @functools.wraps(view)
    def edit_translation(request: Any, translation: Any, instance: Any) -> Any:
        if hasattr(instance, "last_published_at"):
            instance.last_published_at = _local(instance.last_published_at)
        revision = getattr(instance, "live_revision", None)
        if revision is not None:
            revision.created_at = _local(revision.created_at)
        return view(request, translation, instance)

    return edit_translation


def _comment_in_local_time(get_comment: Callable[[Any], str]) -> Callable[[Any], str]:
    @functools.wraps(get_comment)
    def comment(self: Any) -> str:
        stamp = self.updated_at
        self.updated_at = _local(stamp)
        try:
            return get_comment(self)
        finally:
            self.updated_at = stamp

    return comment


def install() -> None:
    """Use these fields and widgets for date fields in every Wagtail admin model form, and
    day/month/year in wagtail-localize's translation editor."""
    import wagtail_localize.models
    import wagtail_localize.views.edit_translation

    for module in (wagtail_localize.models, wagtail_localize.views.edit_translation):
        module.DATE_FORMAT = WAGTAIL_LOCALIZE_DATE_FORMAT
    views = wagtail_localize.views.edit_translation
    if not hasattr(views.edit_translation, "__wrapped__"):
        views.edit_translation = _edit_translation_in_local_time(views.edit_translation)
    strings = wagtail_localize.models.StringTranslation
    if not hasattr(strings.get_comment, "__wrapped__"):
        strings.get_comment = _comment_in_local_time(strings.get_comment)

    from django.db import models
    from wagtail.admin.forms.models import register_form_field_override

    register_form_field_override(
        models.DateField, override={"form_class": AdminDateField, "widget": AdminDateInput}
    )
    register_form_field_override(
        models.DateTimeField,
        override={"form_class": AdminDateTimeField, "widget": AdminDateTimeInput},
    )
