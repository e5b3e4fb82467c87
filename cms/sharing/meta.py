"""What a public page's ``<head>`` says about it to social platforms and search engines:
Open Graph and Twitter card tags, ``hreflang`` alternates, the canonical URL and schema.org
JSON-LD (``templates/includes/share_meta.html``; docs/sharing.md)."""

from __future__ import annotations

import html
import json
import logging
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page

from cms.content.visibility import public_pages
from cms.i18n.languages import BY_CODE, DEFAULT_LANGUAGE
from cms.media.storage import STORAGE_ERRORS

logger = logging.getLogger(__name__)

#: og:locale (language_TERRITORY) per content language: the territory where the site's
#: audience speaks it (the province's minority languages: Việt Nam).
OG_LOCALES = {
    "vi": "vi_VN",
    "en": "en_US",
    "zh-hans": "zh_CN",
    "km": "km_KH",
    "tyz": "tyz_VN",
    "nut": "nut_VN",
    "hmn": "hmn_VN",
    "cjm": "cjm_VN",
    "ktv": "ktv_VN",
    "sti": "sti_VN",
}
DESCRIPTION_LIMIT = 200
DEFAULT_CARD = "img/share-default.jpg"
DEFAULT_CARD_SIZE = (1200, 630)
MIME = {".m4a": "audio/mp4", ".mp3": "audio/mpeg", ".mp4": "video/mp4", ".webm": "video/webm"}


def og_locale(language_code: str) -> str:
    return OG_LOCALES.get(language_code, language_code.replace("-", "_"))


def hreflang(language_code: str) -> str:
    lang = BY_CODE.get(language_code)
    return lang.bcp47 if lang else language_code


