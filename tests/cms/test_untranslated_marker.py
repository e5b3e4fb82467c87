"""The "not translated" marker (issue 14: 2): language-neutral, shown only on a version
whose text is still its Vietnamese original's, with that text marked Vietnamese."""

from __future__ import annotations

from typing import Any

import pytest
from wagtail.models import Locale

from cms.content.templatetags.content_tags import untranslated


@pytest.mark.django_db
def test_marker_only_where_the_text_is_still_vietnamese(client: Any, home: Any) -> None:
    hmn = home.copy_for_translation(Locale.objects.get(language_code="hmn"))
    hmn.save_revision().publish()
    en = home.copy_for_translation(Locale.objects.get(language_code="en"))
    en.title = "Human rights information"
    en.save_revision().publish()
    assert untranslated(hmn) and not untranslated(en) and not untranslated(home)

    html = client.get("/hmn/").content.decode()
    assert 'class="untranslated"' in html
    assert '<span class="untranslated-language" lang="hmn">Hmoob</span>' in html
    assert '<span class="untranslated-text" lang="vi">' in html
    assert '<div lang="vi">' in html  # the Vietnamese title and intro
    assert "chưa dịch sang" not in html  # no made-up wording
    assert 'class="untranslated"' not in client.get("/en/").content.decode()
    assert 'class="untranslated"' not in client.get("/vi/").content.decode()
