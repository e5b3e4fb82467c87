"""Fails when a gettext catalog is missing, stale, or incomplete where it must be complete.

- every content language has ``locales/<locale>/LC_MESSAGES/django.po``;
- every string in the sources is in every catalog (run ``make makemessages`` if not);
- the public site's strings (those used in ``templates/``) are translated in every
  language whose chrome is declared translated (``ContentLanguage.chrome_translated``:
  Vietnamese, English, Chinese, Khmer); every other catalog has at least one translation,
  and its public pages show the chrome in Vietnamese (issue 14: 2).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils.translation import to_locale

from cms.i18n.languages import LANGUAGES

COMPLETE_LANGUAGES = tuple(lang.code for lang in LANGUAGES if lang.chrome_translated)
IGNORE = [
    ".venv/*",
    "var/*",
    "media_pipeline/*",
    "tests/*",
    "benchmarks/*",
    "static/*",
    "node_modules/*",
]


def entry_key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def is_public(entry: polib.POEntry) -> bool:
    return any(path.startswith("templates/") for path, _line in entry.occurrences)


class Command(BaseCommand):
    help = "Check that every content language's catalog exists, is current and is translated."

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.LOCALE_PATHS[0])
        problems: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            fresh_dir = Path(tmp) / "locales"
            fresh_dir.mkdir()
            with override_settings(LOCALE_PATHS=[fresh_dir]):
                call_command(
                    "makemessages",
                    locale=["vi"],
                    ignore_patterns=IGNORE,
                    add_location="file",
                    verbosity=0,
                )
            fresh = polib.pofile(str(fresh_dir / "vi" / "LC_MESSAGES" / "django.po"))
            expected = {entry_key(e): e for e in fresh}
            shutil.rmtree(fresh_dir)
        for code, _name in settings.LANGUAGES:
            path = base / to_locale(code) / "LC_MESSAGES" / "django.po"
            if not path.exists():
                problems.append(f"{code}: missing {path}")
                continue
            catalog = polib.pofile(str(path))
            present = {entry_key(e): e for e in catalog if not e.obsolete}
            stale = [key for key in expected if key not in present]
            if stale:
                problems.append(
                    f"{code}: {len(stale)} source strings are not in the catalog "
                    f"(first: {stale[0][1]!r}); run `make makemessages`"
                )
            translated = [e for e in present.values() if e.translated()]
            if not translated:
                problems.append(f"{code}: the catalog has no translation at all")
            if code in COMPLETE_LANGUAGES:
                untranslated = [
                    e.msgid
                    for key, e in present.items()
                    if key in expected and is_public(expected[key]) and not e.translated()
                ]
                if untranslated:
                    problems.append(
                        f"{code}: {len(untranslated)} public strings untranslated "
                        f"(first: {untranslated[0]!r})"
                    )
        if problems:
            raise CommandError("Translation catalogs need work:\n  " + "\n  ".join(problems))
        self.stdout.write(f"Catalogs OK for {len(settings.LANGUAGES)} languages.")
