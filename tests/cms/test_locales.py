"""Every content locale works end to end: URL prefix, <html lang>, its own catalog."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation import to_locale

from cms.i18n.languages import BY_CODE, LANGUAGES

CONTEXT = "name of the language this page is in, in that language"


def catalog_autonym(code: str) -> str:
    path = Path(settings.LOCALE_PATHS[0]) / to_locale(code) / "LC_MESSAGES" / "django.po"
    entry = polib.pofile(str(path)).find("Tiếng Việt", msgctxt=CONTEXT)
    assert entry is not None and entry.msgstr, f"{code} catalog lacks its language name"
    return entry.msgstr


@pytest.fixture
def translated_homes(home):
    from wagtail.models import Locale

    for lang in LANGUAGES:
        if lang.code != "vi":
            home.copy_for_translation(
                Locale.objects.get(language_code=lang.code)
            ).save_revision().publish()
    return home


@pytest.mark.django_db
@pytest.mark.parametrize("code", [lang.code for lang in LANGUAGES])
def test_home_page_in_every_locale(client: Client, translated_homes, code: str) -> None:
    response = client.get(f"/{code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<html lang="{re.escape(BY_CODE[code].bcp47)}"', html)
    current = re.search(r'class="current-language[^"]*"[^>]*>([^<]+)<', html)
    assert current is not None
    assert current.group(1) == catalog_autonym(code)


@pytest.mark.django_db
def test_root_redirects_to_a_language(client: Client, translated_homes) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 302
    assert response["Location"] == "/km/"


@pytest.mark.django_db
def test_english_public_strings_are_translated(client: Client, translated_homes) -> None:
    html = client.get("/en/").content.decode()
    assert "Skip to main content" in html
    assert "Bỏ qua, đến nội dung chính" not in html


def test_django_knows_every_content_language() -> None:
    from django.utils.translation import check_for_language, get_language_info

    for lang in LANGUAGES:
        assert check_for_language(lang.code), lang.code
        assert get_language_info(lang.code)["name_local"]


def test_fonts_cover_khmer_and_cham() -> None:
    css = (settings.FONT_BUILD_DIR / "fonts.css").read_text()
    assert '"Noto Sans Khmer"' in css and "U+1780-17FF" in css
    assert '"Noto Sans Cham"' in css and "U+AA00-AA5F" in css
    for name in re.findall(r'url\("([^"]+)"\)', css):
        assert (settings.FONT_BUILD_DIR / name).stat().st_size > 1000


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/stations/v1/nope", "/oai/nope", "/stations/nope/x"])
def test_unknown_non_localised_urls_are_404_not_redirects(client: Client, home, path) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_unprefixed_public_path_still_redirects_to_a_language(client: Client, home) -> None:
    response = client.get("/phat-thanh/")
    assert response.status_code == 302 and response["Location"] == "/vi/phat-thanh/"


@pytest.mark.django_db
def test_language_switcher_links_each_translation_or_the_not_available_page(
    client: Client, translated_homes
) -> None:
    from wagtail.models import Locale

    from cms.content.models import SectionIndexPage

    section = SectionIndexPage(title="Phát thanh", slug="phat-thanh")
    translated_homes.add_child(instance=section)
    section.save_revision().publish()
    khmer = section.copy_for_translation(Locale.objects.get(language_code="km"))
    khmer.title = "វិទ្យុ"
    khmer.save_revision().publish()
    draft = section.copy_for_translation(Locale.objects.get(language_code="en"))
    draft.save_revision()  # not live: the switcher must not link it

    html = client.get("/vi/phat-thanh/").content.decode()
    links = dict(re.findall(r'<li><a href="([^"]+)" lang="[^"]+" hreflang="([^"]+)"', html))
    by_language = {hreflang: href for href, hreflang in links.items()}
    assert by_language["km"] == "/km/phat-thanh/"
    assert by_language["vi"] == "/vi/phat-thanh/"
    # No public en version: the switcher leads to the page saying so in English (issue 14: 5).
    assert by_language["en"] == f"/en/khong-co/?from={section.pk}"
    assert len(by_language) == len(LANGUAGES)
