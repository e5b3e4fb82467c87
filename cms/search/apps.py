from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "cms.search"
    label = "archive_search"
    verbose_name = "Tìm kiếm"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.search import signal_handlers

        signal_handlers.connect(self)
