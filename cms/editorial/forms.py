"""The item page form: mandatory metadata is enforced when an item is sent for approval
or published, and deferred when a reporter only saves a draft."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Locale

from cms.content.itemtypes import kind_of, master_fields
from cms.content.publishing import Gap, missing_for_publication, required_fields
from cms.editorial.units import restrict_form_choices

# Page fields that take a master, named after the kind of master they take.
MASTER_FIELDS = tuple(master_fields())


class ItemPageForm(WagtailAdminPageForm):
    TERM_FIELDS = (
        "product_type",
        "topics",
        "audiences",
        "producing_unit",
        "cooperating_units",
        "channels",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            # Wagtail creates pages live by default; a new item is a draft until published,
            # so the model's publish rule must not run when the add form is first saved.
            self.instance.live = False
        # Items are tagged with the default-language terms; their names are shown in
        # the visitor's language through the terms' translations.
        default_locale = Locale.get_default()
        for name in self.TERM_FIELDS:
            field = self.fields.get(name)
            if field is not None and hasattr(field, "queryset"):
                field.queryset = field.queryset.filter(locale=default_locale)
        # Masters, images and documents: only what the user's unit may choose.
        restrict_form_choices(self.fields, self.instance, self.for_user)
        # The master chooser's upload tab starts in the page's language (issue 14, item 10).
        from cms.media.chooser import preselect_upload

        locale = getattr(self.instance, "locale", None)
        if locale is not None:
            for name in MASTER_FIELDS:
                if name in self.fields:
                    preselect_upload(self.fields[name], locale.language_code, name)
        # Mandatory metadata marked; the area picker shows the units of the production date.
        self._mark_required_for_submission()
        area = self.fields.get("coverage")
        if area is not None and hasattr(area.widget, "valid_on"):
            area.widget.valid_on = self._production_date()

    def _required_for_submission(self) -> list[str]:
        """The publication rule's fields this form shows (cms.content.publishing)."""
        gaps = required_fields(kind_of(self.instance))
        return [gap.field for gap in gaps if gap.field in self.fields]

    def _mark_required_for_submission(self) -> None:
        """Mark the mandatory metadata (and the master) as required: the label gets Wagtail's
        required marker and the input ``data-required-for-submit``, which the editor's script
        counts per tab (``content/js/metadata-tab.js``). A draft may still leave them empty:
        saving defers them (``defer_required_fields``), as Wagtail defers its own."""
        for name in self._required_for_submission():
            field = self.fields[name]
            field.required = True
            field.error_messages["required"] = self._required_message(name)
            field.widget.attrs["data-required-for-submit"] = "true"

    def _required_message(self, name: str) -> str:
        if name in MASTER_FIELDS:
            return _("Cần tải lên tệp gốc.")
        return _("Bắt buộc trước khi gửi duyệt hoặc xuất bản.")

    def defer_required_fields(self) -> None:
        already = self.is_deferred_validation
        super().defer_required_fields()
        if already:
            return
        for name in self._required_for_submission():
            if self.fields[name].required:
                self.fields[name].required = False
                self.deferred_required_fields.append(name)

    def _production_date(self) -> datetime.date | None:
        """The production date as posted (or stored), for the area picker."""
        from cms.content.dates import AdminDateField

        if self.is_bound:
            try:
                value = AdminDateField().clean(self.data.get(self.add_prefix("production_date")))
            except forms.ValidationError:
                return None
            return value if isinstance(value, datetime.date) else None
        return getattr(self.instance, "production_date", None)

    def _check_area_dates(self, cleaned: dict[str, Any]) -> None:
        """Administrative units must be valid on the production date (the pre-2025 units
        only for items produced before 1 July 2025), whatever the picker showed."""
        units = cleaned.get("coverage")
        day = cleaned.get("production_date")
        if not units or not day or "coverage" in self.errors:
            return
        invalid = [
            unit
            for unit in units
            if (unit.valid_from and day < unit.valid_from)
            or (unit.valid_until and day > unit.valid_until)
        ]
        if invalid:
            self.add_error(
                "coverage",
                forms.ValidationError(
                    _(
                        "Không có hiệu lực vào ngày sản xuất %(date)s: %(units)s. Hãy chọn "
                        "đơn vị hành chính của thời điểm đó."
                    )
                    % {
                        "date": f"{day:%d/%m/%Y}",
                        "units": ", ".join(str(unit) for unit in invalid),
                    },
                    code="area_not_valid",
                ),
            )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        self._check_area_dates(cleaned)
        if self.is_deferred_validation:
            return cleaned
        missing = [self._label(gap) for gap in self._gaps(cleaned)]
        if missing:
            raise forms.ValidationError(
                _("Chưa thể gửi duyệt hoặc xuất bản, còn thiếu: %(fields)s.")
                % {"fields": ", ".join(str(m) for m in missing)}
            )
        return cleaned

    def _label(self, gap: Gap) -> str:
        return str(self.fields[gap.field].label) if gap.is_media else gap.label

    def _gaps(self, cleaned: dict[str, Any]) -> list[Gap]:
        """The publication rule on the posted values: a field already refused as required
        counts as missing; an empty one gets the rule's error."""
        errors = self.errors.as_data()

        def refused(name: str) -> bool:
            return any(error.code == "required" for error in errors.get(name, []))

        def value_of(name: str) -> Any:
            return None if refused(name) else cleaned.get(name)

        missing = []
        for gap in missing_for_publication(kind_of(self.instance), value_of, self.fields):
            if refused(gap.field):
                missing.append(gap)
            elif gap.field not in errors:  # a field refused for another reason is not "missing"
                self.add_error(gap.field, forms.ValidationError(self._required_message(gap.field)))
                missing.append(gap)
        return missing