def trim(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` on one line, at most ``limit`` characters: cut at the last space when the
    script has spaces (Vietnamese, Hmong…), else between characters (Chinese, Khmer), never
    between a letter and its vowel sign or tone mark; "…" marks the cut."""
    text = " ".join(unicodedata.normalize("NFC", html.unescape(strip_tags(text or ""))).split())
    if len(text) <= limit:
        return text
    cut = limit - 1
    while cut > 0 and (
        unicodedata.category(text[cut]).startswith("M") or text[cut - 1] in "\u17d2\u200d"
    ):
        cut -= 1
    head = text[:cut]
    space = head.rfind(" ")
    if space > limit * 0.6:
        head = head[:space]
    return head.rstrip(" ,;:.-–—") + "…"


def iso_duration(seconds: float | None) -> str:
    """ISO 8601 duration in whole seconds: ``PT1M5S``."""
    if not seconds:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return out + (f"{secs}S" if secs or total == 0 else "")


def ld_json(data: dict[str, Any]) -> SafeString:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped
    as ``\\u003c``… so no title can close the script element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    escaped = text.translate({ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"})
    return mark_safe(escaped.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))  # noqa: S308


@dataclass
class Media:
    url: str
    type: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    poster: str = ""


@dataclass
class Alternate:
    hreflang: str
    url: str


@dataclass
class ShareMeta:
    title: str
    description: str
    url: str
    canonical: str
    type: str
    locale: str
    language: str
    image: str
    image_width: int
    image_height: int
    image_type: str
    image_alt: str
    locale_alternates: list[str] = field(default_factory=list)
    alternates: list[Alternate] = field(default_factory=list)
    audio: Media | None = None
    video: Media | None = None
    json_ld: SafeString | None = None
    item: bool = False


def _finished(master_id: int | None, profiles: tuple[str, ...]) -> Any:
    from cms.media.models import MediaRendition

    if not master_id:
        return None
    done = {
        r.profile: r
        for r in MediaRendition.objects.done().filter(master_id=master_id, profile__in=profiles)
    }
    return next((done[p] for p in profiles if p in done), None)


def _media(request: HttpRequest, rendition: Any, master: Any) -> Media:
    from cms.media.serving import media_url

    technical = rendition.technical_metadata or {}
    name = rendition.file.name
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    poster = (rendition.extra_files or {}).get("poster")
    return Media(
        url=request.build_absolute_uri(media_url(name)),
        type=MIME.get(suffix, "application/octet-stream"),
        width=technical.get("width"),
        height=technical.get("height"),
        duration=technical.get("duration") or getattr(master, "duration", None),
        poster=request.build_absolute_uri(media_url(poster)) if poster else "",
    )


def translations(page: Page, request: HttpRequest) -> dict[str, str]:
    """Absolute URLs of the page's public versions by language code (itself included)."""
    urls: dict[str, str] = {}
    versions = public_pages(Page.objects.filter(translation_key=page.translation_key))
    for version in versions.select_related("locale").order_by("locale__language_code"):
        url = version.get_full_url(request=request)
        if url:
            urls[version.locale.language_code] = url
    return urls


def alternates_for(urls: dict[str, str]) -> list[Alternate]:
    """``hreflang`` links: one per public version, and ``x-default``, the Vietnamese one
    (none for a page in one language only)."""
    if len(urls) < 2:
        return []
    out = [Alternate(hreflang(code), url) for code, url in sorted(urls.items())]
    if DEFAULT_LANGUAGE in urls:
        out.append(Alternate("x-default", urls[DEFAULT_LANGUAGE]))
    return out


def description_of(page: Any) -> str:
    for name in ("search_description", "summary", "intro"):
        text = trim(getattr(page, name, "") or "")
        if text:
            return text
    return ""


def build(page: Any, request: HttpRequest, site_name: str) -> ShareMeta | None:
    """The head metadata of a public page (None for a draft preview or a private page)."""
    from cms.content.itemtypes import kind_of
    from cms.content.models import ItemPage
    from cms.content.visibility import is_public
    from cms.sharing.cards import current_card, schedule

    if not is_public(page):
        return None
    urls = translations(page, request)
    language = page.locale.language_code
    url = urls.get(language) or page.get_full_url(request=request) or ""
    title = page.seo_title or page.title
    item = isinstance(page, ItemPage)
    image_url = request.build_absolute_uri(static(DEFAULT_CARD))
    width, height = DEFAULT_CARD_SIZE
    if item:
        try:
            card = current_card(page)
            if card is None:
                schedule(page)  # made in the background; the default card meanwhile
        except STORAGE_ERRORS:  # the source image's hash needs the storage: default card
            logger.warning("share card of page %s: storage unavailable", page.pk)
            card = None
        if card is not None:
            image_url = request.build_absolute_uri(reverse("share_card", args=[card.key]))
            width, height = card.width, card.height
    meta = ShareMeta(
        title=title,
        description=description_of(page),
        url=url,
        canonical=url,
        type="website",
        locale=og_locale(language),
        language=hreflang(language),
        image=image_url,
        image_width=width,
        image_height=height,
        image_type="image/jpeg",
        image_alt=page.title,
        locale_alternates=[og_locale(code) for code in urls if code != language],
        alternates=alternates_for(urls),
        item=item,
    )
    kind = kind_of(page)
    if kind is not None:
        meta.type = kind.og_type
        rendition = _finished(kind.master_id(page), kind.web_profiles)
        if rendition is not None and kind.master_kind is not None:
            # ShareMeta.audio / .video are named after the master's MediaKind
            setattr(meta, kind.master_kind, _media(request, rendition, kind.master(page)))
    if item:
        meta.json_ld = ld_json(json_ld(page, meta, request))
    return meta


def json_ld(page: Any, meta: ShareMeta, request: HttpRequest) -> dict[str, Any]:
    """schema.org for an item: ``AudioObject`` (radio), ``VideoObject`` (video),
    ``ExhibitionEvent`` (exhibition: a touring show with a place and dates, its photos as
    ``image``; ``ImageGallery`` would describe a web page of pictures and drop both)."""
    from cms.content.itemtypes import kind_of

    kind = kind_of(page)
    published = page.first_published_at.isoformat() if page.first_published_at else None
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "name": page.title,
        "description": meta.description,
        "inLanguage": meta.language,
        "url": meta.url,
    }
    if kind is not None and kind.master_kind is not None:
        media = getattr(meta, kind.master_kind)
        data["@type"] = kind.schema_type
        data["uploadDate"] = published
        data["datePublished"] = published
        if media is not None:
            data["contentUrl"] = media.url
            data["encodingFormat"] = media.type
            data["duration"] = iso_duration(media.duration)
            if media.width and media.height:
                data["width"], data["height"] = media.width, media.height
        transcript = kind.text(page)
        if transcript:
            data["transcript"] = transcript
        thumbnail = meta.video.poster if meta.video and meta.video.poster else meta.image
        data["thumbnailUrl"] = thumbnail
    elif kind is not None and kind.has_exhibits:
        data["@type"] = kind.schema_type
        data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
        if page.production_date:
            data["startDate"] = page.production_date.isoformat()
        if page.end_date:
            data["endDate"] = page.end_date.isoformat()
        if page.place:
            data["location"] = {"@type": "Place", "name": page.place}
        data["image"] = [meta.image, *exhibition_photos(page, request)]
    return data


def exhibition_photos(page: Any, request: HttpRequest, limit: int = 10) -> list[str]:
    from cms.media.models import MediaRendition
    from cms.media.serving import media_url

    image_ids = list(page.items.order_by("sort_order", "pk").values_list("image_id", flat=True))
    done: dict[int | None, str] = {
        r.image_id: str(r.file.name)
        for r in MediaRendition.objects.done().filter(
            image_id__in=image_ids[:limit], profile="image_web"
        )
    }
    return [request.build_absolute_uri(media_url(done[i])) for i in image_ids if i in done]
