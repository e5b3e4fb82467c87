from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "cms.search"
    label = "archive_search"
    verbose_name = "Tìm kiếm"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cms.search.signal_handlers import fill_empty_index, register_signal_handlers

        register_signal_handlers()
        post_migrate.connect(fill_empty_index, sender=self, dispatch_uid="archive_search_fill")
