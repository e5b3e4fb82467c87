"""The plan report's channel figures (registered in ``ChannelsConfig.ready()`` with
``cms.reports.sections``, which adds them to every report).

* **Products per channel**: the products (published language versions, as the report
  counts them) posted on each official channel, and per kind of channel, in the period. A
  post falls in the period its ``posted_at`` day (Việt Nam time) is in, whatever the
  product's own date: a 2025 segment posted on Zalo in 2026 is counted in 2026. A product
  posted twice on one channel counts once there; posted on two channels, once on each, so
  these tables add up to more than the products posted. The number of posts is beside.
* **Official social channels in use**: the fanpage, Zalo OA, YouTube and TikTok channels
  with at least one post of the report's products in the period, beside those marked
  active; and the same for every kind of channel (with websites).

Only posts of products the report covers count: live items of the report's scope. The
active channels of a restricted report (one unit or province) are those of the producing
units whose products it covers, and those that carried its products in the period.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from cms.channels.models import SOCIAL_KINDS, Channel, ChannelKind, ChannelPost
from cms.reports.figures import Row, Section
from cms.reports.periods import Period
from cms.search.models import IndexScope, SearchDocument


def _scope(restriction: Q | None) -> QuerySet[SearchDocument]:
    qs = SearchDocument.objects.filter(scope=IndexScope.LIVE, live=True)
    return qs.filter(restriction) if restriction is not None else qs


def posts_in(period: Period, restriction: Q | None = None) -> QuerySet[ChannelPost]:
    """The posts of the report's products made in the period."""
    return ChannelPost.objects.filter(
        posted_at__date__gte=period.start,
        posted_at__date__lte=period.end,
        page_id__in=_scope(restriction).values("page_id"),
    )


def channels_in_scope(restriction: Q | None, posts: QuerySet[ChannelPost]) -> QuerySet[Channel]:
    if restriction is None:
        return Channel.objects.all()
    units = _scope(restriction).order_by().values("producing_unit").distinct()
    return Channel.objects.filter(
        Q(producing_unit__code__in=units) | Q(pk__in=posts.values("channel_id"))
    ).distinct()


def channel_sections(period: Period, restriction: Q | None = None) -> list[Section]:
    """The three channel tables, or none while the office has no channel recorded."""
    if not Channel.objects.exists():
        return []
    posts = posts_in(period, restriction)
    per_channel = {
        row["channel_id"]: (row["products"], row["posts"])
        for row in posts.order_by()
        .values("channel_id")
        .annotate(products=Count("page_id", distinct=True), posts=Count("pk"))
    }
    channels = list(channels_in_scope(restriction, posts).order_by("kind", "name"))
    kind_labels = dict(ChannelKind.choices)
    per_kind = {
        row["channel__kind"]: (row["products"], row["posts"])
        for row in posts.order_by()
        .values("channel__kind")
        .annotate(products=Count("page_id", distinct=True), posts=Count("pk"))
    }
    kinds_shown = [
        kind
        for kind in ChannelKind.values
        if kind in per_kind or any(c.kind == kind and c.active for c in channels)
    ]
    kind_rows = [
        Row(
            str(kind_labels[kind]),
            per_kind.get(kind, (0, 0))[0],
            None,
            (per_kind.get(kind, (0, 0))[1],),
        )
        for kind in kinds_shown
    ]
    kind_rows.sort(key=lambda row: -row.count)  # stable: the kinds' order among equals
    channel_rows = [
        Row(str(channel), *_pair(per_channel.get(channel.pk, (0, 0))))
        for channel in channels
        if channel.active or channel.pk in per_channel
    ]
    channel_rows.sort(key=lambda row: (-row.count, row.label))
    headers_products = (_("Số sản phẩm"), _("Số lượt đăng"))
    social = [c for c in channels if c.kind in SOCIAL_KINDS]
    used = set(per_channel)
    in_use_rows = [
        Row(_("Kênh mạng xã hội chính thức đang hoạt động"), sum(c.active for c in social)),
        Row(
            _("Kênh mạng xã hội chính thức có sản phẩm đăng trong kỳ"),
            sum(c.pk in used for c in social),
        ),
        Row(
            _("Kênh chính thức đang hoạt động (mọi loại, kể cả trang web)"),
            sum(c.active for c in channels),
        ),
        Row(
            _("Kênh chính thức có sản phẩm đăng trong kỳ (mọi loại)"),
            sum(c.pk in used for c in channels),
        ),
    ]
    return [
        Section(
            "official_channel_kind",
            _("Sản phẩm đăng trên kênh chính thức, theo loại kênh"),
            kind_rows,
            note=_(
                "Tính theo ngày đăng trong kỳ. Một sản phẩm đăng trên nhiều kênh được tính ở "
                "mỗi kênh; đăng nhiều lần trên một kênh được tính một lần."
            ),
            headers=(_("Loại kênh"), *headers_products),
        ),
        Section(
            "official_channel",
            _("Sản phẩm đăng theo từng kênh chính thức"),
            channel_rows,
            headers=(_("Kênh"), *headers_products),
        ),
        Section(
            "official_channels_in_use",
            _("Kênh mạng xã hội chính thức"),
            in_use_rows,
            note=_(
                "Kênh mạng xã hội: fanpage Facebook, Zalo OA, YouTube, TikTok. Kênh có sản "
                "phẩm đăng trong kỳ: có ít nhất một lượt đăng được ghi nhận trong kỳ."
            ),
            chart="none",
            headers=(_("Nội dung"), _("Số kênh")),
        ),
    ]


def _pair(values: tuple[int, int]) -> tuple[int, Any, tuple[int]]:
    products, posts = values
    return products, None, (posts,)
