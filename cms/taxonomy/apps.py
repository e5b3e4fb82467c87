from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "cms.taxonomy"
    label = "taxonomy"
    verbose_name = "Phân loại"
