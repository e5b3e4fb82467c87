from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.content.templatetags.content_tags import duration
from cms.media import views
from cms.media.forms import MediaMasterForm
from cms.media.models import MediaMaster


class MediaMasterViewSet(SnippetViewSet):
    model = MediaMaster
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
        [FieldPanel("title"), FieldPanel("language"), FieldPanel("file")],
        base_form_class=MediaMasterForm,
    )


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
