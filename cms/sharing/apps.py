from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "cms.sharing"
    label = "sharing"
    verbose_name = "Thẻ chia sẻ và sơ đồ trang"

    def ready(self) -> None:
        from cms.sharing import signal_handlers  # noqa: F401
