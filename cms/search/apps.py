from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "cms.search"
    label = "archive_search"
    verbose_name = "Tìm kiếm"
