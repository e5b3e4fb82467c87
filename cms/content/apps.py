from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "cms.content"
    label = "content"
    verbose_name = "Nội dung"

    def ready(self) -> None:
        from cms.content import signal_handlers  # noqa: F401
        from cms.content.dates import install as install_date_fields

        install_date_fields()
