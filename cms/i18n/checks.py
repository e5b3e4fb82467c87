"""System checks: every content locale needs a compiled catalog, or Django
falls back to the default language for its URLs."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.translation import check_for_language


@register()
def check_locale_catalogs(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for code, _name in settings.LANGUAGES:
        if not check_for_language(code):
            messages.append(
                Error(
                    f"No compiled gettext catalog for content language {code!r}.",
                    hint="Run `make messages` (compilemessages) to build locales/*.mo.",
                    id="i18n.E001",
                )
            )
    if not (settings.FONT_BUILD_DIR / "fonts.css").exists():
        messages.append(
            Warning(
                "Web fonts have not been built; pages fall back to system fonts.",
                hint="Run `manage.py build_fonts`.",
                id="i18n.W001",
            )
        )
    return messages
