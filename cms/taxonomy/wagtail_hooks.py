from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.taxonomy.models import (
    AdministrativeUnit,
    Audience,
    Channel,
    ProducingUnit,
    ProductType,
    Topic,
)


class TermViewSet(SnippetViewSet):
    list_display = ["name", "code", "locale"]
    list_filter = ["locale"]
    search_fields = ["name", "code"]


class TopicViewSet(TermViewSet):
    model = Topic
    icon = "tag"


class ProductTypeViewSet(TermViewSet):
    model = ProductType
    icon = "list-ul"


class AudienceViewSet(TermViewSet):
    model = Audience
    icon = "group"


class ChannelViewSet(TermViewSet):
    model = Channel
    icon = "radio-empty"


class ProducingUnitViewSet(TermViewSet):
    model = ProducingUnit
    icon = "site"


class AdministrativeUnitViewSet(SnippetViewSet):
    model = AdministrativeUnit
    icon = "globe"
    list_display = ["name", "code", "level", "valid_from", "valid_until"]
    list_filter = ["level"]
    search_fields = ["name", "code"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("Phân loại")
    menu_icon = "tag"
    menu_order = 300
    items = (
        TopicViewSet,
        ProductTypeViewSet,
        AudienceViewSet,
        ChannelViewSet,
        ProducingUnitViewSet,
        AdministrativeUnitViewSet,
    )


register_snippet(TaxonomyGroup)
