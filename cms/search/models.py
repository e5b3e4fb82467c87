"""The archive search index: one row per item page and scope, plus its facet values.

Wagtail's database search backend matches words as typed: "quyen tre em" does not find
"quyền trẻ em" and Khmer sentences are one long word. This index stores the words as
``cms.search.text`` produces them (folded, segmented), with the filter and facet fields
copied from the page.

``SearchDocument`` is kept narrow (filter fields, the folded ``vector``, the facet keys):
matching, ranking, facet counts and reports read only it. The texts shown in snippets and
the exact-diacritics vector, needed for a page of hits only, live in ``SearchText``.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexScope(models.TextChoices):
    """``live`` rows hold what the public sees; ``latest`` rows hold the newest revision
    (drafts included) for the admin search."""

    LIVE = "live", _("Đã xuất bản")
    LATEST = "latest", _("Bản mới nhất")


class ItemType(models.TextChoices):
    RADIO_SEGMENT = "radio_segment", _("Chương trình phát thanh")
    VIDEO = "video", _("Video")
    EXHIBITION = "exhibition", _("Triển lãm")


class FacetKind(models.TextChoices):
    """Facets an item can have several values of (stored as ``SearchTag`` rows)."""

    TOPIC = "topic", _("Chủ đề")
    CHANNEL = "channel", _("Kênh phát hành")
    UNIT = "unit", _("Địa bàn")


# Facets with one value per item (``SearchDocument`` fields).
SINGLE_FACETS = ("item_type", "language", "product_type", "producing_unit", "bulletin_class")


class SearchDocument(models.Model):
    """An item page's searchable text and facets, in one scope.

    ``date`` is the product date used by filters and reports (see
    ``cms.search.indexing.product_date``). Taxonomy values are stored by their stable
    ``code`` because items in every language point at the same terms.
    """

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=8, choices=IndexScope.choices)
    translation_key = models.UUIDField()
    language = models.CharField(max_length=16)
    item_type = models.CharField(max_length=32, choices=ItemType.choices)
    product_type = models.CharField(max_length=64, blank=True)
    producing_unit = models.CharField(max_length=64, blank=True)
    bulletin_class = models.CharField(max_length=16, blank=True)
    access_level = models.CharField(max_length=16, blank=True)
    live = models.BooleanField(default=False)
    date = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(max_length=255)
    # Every facet value of the item as ``facet:value`` words separated by spaces
    # (``item_type:video language:km topic:crc unit:12 ...``): one column gives all facet
    # counts and report tables in a single pass.
    facet_keys = models.TextField(blank=True)
    # PostgreSQL only (NULL on SQLite, which searches ``SearchText.folded_terms``).
    vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "scope"], name="unique_search_page_scope")
        ]
        indexes = [
            models.Index(fields=["scope", "date"], name="search_scope_date"),
            # PostgreSQL also has ``search_scope_newest`` (scope, date DESC NULLS LAST,
            # id DESC), the order of a search's result window: migration 0004 (SQLite
            # cannot create it).
            models.Index(fields=["scope", "language"], name="search_scope_language"),
            models.Index(fields=["scope", "producing_unit"], name="search_scope_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language}, {self.scope})"


class SearchText(models.Model):
    """The wide part of a ``SearchDocument``: texts for snippets and the SQLite fallback,
    and the vector of the words with their diacritics (exact matches rank first)."""

    document = models.OneToOneField(
        SearchDocument, on_delete=models.CASCADE, primary_key=True, related_name="text"
    )
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Script, transcript, subtitles, captions.")
    folded_terms = models.TextField(blank=True)
    exact_terms = models.TextField(blank=True)
    exact_vector = SearchVectorField(null=True, editable=False)

    def __str__(self) -> str:
        return str(self.document_id)


class SearchTag(models.Model):
    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="tags")
    facet = models.CharField(max_length=16, choices=FacetKind.choices)
    value = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "facet", "value"], name="unique_search_tag")
        ]
        indexes = [models.Index(fields=["facet", "value"], name="search_tag_facet_value")]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"
