"""The item page form: mandatory metadata is enforced when an item is sent for approval
or published, and deferred when a reporter only saves a draft."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Locale

from cms.editorial.units import restrict_form_choices

# Page fields that take a master, named after the kind of master they take.
MASTER_FIELDS = ("audio", "video")


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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.is_deferred_validation:
            return cleaned
        from cms.content.models import REQUIRED_METADATA

        missing = []
        for name, label in REQUIRED_METADATA.items():
            if name not in self.fields:
                continue
            value = cleaned.get(name)
            empty = value in (None, "", [], ()) or (hasattr(value, "exists") and not value.exists())
            if empty and name not in self.errors:
                self.add_error(
                    name, forms.ValidationError(_("Bắt buộc trước khi gửi duyệt hoặc xuất bản."))
                )
                missing.append(label)
        media_field = next((f for f in ("audio", "video") if f in self.fields), None)
        if media_field and not cleaned.get(media_field) and media_field not in self.errors:
            self.add_error(media_field, forms.ValidationError(_("Cần tải lên tệp gốc.")))
            missing.append(self.fields[media_field].label)
        if missing:
            raise forms.ValidationError(
                _("Chưa thể gửi duyệt hoặc xuất bản, còn thiếu: %(fields)s.")
                % {"fields": ", ".join(str(m) for m in missing)}
            )
        return cleaned
