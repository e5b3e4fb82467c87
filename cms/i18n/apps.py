from django.apps import AppConfig


class I18nConfig(AppConfig):
    name = "cms.i18n"
    label = "i18n"
    verbose_name = "Ngôn ngữ"

    def ready(self) -> None:
        from cms.i18n.languages import register_language_info

        register_language_info()
        from cms.i18n import checks  # noqa: F401
