from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "cms.stations"
    label = "stations"
    verbose_name = "Đài và gói phát sóng"
