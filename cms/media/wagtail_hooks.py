from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.media.forms import MediaMasterForm
from cms.media.models import MediaMaster


class MediaMasterViewSet(SnippetViewSet):
    model = MediaMaster
    icon = "media"
    menu_label = _("Tư liệu gốc")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["title", "language", "kind", "duration", "created_at"]
    list_filter = ["language", "kind"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [FieldPanel("title"), FieldPanel("language"), FieldPanel("file")],
        base_form_class=MediaMasterForm,
    )


register_snippet(MediaMasterViewSet)
