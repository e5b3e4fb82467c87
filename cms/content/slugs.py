"""One rule for web addresses: Latin letters lose their diacritics (``đ`` -> ``d``).

Vietnamese titles used to give accented slugs (``nước-sạch-…``), which travel as
percent-encoded addresses (``n%C6%B0%E1%BB%9Bc-s…``) that Zalo and SMS break or truncate.
The admin's JavaScript fills the slug from the title with Unicode kept
(``WAGTAIL_ALLOW_UNICODE_SLUGS``, needed for scripts that have no ASCII spelling); the page
models fold it on the server before validation, so a slug typed, pasted or generated with
Vietnamese letters is stored as ASCII (``nuoc-sach-cho-dong-bao``) and its uniqueness is
checked in that form.

Letters of other scripts (Khmer, Chinese) are kept: no transliteration is available. Khmer
items are translations that keep their Vietnamese source's (now ASCII) slug.

A page's stored slug is only folded when it is new or the slug is being changed: existing
addresses are not changed silently. The admin's create and edit views fold the posted slug
before the form checks that it is free under the parent (``cms/content/admin_hooks.py``);
the model folds it for pages made in code (translations, copies, imports).
"""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.models import Page

from cms.i18n.folding import fold


def ascii_slug(slug: str) -> str:
    """``slug`` with case and Latin diacritics folded; other scripts unchanged."""
    return fold(slug)


class AsciiSlugMixin:
    """For page models: fold the slug before Wagtail fills in defaults and validates."""

    def _set_core_field_defaults(self) -> None:
        # Wagtail calls this from full_clean(), minimal_clean() and save(); it fills an empty
        # slug from the title (with Unicode kept), so folding comes after it.
        super()._set_core_field_defaults()  # type: ignore[misc]
        slug = getattr(self, "slug", "")
        if not slug or ascii_slug(slug) == slug:
            return
        if self.pk is not None:  # type: ignore[attr-defined]
            stored = Page.objects.filter(pk=self.pk).values_list("slug", flat=True).first()  # type: ignore[attr-defined]
            if stored == slug:
                return
        self.slug = ascii_slug(slug)


def fold_posted_slug(request: HttpRequest, stored: str | None) -> None:
    """Fold the slug of a page form being posted, before the form checks that it is free
    in its parent; a slug posted unchanged (``stored``) is left alone."""
    if request.method != "POST" or "slug" not in request.POST:
        return
    posted = request.POST["slug"]
    if not posted or posted == stored or ascii_slug(posted) == posted:
        return
    data = request.POST.copy()
    data["slug"] = ascii_slug(posted)
    request.POST = data  # type: ignore[assignment]
