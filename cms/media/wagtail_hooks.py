from typing import Any
from urllib.parse import urlencode

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, HelpPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView

from cms.media import views
from cms.media.chooser import MediaMasterChooserViewSet
from cms.media.forms import MediaMasterForm
from cms.media.labels import duration
from cms.media.models import MediaMaster
from cms.users.snippet_scope import ScopedSnippetViewSet, has_any_model_permission
from cms.users.unit_access import visible_masters


class StoredFilePanel(HelpPanel):
    """On the edit form of a stored master (which takes no file): what the file is, and the
    way to bring a new recording, a new master."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            master = self.instance
            if master is not None and master.pk is not None:
                self.content = format_html(
                    "<p>{}: <code>{}</code> · SHA-256 <code>{}</code></p><p>{} "
                    '<a class="button button-small" href="{}">{}</a></p>',
                    _("Tệp gốc"),
                    master.original_name or master.file.name,
                    master.sha256[:16],
                    _(
                        "Tệp của tư liệu gốc không bao giờ bị thay. Một bản ghi mới là một tư "
                        "liệu gốc mới; chọn nó trong trang và gửi duyệt như mọi thay đổi."
                    ),
                    new_recording_url(master),
                    _("Tải bản ghi mới"),
                )

        def is_shown(self) -> bool:
            return self.instance is not None and self.instance.pk is not None


def new_recording_url(master: MediaMaster) -> str:
    """The create form, prefilled with this master's title and language."""
    return reverse("wagtailsnippets_media_mediamaster:add") + "?" + urlencode({"from": master.pk})


class MediaMasterCreateView(CreateView):
    """The upload form; ``?from=<id>`` prefills title and language from a master the user may
    change ("Tải bản ghi mới": a new recording is a new master)."""

    def get_initial_form_instance(self) -> Any:
        instance = super().get_initial_form_instance()
        source_id = self.request.GET.get("from", "")
        if self.request.method != "GET" or not source_id.isdigit():
            return instance
        source = MediaMaster.objects.filter(pk=int(source_id)).first()
        if source is None or not self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", source
        ):
            return instance
        return MediaMaster(title=source.title, language=source.language)

    def get_success_url(self) -> str:
        """After an upload the reporter lands on the new master's renditions (issue 14,
        item 14): what is being made from it, its loudness report, any warning."""
        return reverse("media_master_renditions", args=[self.object.pk])


class MediaMasterViewSet(ScopedSnippetViewSet):
    """Listed, opened, changed and chosen only within the user's unit (cms.users.unit_access)."""

    model = MediaMaster
    add_view_class = MediaMasterCreateView
    # the chooser has an upload tab (cms/media/chooser.py)
    chooser_viewset_class = MediaMasterChooserViewSet
    # Wagtail's "copy" would open a stored master's form as a new one; "Tải bản ghi mới"
    # (the create form, prefilled) is the way to a new recording.
    copy_view_enabled = False
    icon = "media"
    menu_label = _("Tư liệu gốc")
    menu_order = 250
    add_to_admin_menu = True
    # Durations as m:ss and a Vietnamese label for the upload date (the field has none).
    list_display = [
        "title",
        "language",
        "kind",
        Column("duration", label=_("Thời lượng"), accessor=lambda m: duration(m.duration)),
        DateColumn("created_at", label=_("Tạo lúc")),
    ]
    list_filter = ["language", "kind"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [FieldPanel("title"), FieldPanel("language"), FieldPanel("file"), StoredFilePanel()],
        base_form_class=MediaMasterForm,
    )

    def visible(self, user: Any, queryset: Any) -> Any:
        return visible_masters(user, queryset)

    def may_choose(self, user: Any) -> bool:
        return has_any_model_permission(user, MediaMaster)


register_snippet(MediaMasterViewSet)


@hooks.register("register_admin_urls")
def register_rendition_urls() -> list[Any]:
    return [
        path(
            "media-masters/<int:master_id>/renditions/",
            views.master_renditions,
            name="media_master_renditions",
        ),
        path(
            "media-masters/<int:master_id>/renditions/status/",
            views.master_renditions_status,
            name="media_master_renditions_status",
        ),
        path(
            "media-images/<int:image_id>/renditions/status/",
            views.image_renditions_status,
            name="media_image_renditions_status",
        ),
        path(
            "media-masters/<int:master_id>/renditions/<int:rendition_id>/retry/",
            views.retry_rendition,
            name="media_rendition_retry",
        ),
        path(
            "media-images/<int:image_id>/renditions/",
            views.image_renditions,
            name="media_image_renditions",
        ),
        path(
            "media-images/<int:image_id>/renditions/<int:rendition_id>/retry/",
            views.retry_image_rendition,
            name="media_image_rendition_retry",
        ),
        path(
            "media-renditions/<int:rendition_id>/cancel/",
            views.cancel_rendition,
            name="media_rendition_cancel",
        ),
    ]


@hooks.register("register_snippet_listing_buttons")
def renditions_button(snippet: Any, user: Any, next_url: str | None = None) -> Any:
    if isinstance(snippet, MediaMaster):
        yield ListingButton(
            _("Bản dựng"), reverse("media_master_renditions", args=[snippet.pk]), priority=15
        )
        if user.has_perm("media.add_mediamaster"):
            yield ListingButton(_("Tải bản ghi mới"), new_recording_url(snippet), priority=16)
