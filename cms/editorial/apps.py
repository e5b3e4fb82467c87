from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "cms.editorial"
    label = "editorial"
    verbose_name = "Quy trình biên tập"

    def ready(self) -> None:
        from django.db.models.signals import pre_save
        from wagtail_localize.models import SegmentOverride

        from cms.content.signals import demo_users_ready
        from cms.editorial.demo_roles import grant_demo_roles
        from cms.editorial.localize import guard_save_target
        from cms.editorial.overrides import validate_override_on_save

        # Publishing a translation needs the publish permission, whoever calls save_target.
        guard_save_target()
        # An override names media of the translation's language, whatever path saves it.
        pre_save.connect(
            validate_override_on_save, sender=SegmentOverride, dispatch_uid="editorial_override"
        )
        # The demo loader's users get their roles' groups (content cannot import the roles).
        demo_users_ready.connect(grant_demo_roles, dispatch_uid="editorial_demo_roles")
        # Item pages are edited with the editorial form (units, deferred required fields);
        # content sits below editorial, so the form is handed to the pages from here.
        from cms.content.models import ItemPage
        from cms.editorial.forms import ItemPageForm

        ItemPage.base_form_class = ItemPageForm
