"""The master chooser with an upload tab, as Wagtail's image chooser has one.

A reporter picking the recording of a radio segment used to leave the page form, upload under
"Tư liệu gốc" and come back. The chooser modal now has a second tab, "Tải lên", whose form is
the upload form's own (``MediaMasterForm``: checked by content, stored before the row is
written, Vietnamese errors, nothing half-written); the new master is chosen at once.

The page form passes the page's language (and the field's kind, audio or video) in the
chooser's URL (``?language=vi&kind=audio``): the upload tab starts with that language
selected, and a file of the wrong kind is refused with the field's message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.widgets import AdminSnippetChooser

from cms.media.forms import MediaMasterForm
from cms.media.models import MediaKind, MediaMaster
from cms.users.snippet_scope import (
    ChooserCreateView,
    ScopedChooseResultsView,
    ScopedChooserViewSet,
    ScopedChooseView,
)

#: URL parameters the chooser carries through its tabs, links and upload form.
CHOOSER_PARAMETERS = ("language", "kind")


class MediaMasterChooserForm(MediaMasterForm):
    """The upload form inside the chooser modal (title, language, file)."""

    class Meta:
        model = MediaMaster
        fields = ["title", "language", "file"]


class _UploadTab:
    """Initial values and the allowed kind of the upload tab, from the chooser's URL."""

    request: Any

    def _parameter(self, name: str, allowed: set[str]) -> str | None:
        value = self.request.GET.get(name, "")
        return value if value in allowed else None

    def get_creation_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_creation_form_kwargs()  # type: ignore[misc]
        kwargs["for_user"] = self.request.user
        language = self._parameter("language", {code for code, _name in settings.LANGUAGES})
        if language:
            kwargs["initial"] = {"language": language}
        return kwargs

    def get_creation_form(self) -> Any:
        form = super().get_creation_form()  # type: ignore[misc]
        kind = self._parameter("kind", set(MediaKind.values))
        if form is not None and kind:
            form.allowed_kinds = (kind,)
        return form


class MasterChooseView(_UploadTab, ScopedChooseView):
    pass


class MasterChooseResultsView(_UploadTab, ScopedChooseResultsView):
    pass


class MasterChooserCreateView(_UploadTab, ChooserCreateView):
    def save_form(self, form: Any) -> Any:
        # One transaction: the row and its scheduled renditions, or neither (the form removes the
        # file it stored when the row cannot be written).
        with transaction.atomic():
            return form.save()


class MasterChooser(AdminSnippetChooser):
    """The master chooser widget; ``url_params`` go into the modal's URL."""

    url_params: dict[str, str] = {}

    def get_chooser_modal_url(self) -> str:
        url = super().get_chooser_modal_url()
        return f"{url}?{urlencode(self.url_params)}" if self.url_params else url


class MediaMasterChooserViewSet(ScopedChooserViewSet):
    choose_view_class = MasterChooseView
    choose_results_view_class = MasterChooseResultsView
    create_view_class = MasterChooserCreateView
    base_widget_class = MasterChooser
    creation_form_class = MediaMasterChooserForm
    preserve_url_parameters = ["multiple", *CHOOSER_PARAMETERS]
    search_tab_label = _("Chọn bản có sẵn")
    creation_tab_label = _("Tải lên")
    create_action_label = _("Tải lên và chọn")
    create_action_clicked_label = _("Đang tải lên…")


def preselect_upload(field: Any, language: str, kind: str) -> None:
    """Open the master chooser of a page form's ``field`` with the page's language and the
    field's kind preselected in its upload tab."""
    widget = getattr(field, "widget", None)
    if isinstance(widget, MasterChooser):
        widget.url_params = {"language": language, "kind": kind}
