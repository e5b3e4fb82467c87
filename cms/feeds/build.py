"""The podcast feeds' content: which items, and the RSS 2.0 document with the iTunes and
Podcasting 2.0 namespaces, written by Django's own feed generator (``Rss201rev2Feed``).

What is public is decided by ``cms.content.visibility.public_pages`` (live, not expired, no
view restriction on the page or an ancestor, access level public), the rule the site's
pages, search, OAI-PMH and ``/media/`` use. A page's fields in the database are its live
revision: a draft edit of a live page lives in a revision only and never reaches a feed.
An item without a finished ``web_audio`` rendition has nothing to enclose and is left out
until its rendition is done.
"""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.translation import gettext, pgettext

from cms.i18n.languages import BY_CODE, ContentLanguage

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
#: Podcasting 2.0's namespace for ``podcast:guid`` (a UUIDv5 of the feed URL without scheme).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
#: The items' GUIDs: a UUIDv5 of the page's translation key and language, in this namespace.
ITEM_GUID_NAMESPACE = uuid.UUID("5b0f3c55-7a0e-4f57-9d51-3c6a1e0f6d21")
AUDIO_PROFILE = "web_audio"
#: The newest items a feed lists (podcast apps keep the episodes they already have).
MAX_ITEMS = 300
CONTENT_TYPE = "application/rss+xml; charset=utf-8"

