from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "cms.stations"
    label = "stations"
    verbose_name = "Đài và gói phát sóng"

    def ready(self) -> None:
        from cms.stations import signal_handlers  # noqa: F401 - connects the receivers
