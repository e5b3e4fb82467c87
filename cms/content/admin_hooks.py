"""Admin hooks: the posted page slug is folded to ASCII (``cms.content.slugs``); yes/no
listing filters say Có/Không."""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.active_filters import (
    ActiveFilter,
    BaseFilterAdapter,
    register_filter_adapter_class,
)
from wagtail.admin.forms.choosers import LocaleFilterMixin

from cms.content.slugs import fold_posted_slug


@hooks.register("before_create_page")
def fold_new_page_slug(request: HttpRequest, parent_page: Any, page_class: Any) -> None:
    fold_posted_slug(request, None)


@hooks.register("before_edit_page")
def fold_edited_page_slug(request: HttpRequest, page: Any) -> None:
    fold_posted_slug(request, page.slug)


class BooleanFilterAdapter(BaseFilterAdapter):
    """A yes/no listing filter in force reads "Đang hoạt động: Có", not "…: True"."""

    def get_active_filters(self) -> Any:
        yield ActiveFilter(
            self.bound_field.auto_id,
            self.filter.label,
            str(_("Có") if self.value else _("Không")),
            self.get_url_without_filter_param(self.name),
        )


register_filter_adapter_class(django_filters.BooleanFilter, BooleanFilterAdapter)


# Wagtail's chooser modals build their language filter without a label, so Django shows the
# field name, "Locale", untranslated. Give it Wagtail's own msgid (translated "Ngôn ngữ" in
# cms/i18n/locale); a variable, so that makemessages does not copy it into locales/.
_WAGTAIL_LOCALE_MSGID = "Locale"
_locale_filter_init = LocaleFilterMixin.__init__


def _labelled_locale_filter_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _locale_filter_init(self, *args, **kwargs)
    if "locale" in self.fields:
        self.fields["locale"].label = gettext_lazy(_WAGTAIL_LOCALE_MSGID)


LocaleFilterMixin.__init__ = _labelled_locale_filter_init


@hooks.register("insert_editor_js")
def submit_after_autosave() -> str:
    """The page editor holds a submission until a pending autosave has finished
    (``static/content/js/submit-after-autosave.js``; issue 14, item 13)."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html(
        '<script src="{}" defer></script>', static("content/js/submit-after-autosave.js")
    )


@hooks.register("insert_editor_js")
def metadata_tab_js() -> str:
    """Counts of empty required fields on the editor's tabs, searchable checkbox lists and
    the area picker's production-date filter (issue 14, item 11)."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" data-missing="{}" defer></script>',
        static("content/css/editor.css"),
        static("content/js/metadata-tab.js"),
        _("còn thiếu %s"),
    )
