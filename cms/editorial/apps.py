from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "cms.editorial"
    label = "editorial"
    verbose_name = "Quy trình biên tập"

    def ready(self) -> None:
        from django.db.models.signals import pre_save
        from wagtail_localize.models import SegmentOverride

        from cms.editorial.localize import guard_save_target
        from cms.editorial.overrides import validate_override_on_save

        # Publishing a translation needs the publish permission, whoever calls save_target.
        guard_save_target()
        # An override names media of the translation's language, whatever path saves it.
        pre_save.connect(
            validate_override_on_save, sender=SegmentOverride, dispatch_uid="editorial_override"
        )
        # Item pages are edited with the editorial form (units, deferred required fields);
        # content sits below editorial, so the form is handed to the pages from here.
        from cms.content.models import ItemPage
        from cms.editorial.forms import ItemPageForm

        ItemPage.base_form_class = ItemPageForm
