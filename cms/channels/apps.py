from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "cms.channels"
    label = "channels"
    verbose_name = "Kênh chính thức"
    default_auto_field = "django.db.models.BigAutoField"
