from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Page

from cms.channels import access
from cms.channels.models import Channel, ChannelPost
from cms.content.dates import AdminDateTimeField, AdminDateTimeInput
from cms.i18n.languages import BY_CODE
from cms.taxonomy.models import ProducingUnit


def version_label(page: Page) -> str:
    language = BY_CODE.get(page.locale.language_code)
    name = language.name_vi if language else page.locale.language_code
    state = _("đã xuất bản") if page.live else _("bản nháp")
    return f"{name} – {page.title} ({state})"


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return version_label(obj)


class ChannelPostForm(forms.ModelForm):
    """A post of one of the item's language versions; the model checks that it is live."""

    page = VersionChoiceField(
        queryset=Page.objects.none(), label=gettext_lazy("Phiên bản ngôn ngữ")
    )
    posted_at = AdminDateTimeField(
        label=gettext_lazy("Thời điểm đăng"),
        widget=AdminDateTimeInput(),
        help_text=gettext_lazy("Ngày/tháng/năm giờ:phút, ví dụ 30/11/2026 14:30."),
    )

    class Meta:
        model = ChannelPost
        fields = ["channel", "page", "url", "posted_at", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        labels = {"url": gettext_lazy("Địa chỉ bài đăng (URL)")}
        error_messages = {
            "url": {"invalid": gettext_lazy("Nhập địa chỉ bắt đầu bằng http:// hoặc https://.")},
        }

    def __init__(self, *args: Any, item: Page, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = Page.objects.filter(translation_key=item.translation_key).select_related(
            "locale"
        )
        page_field: Any = self.fields["page"]
        page_field.queryset = versions.order_by("-live", "locale__language_code")
        if not self.instance.pk:
            self.initial.setdefault("page", item.pk)
        current = self.instance.channel_id if self.instance.pk else None
        channel: Any = self.fields["channel"]
        channel.queryset = Channel.objects.filter(Q(active=True) | Q(pk=current))
        channel.empty_label = _("— Chọn kênh —")
        self.fields["url"].widget.attrs["placeholder"] = "https://"


class ChannelForm(WagtailAdminModelForm):
    """A unit's head may only make channels of their own unit(s)."""

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is None or "producing_unit" not in self.fields:
            return
        codes = access.unit_codes(for_user)
        if codes is not None:
            field: Any = self.fields["producing_unit"]
            field.queryset = ProducingUnit.objects.filter(code__in=codes)
            field.required = True
