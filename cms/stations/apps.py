from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "cms.stations"
    label = "stations"
    verbose_name = "Đài và gói phát sóng"

    def ready(self) -> None:
        from cms.security.clients import trust_proxies
        from cms.stations import conf, signal_handlers  # noqa: F401 - connects the receivers

        # The login throttle and the station API see one client address (cms.security).
        trust_proxies(lambda: conf.get("TRUSTED_PROXIES"))
