from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "cms.media"
    label = "media"
    verbose_name = "Tư liệu gốc và bản dựng"

    def ready(self) -> None:
        from cms.media import checks, signal_handlers  # noqa: F401
