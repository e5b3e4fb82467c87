from django.http import HttpRequest
from django.utils.translation import get_language

from cms.i18n.languages import BY_CODE, DEFAULT_LANGUAGE, LANGUAGES, chrome_language


def content_language(request: HttpRequest) -> dict[str, object]:
    """The active content language's <html lang> value and the fonts it needs."""
    code = get_language() or DEFAULT_LANGUAGE
    lang = BY_CODE.get(code, BY_CODE[DEFAULT_LANGUAGE])
    return {
        "content_language": lang,
        "html_lang": lang.bcp47,
        "content_languages": LANGUAGES,
        # <header>/<footer> carry this lang when the chrome falls back to Vietnamese.
        "chrome_lang": chrome_language(lang.code).bcp47,
    }
