from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "cms.feeds"
    label = "feeds"
    verbose_name = "Podcast"
    default_auto_field = "django.db.models.BigAutoField"
