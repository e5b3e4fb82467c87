"""The station and broadcast package forms of the admin, and the validators of their
fields (the migrations name the validators through ``cms.stations.models``, which
re-exports them)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from cms.stations.choices import BOARD_PROFILE_RE, StationKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def validate_board_profile(value: str) -> None:
    if value and not BOARD_PROFILE_RE.match(value):
        raise ValidationError(
            _("Cấu hình màn hình: board_landscape, board_portrait hoặc board_native_RỘNGxCAO.")
        )


def validate_languages(value: Any) -> None:
    codes = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, list) or any(v not in codes for v in value):
        raise ValidationError(_("Ngôn ngữ không hợp lệ."))


def language_field(label: StrOrPromise, required: bool) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=settings.LANGUAGES,
        required=required,
        widget=forms.CheckboxSelectMultiple,
    )


#: Screen profiles offered by name; any other LED size is "board_native" with its size.
BOARD_PROFILE_CHOICES = [
    ("", _("— Không có màn hình / theo loại đài —")),
    ("board_landscape", _("Màn hình ngang 16:9 (1920×1080)")),
    ("board_portrait", _("Màn hình dọc 9:16 (1080×1920)")),
    ("board_native_384x192", _("Bảng LED 384×192 điểm ảnh (đúng điểm ảnh)")),
    ("board_native_768x384", _("Bảng LED 768×384 điểm ảnh (đúng điểm ảnh)")),
    ("native", _("Bảng LED kích thước khác (nhập bên dưới)")),
]
NATIVE_SIZE_RE = re.compile(r"^\s*(\d{2,5})\s*[x×X*]\s*(\d{2,5})\s*$")


class StationForm(WagtailAdminModelForm):
    """Languages as check boxes instead of a JSON text area; channels of the admin's
    language only (each channel exists once per locale); screen profiles by name."""

    languages = language_field(_("ngôn ngữ phát sóng"), required=True)
    board_profile = forms.ChoiceField(
        label=_("cấu hình màn hình"), choices=BOARD_PROFILE_CHOICES, required=False
    )
    board_size = forms.CharField(
        label=_("kích thước bảng LED (điểm ảnh)"),
        required=False,
        help_text=_("Chỉ khi chọn “kích thước khác”: RỘNG×CAO, ví dụ 512×256."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from cms.taxonomy.models import Channel

        if "channels" in self.fields:
            chosen = list(self.instance.channels.all()) if self.instance.pk else []
            self.fields["channels"].queryset = Channel.objects.filter(
                models.Q(locale__language_code=settings.LANGUAGE_CODE)
                | models.Q(pk__in=[c.pk for c in chosen])
            ).order_by("name")
            field = self.fields["channels"]
            field.widget = forms.CheckboxSelectMultiple()
            field.widget.choices = field.choices
        current = self.instance.board_profile or ""
        named = {code for code, _label in BOARD_PROFILE_CHOICES} - {"native"}
        if current and current not in named:
            match = BOARD_PROFILE_RE.match(current)
            self.initial["board_profile"] = "native"
            if match and match.group(2):
                self.initial["board_size"] = f"{match.group(2)}×{match.group(3)}"

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        if data.get("board_profile") == "native":
            match = NATIVE_SIZE_RE.match(data.get("board_size") or "")
            if not match:
                self.add_error(
                    "board_size",
                    _("Hãy nhập kích thước bảng LED dạng RỘNG×CAO, ví dụ 512×256."),
                )
                data["board_profile"] = ""
            else:
                data["board_profile"] = f"board_native_{match.group(1)}x{match.group(2)}"
        return data


class BroadcastPackageForm(WagtailAdminModelForm):
    target_kinds = forms.MultipleChoiceField(
        label=_("loại đài nhận"),
        choices=StationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Để trống: mọi loại đài."),
    )
    target_languages = language_field(_("ngôn ngữ nhận"), required=False)
