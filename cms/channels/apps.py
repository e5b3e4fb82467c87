from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "cms.channels"
    label = "channels"
    verbose_name = "Kênh chính thức"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The plan report lists the channel figures after its own sections.
        from cms.channels.figures import channel_sections
        from cms.reports.sections import register_section

        register_section("channels", channel_sections)
