from django.urls import URLPattern, URLResolver, path

from cms.archive import oai

urlpatterns: list[URLPattern | URLResolver] = [
    path("oai/", oai.endpoint, name="oai"),
    path("oai/schemas/vn_cms.xsd", oai.vn_cms_xsd, name="oai_vn_cms_xsd"),
    path("oai/schemas/item.schema.json", oai.item_schema, name="oai_item_schema"),
]
