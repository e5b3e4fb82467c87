"""The project's content languages, declared once.

Django knows only some of these ISO 639 codes. ``register_language_info`` teaches
``django.conf.locale.LANG_INFO`` the rest, so ``get_language_info`` works for every
content locale; ``check_for_language`` additionally needs a compiled gettext catalog,
which every locale has under ``locales/`` (see ``make messages``).

This module imports nothing from Django at import time so settings can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LanguageCategory(StrEnum):
    """The plan indicator counts products by these categories."""

    NATIONAL = "national"
    MINORITY = "minority"
    FOREIGN = "foreign"


@dataclass(frozen=True)
class ContentLanguage:
    code: str  # Django language code, also the URL prefix
    name: str  # English name
    name_local: str  # the language's own name, in its own script where known
    name_vi: str  # Vietnamese name, for the admin
    bcp47: str  # value of <html lang>
    categories: tuple[LanguageCategory, ...]
    scripts: tuple[str, ...]  # font families the public site needs for it, in order
    # The public site's chrome (menus, labels) is translated into this language; if not,
    # the whole chrome is shown in Vietnamese, never half and half (issue 14: 2).
    chrome_translated: bool = False


LANGUAGES: tuple[ContentLanguage, ...] = (
    ContentLanguage(
        "vi",
        "Vietnamese",
        "Tiếng Việt",
        "Tiếng Việt",
        "vi",
        (LanguageCategory.NATIONAL,),
        ("latin",),
        chrome_translated=True,
    ),
    ContentLanguage(
        "en",
        "English",
        "English",
        "Tiếng Anh",
        "en",
        (LanguageCategory.FOREIGN,),
        ("latin",),
        chrome_translated=True,
    ),
    ContentLanguage(
        "zh-hans",
        "Chinese (Simplified)",
        "简体中文",
        "Tiếng Trung (giản thể)",
        "zh-Hans",
        (LanguageCategory.FOREIGN,),
        ("latin", "han"),
        chrome_translated=True,
    ),
    ContentLanguage(
        "km",
        "Khmer",
        "ភាសាខ្មែរ",
        "Tiếng Khmer",
        "km",
        (LanguageCategory.MINORITY, LanguageCategory.FOREIGN),
        ("latin", "khmer"),
        chrome_translated=True,
    ),
    ContentLanguage(
        "tyz",
        "Tày",
        "Tày",
        "Tiếng Tày",
        "tyz",
        (LanguageCategory.MINORITY,),
        ("latin",),
    ),
    ContentLanguage(
        "nut",
        "Nùng",
        "Nùng",
        "Tiếng Nùng",
        "nut",
        (LanguageCategory.MINORITY,),
        ("latin",),
    ),
    ContentLanguage(
        "hmn",
        "H'Mông",
        "Hmoob",
        "Tiếng H'Mông",
        "hmn",
        (LanguageCategory.MINORITY,),
        ("latin",),
    ),
    ContentLanguage(
        "cjm",
        "Eastern Cham",
        "Chăm",
        "Tiếng Chăm",
        "cjm",
        (LanguageCategory.MINORITY,),
        ("latin", "cham"),
    ),
    ContentLanguage(
        "ktv",
        "Eastern Katu",
        "Cơ Tu",
        "Tiếng Cơ Tu",
        "ktv",
        (LanguageCategory.MINORITY,),
        ("latin",),
    ),
    ContentLanguage(
        "sti",
        "Bulo Stieng",
        "S'tiêng",
        "Tiếng S'tiêng",
        "sti",
        (LanguageCategory.MINORITY,),
        ("latin",),
    ),
)

BY_CODE: dict[str, ContentLanguage] = {lang.code: lang for lang in LANGUAGES}

#: ISO 639-2/3 code of each content language: the archive's ``arc:languages`` (Circular
#: 05/2025 asks for ISO 639; BCP 47 goes in ``dc:language``) and the ID3 ``TLAN`` frame of
#: packaged MP3s and renditions.
ISO639_3: dict[str, str] = {
    "vi": "vie",
    "en": "eng",
    "zh-hans": "zho",
    "km": "khm",
    "tyz": "tyz",
    "nut": "nut",
    "hmn": "hmn",
    "cjm": "cjm",
    "ktv": "ktv",
    "sti": "sti",
}
DEFAULT_LANGUAGE = "vi"

# Languages the admin interface is offered in.
ADMIN_LANGUAGES: tuple[tuple[str, str], ...] = (("vi", "Tiếng Việt"), ("en", "English"))


def chrome_language(code: str) -> ContentLanguage:
    """The language the public site's chrome is shown in for content language ``code``."""
    lang = BY_CODE.get(code, BY_CODE[DEFAULT_LANGUAGE])
    return lang if lang.chrome_translated else BY_CODE[DEFAULT_LANGUAGE]


def django_languages() -> list[tuple[str, str]]:
    """``settings.LANGUAGES``: code and the language's own name."""
    return [(lang.code, lang.name_local) for lang in LANGUAGES]


def lang_info() -> dict[str, dict[str, object]]:
    """Entries for ``django.conf.locale.LANG_INFO``."""
    return {
        lang.code: {
            "bidi": False,
            "code": lang.code,
            "name": lang.name,
            "name_local": lang.name_local,
            "name_translated": lang.name_vi,
        }
        for lang in LANGUAGES
    }


def register_language_info() -> None:
    """Add the codes Django lacks to LANG_INFO (keeps Django's own entries)."""
    from django.conf.locale import LANG_INFO

    for code, info in lang_info().items():
        LANG_INFO.setdefault(code, info)


def category_of(code: str) -> tuple[LanguageCategory, ...]:
    lang = BY_CODE.get(code)
    return lang.categories if lang else (LanguageCategory.FOREIGN,)