# XML 1.0 cannot carry C0 controls other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: Any) -> str:
    """NFC text that XML can carry."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", str(text or "")))


def item_guid(page: Any) -> str:
    """Never changes: not the URL (the slug and the title may change, the page may be
    unpublished and published again); the same page in the same language keeps it."""
    name = f"{page.translation_key}:{page.locale.language_code}"
    return f"urn:uuid:{uuid.uuid5(ITEM_GUID_NAMESPACE, name)}"


def podcast_guid(feed_url: str) -> str:
    """``podcast:guid`` as the Podcasting 2.0 namespace defines it."""
    bare = re.sub(r"^[a-zA-Z]+://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def itunes_duration(seconds: float) -> str:
    total = max(0, math.floor(seconds + 0.5))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


class PodcastFeed(Rss201rev2Feed):
    """RSS 2.0 with the ``itunes:`` and ``podcast:`` elements Apple and Podcast Index read."""

    content_type = CONTENT_TYPE

    def rss_attributes(self) -> dict[str, str]:
        return {
            **super().rss_attributes(),
            "xmlns:itunes": ITUNES_NS,
            "xmlns:podcast": PODCAST_NS,
        }

    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        feed = self.feed
        handler.addQuickElement("itunes:author", feed["itunes_author"])
        handler.startElement("itunes:owner", {})
        handler.addQuickElement("itunes:name", feed["owner_name"])
        handler.addQuickElement("itunes:email", feed["owner_email"])
        handler.endElement("itunes:owner")
        handler.addQuickElement("itunes:image", None, {"href": feed["artwork"]})
        handler.startElement("image", {})
        handler.addQuickElement("url", feed["artwork"])
        handler.addQuickElement("title", feed["title"])
        handler.addQuickElement("link", feed["link"])
        handler.endElement("image")
        handler.addQuickElement("itunes:category", None, {"text": feed["category"]})
        handler.addQuickElement("itunes:explicit", "true" if feed["explicit"] else "false")
        handler.addQuickElement("itunes:type", "episodic")
        handler.addQuickElement("podcast:guid", feed["podcast_guid"])

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("itunes:duration", item["duration"])
        handler.addQuickElement("itunes:explicit", "true" if self.feed["explicit"] else "false")
        if item.get("transcript"):
            handler.addQuickElement(
                "podcast:transcript",
                None,
                {
                    "url": item["transcript"],
                    "type": "text/plain",
                    "language": self.feed["language"],
                },
            )


@dataclass
class Episode:
    page: Any
    rendition: Any

    @property
    def seconds(self) -> float:
        technical = self.rendition.technical_metadata or {}
        return float(technical.get("duration") or self.page.duration or 0)


def radio_items(language: str, root: Any | None = None) -> QuerySet[Any]:
    """The public radio items in ``language`` (under ``root``, a section, if given) that
    have a finished web audio rendition, newest first publication first."""
    from cms.content.models import RadioSegmentPage
    from cms.content.visibility import public_pages
    from cms.media.models import MediaRendition

    finished = (
        MediaRendition.objects.done()
        .filter(master_id=OuterRef("audio_id"), profile=AUDIO_PROFILE)
        .exclude(size=0)
    )
    pages = RadioSegmentPage.objects.filter(locale__language_code=language)
    if root is not None:
        pages = pages.descendant_of(root)
    items: QuerySet[Any] = (
        public_pages(pages)
        .filter(Exists(finished))
        .select_related("locale", "audio")
        .order_by("-first_published_at", "-pk")
    )
    return items


def episodes(language: str, root: Any | None = None) -> list[Episode]:
    from cms.media.models import MediaRendition

    pages = list(radio_items(language, root)[:MAX_ITEMS])
    done = {
        rendition.master_id: rendition
        for rendition in MediaRendition.objects.done().filter(
            master_id__in=[page.audio_id for page in pages], profile=AUDIO_PROFILE
        )
    }
    return [Episode(page, done[page.audio_id]) for page in pages if page.audio_id in done]


def language_home(language: str) -> Any | None:
    """The public home page of a language (the site root in that locale), if there is one."""
    from cms.content.models import HomePage
    from cms.content.visibility import public_pages

    return public_pages(HomePage.objects.filter(locale__language_code=language)).first()


def radio_label() -> str:
    return pgettext("podcast feed title", "Chương trình phát thanh")


def feed_title(lang: ContentLanguage, section: Any | None) -> str:
    """In the active (content) language: the programmes, or the section, and the language."""
    name = section.title if section is not None else radio_label()
    return clean(f"{name} – {lang.name_local}")


def feed_url(language: str, section: Any | None) -> str:
    with translation.override(language):
        if section is None:
            return reverse("feed_radio")
        return reverse("feed_section", kwargs={"section_id": section.pk})


def render(request: HttpRequest, language: str, section: Any | None) -> bytes:
    """The feed document for a language (every radio item) or for one of its sections."""
    from cms.feeds.models import PodcastSettings
    from cms.media.file_responses import content_type_of
    from cms.media.serving import media_url

    lang = BY_CODE[language]
    podcast = PodcastSettings.for_feed(request)
    owner_name, owner_email = podcast.owner()
    absolute = request.build_absolute_uri
    channel_page = section if section is not None else language_home(language)
    page_url = channel_page.get_url(request) if channel_page is not None else None
    link = absolute(page_url or f"/{language}/")
    description = clean(getattr(channel_page, "intro", "")) or clean(
        gettext("Sản phẩm thông tin tuyên truyền của các cơ quan, đơn vị trên địa bàn tỉnh.")
    )
    self_url = absolute(feed_url(language, section))
    feed = PodcastFeed(
        title=feed_title(lang, section),
        link=link,
        description=description,
        language=lang.bcp47,
        feed_url=self_url,
        itunes_author=clean(podcast.author_name()),
        owner_name=clean(owner_name),
        owner_email=owner_email,
        artwork=absolute(reverse("feed_artwork")),
        category=podcast.category,
        explicit=podcast.explicit,
        podcast_guid=podcast_guid(self_url),
    )
    for episode in episodes(language, section):
        page, rendition = episode.page, episode.rendition
        feed.add_item(
            title=clean(page.title),
            link=absolute(page.get_url(request)),
            description=clean(page.summary),
            pubdate=page.first_published_at,
            unique_id=item_guid(page),
            unique_id_is_permalink=False,
            enclosures=[
                Enclosure(
                    absolute(media_url(rendition.file.name)),
                    str(rendition.size),
                    content_type_of(rendition.file.name),
                )
            ],
            duration=itunes_duration(episode.seconds),
            transcript=(
                absolute(reverse("feed_transcript", kwargs={"page_id": page.pk}))
                if page.script.strip()
                else ""
            ),
        )
    return feed.writeString("utf-8").encode("utf-8")
