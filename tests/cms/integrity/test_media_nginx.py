"""Finding 10 through the real production front: ``deploy/nginx/cms.conf`` in a real nginx
(``SiteInFront`` of test_deploy.py) in front of a real gunicorn running this Django project,
with the app handing files to nginx's ``internal`` ``/_protected/`` location
(X-Accel-Redirect) as in production on local disk.

Before: the site configuration had no way to serve ``/media/`` at all (public audio and images
404 in production). Now: a public rendition is served by nginx with the right bytes (and
Range); a master, a draft's rendition, an original image and the internal location itself are
404.
"""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from cms.media.models import CustomImage
from tests.cms.integrity.test_media_integrity import done_rendition, publish_segment
from tests.cms.test_deploy import ROOT, SiteInFront

DJANGO_APP = """
import os
import sys

sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
os.environ["DATABASE_URL"] = {database!r}
os.environ["CMS_MEDIA_ROOT"] = {media!r}

from django.conf import settings

# as deploy/cms.env.example: CMS_ACCEL_REDIRECT_PREFIX=/_protected/
settings.CMS_STATIONS = {{"ACCEL_REDIRECT_PREFIX": "/_protected/"}}

from django.core.wsgi import get_wsgi_application

app = get_wsgi_application()
"""


def committed_database_url() -> str:
    """The URL of the test database this test's data is committed to."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nginx_serves_public_renditions_and_never_masters_or_drafts(
    tmp_path: Path, settings: Any, section: Any, master_factory: Any, samples: Path
) -> None:
    from cms.content.models import RadioSegmentPage

    site_dir = tmp_path / "site"
    site_dir.mkdir()
    media = site_dir / "var" / "media"  # what the site configuration's /_protected/ aliases
    settings.MEDIA_ROOT = media
    master = master_factory("vi_speech.ogg", title="Bản tin sáng")
    audio = b"ID3" + bytes(range(256)) * 64
    rendition = done_rendition(master, "web_audio", audio, "mp3")
    page = publish_segment(section, master, "Bản tin sáng 1/12", "ban-tin-sang")
    draft_master = master_factory("vi_vbr_44k.mp3", title="Bản nháp")
    draft_rendition = done_rendition(draft_master, "web_audio", b"draft audio", "mp3")
    draft = RadioSegmentPage(title="Bản nháp", slug="ban-nhap", audio=draft_master, live=False)
    section.add_child(instance=draft)
    image = CustomImage(
        title="Ảnh",
        file=SimpleUploadedFile("anh.jpg", (samples / "photo_3000x2000.jpg").read_bytes()),
    )
    image.save()
    from wagtail.models import Locale

    from cms.content.models import ExhibitionItem, ExhibitionPage
    from tests.cms.conftest import complete_metadata

    exhibition = ExhibitionPage(title="Triển lãm", slug="trien-lam", live=False)
    exhibition.items.add(
        ExhibitionItem(image=image, caption="Ảnh", locale=Locale.objects.get(language_code="vi"))
    )
    section.add_child(instance=exhibition)
    complete_metadata(exhibition)
    exhibition.save_revision().publish()
    exhibition.refresh_from_db()

    app = DJANGO_APP.format(root=str(ROOT), database=committed_database_url(), media=str(media))
    with SiteInFront(site_dir, app) as site:
        base = f"https://127.0.0.1:{site.https}"

        def get(path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
            request = urllib.request.Request(base + path, headers=headers)
            try:
                with site.opener.open(request, timeout=30) as response:
                    return response.status, dict(response.headers), response.read()
            except urllib.error.HTTPError as error:
                return error.code, dict(error.headers), error.read()

        status, _, html = get(page.url)
        assert status == 200, html[:500]
        src = re.search(rb'<audio[^>]* src="([^"]+)"', html)
        assert src, html
        url = src.group(1).decode()
        assert url == f"/media/{rendition.file.name}"
        status, headers, served = get(url)
        assert status == 200
        assert hashlib.sha256(served).hexdigest() == rendition.sha256
        assert headers["Server"].startswith("nginx") and "X-Accel-Redirect" not in headers
        assert headers["ETag"] == f'"{rendition.sha256}"'
        status, headers, part = get(url, Range="bytes=3-6")
        assert (status, part) == (206, audio[3:7])
        # a Wagtail image rendition of the public exhibition's image, through nginx too
        status, _, html = get(exhibition.url)
        img = re.search(rb'<img[^>]* src="(/media/images/[^"]+)"', html)
        assert status == 200 and img, html[:500]
        status, headers, served = get(img.group(1).decode())
        assert status == 200 and served[:4] == b"RIFF" and headers["Server"].startswith("nginx")
        for path in (
            f"/media/{master.file.name}",  # the live page's own master
            f"/media/{draft_master.file.name}",
            f"/media/{draft_rendition.file.name}",  # a draft's rendition
            f"/media/{image.file.name}",  # an original image
            f"/_protected/{master.file.name}",  # nginx's internal location, asked directly
            f"/_protected/{rendition.file.name}",
        ):
            status, _, _ = get(path)
            assert status == 404, path
