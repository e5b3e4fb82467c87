"""Share cards: the 1200×630 image social platforms and messaging apps show for an item.

The picture (a video's poster, an exhibition's first photo; a radio segment has none and
gets a plain background) is fitted above a caption band carrying the item's title in its
own script. The drawing is the board images' (``media_pipeline.images.render_one`` with a
``board`` profile: one Noto font per script run, wrapped and shrunk to fit).

A card is named by its content: ``share/<key>.jpg``, ``key`` hashing what shapes the image
(the title, the language, the source image's bytes, the layout). It is rendered once, in
the background after publishing (about 0.2–0.5 s: too slow for a page view; see
docs/sharing.md), written to a temporary file that is moved into place whole
(``media_pipeline.atomic``), then saved to the default storage, whose local backend also
writes under a temporary name first. Until it is ready the page offers the site's default
card. Only public pages get one, and ``/share/<key>.jpg`` serves it only while the page
is public (``cms.sharing.views``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image
from wagtail.models import Page

from cms.content.visibility import is_public
from cms.media.storage import STORAGE_ERRORS, store_once
from cms.sharing.models import ShareCard, ShareCardStatus
from media_pipeline.atomic import atomic_outputs
from media_pipeline.images import load_image, render_one
from media_pipeline.profiles import ImageProfile

logger = logging.getLogger(__name__)

#: bump when the layout changes: every card is then made again under a new key
LAYOUT_VERSION = 1
WIDTH, HEIGHT = 1200, 630
SHARE_PROFILE = ImageProfile(
    name="share_card",
    purpose="board",
    width=WIDTH,
    height=HEIGHT,
    format="JPEG",
    quality=90,
    caption_band=0.3,
    background="#10243e",
    caption_color="#ffffff",
)
#: the picture area of a radio segment (no image of its own)
PLAIN_BACKGROUND = "#1d4e89"
STORAGE_PREFIX = "share/"
#: a card not made after this long (failed, or its job lost) is scheduled again
RETRY_AFTER = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class CardSource:
    """The picture of a card: a name in the default storage and a digest of its bytes."""

    name: str
    digest: str


def card_source(page: Any) -> CardSource | None:
    """The picture a page's card shows, if any."""
    from cms.content.itemtypes import kind_of
    from cms.media.models import MediaRendition

    kind = kind_of(page)
    if kind is None:
        return None
    image = kind.poster(page)
    master_id = kind.master_id(page)
    if image is None and kind.poster_field and master_id is not None:
        # no poster chosen: the frame the web rendition took
        for profile in kind.web_profiles:
            rendition = (
                MediaRendition.objects.done().filter(master_id=master_id, profile=profile).first()
            )
            poster = (rendition.extra_files or {}).get("poster") if rendition else None
            if rendition is not None and poster:
                digest = hashlib.sha256(f"{rendition.sha256}:{poster}".encode()).hexdigest()
                return CardSource(poster, digest)
    if image is None and kind.has_exhibits:
        exhibits = kind.exhibits(page)
        image = exhibits[0].image if exhibits else None
    if image is None or not image.file:
        return None
    return CardSource(image.file.name, image.get_file_hash())


def card_key(page: Any, source: CardSource | None = None) -> str:
    source = source if source is not None else card_source(page)
    shape = {
        "v": LAYOUT_VERSION,
        "title": page.title,
        "language": page.locale.language_code,
        "source": source.digest if source else None,
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()


def render_card(page: Any, source: CardSource | None, dest: Path) -> Path:
    """Draw the card of ``page`` into ``dest`` (atomically: whole or absent)."""
    with tempfile.TemporaryDirectory(prefix="share-card-") as tmp:
        if source is not None:
            local = Path(tmp) / f"source{Path(source.name).suffix}"
            with default_storage.open(source.name, "rb") as src, local.open("wb") as out:
                shutil.copyfileobj(src, out, 1024 * 1024)
            picture = load_image(local)
        else:
            band = int(HEIGHT * SHARE_PROFILE.caption_band)
            picture = Image.new("RGB", (WIDTH, HEIGHT - band), PLAIN_BACKGROUND)
        with atomic_outputs({"card": dest}) as temps:
            render_one(picture, SHARE_PROFILE, temps["card"], caption=page.title)
    return dest


def current_card(page: Any) -> ShareCard | None:
    """The finished card of the page's current content, if there is one."""
    key = card_key(page)
    return ShareCard.objects.filter(page_id=page.pk, key=key, status=ShareCardStatus.DONE).first()


def schedule(page: Any) -> ShareCard | None:
    """Make sure the page's current card exists or is on its way (public pages only):
    a pending row, and a background job once the transaction commits."""
    if not is_public(page):
        return None
    key = card_key(page)
    try:
        with transaction.atomic():
            card, created = ShareCard.objects.get_or_create(page_id=page.pk, key=key)
    except IntegrityError:  # another request made it first
        return ShareCard.objects.filter(page_id=page.pk, key=key).first()
    if not created and card.status != ShareCardStatus.DONE:
        # failed (storage down…) or lost by a worker: tried again after a while, once
        now = timezone.now()
        created = bool(
            ShareCard.objects.filter(
                pk=card.pk, updated_at=card.updated_at, updated_at__lt=now - RETRY_AFTER
            ).update(status=ShareCardStatus.PENDING, updated_at=now)
        )
    if created:
        from cms.sharing.tasks import render_share_card

        page_id = page.pk
        transaction.on_commit(lambda: render_share_card.enqueue(page_id))
    return card


def run(page_id: int) -> str:
    """The background job: render the page's current card if it is still public."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return "gone"
    page = page.specific
    if not is_public(page):
        return "not public"
    try:
        source = card_source(page)
    except STORAGE_ERRORS:  # the image's hash reads the storage; a later view retries
        logger.warning("share card of page %s: storage unavailable", page_id)
        return "failed"
    key = card_key(page, source)
    card, _ = ShareCard.objects.get_or_create(page_id=page.pk, key=key)
    if card.status == ShareCardStatus.DONE and card.file and default_storage.exists(card.file):
        return "done"
    name = f"{STORAGE_PREFIX}{key}.jpg"
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="share-out-") as tmp:
            local = render_card(page, source, Path(tmp) / "card.jpg")
            digest = hashlib.sha256(local.read_bytes()).hexdigest()
            size = local.stat().st_size
            name = store_once(local, name)
    except Exception as error:
        logger.exception("share card of page %s failed", page_id)
        ShareCard.objects.filter(pk=card.pk).update(
            status=ShareCardStatus.FAILED, error=str(error)[:2000]
        )
        return "failed"
    elapsed = int((time.monotonic() - started) * 1000)
    ShareCard.objects.filter(pk=card.pk).update(
        status=ShareCardStatus.DONE,
        file=name,
        sha256=digest,
        size=size,
        width=WIDTH,
        height=HEIGHT,
        render_ms=elapsed,
        error="",
    )
    # older cards of this page (a former title) are no longer served
    ShareCard.objects.filter(page_id=page.pk).exclude(pk=card.pk).delete()
    return "done"
