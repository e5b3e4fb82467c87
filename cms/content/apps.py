from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "cms.content"
    label = "content"
    verbose_name = "Nội dung"

    def ready(self) -> None:
        from cms.content import signal_handlers

        signal_handlers.connect()
        from cms.content.dates import install as install_date_fields

        install_date_fields()
        # The media app serves a rendition to the public only if a public page uses its
        # source; pages are this app's, so it hands media the check (media imports no page).
        from cms.content.visibility import used_by_public_page
        from cms.media import serving

        serving.install_public_use(used_by_public_page)
        # Admin hooks of the page editor and listings (ASCII slugs, Có/Không, chooser labels),
        # registered here so that wagtail_hooks.py stays free for the app's other hooks.
        from cms.content import admin_hooks  # noqa: F401
