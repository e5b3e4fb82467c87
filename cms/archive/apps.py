from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "cms.archive"
    label = "archive"
    verbose_name = "Lưu trữ và xuất dữ liệu"

    def ready(self) -> None:
        from cms.archive import checks, signal_handlers  # noqa: F401
