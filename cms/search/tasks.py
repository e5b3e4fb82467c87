"""Background jobs of the archive index. Tasks take primitive arguments and are enqueued
on commit."""

from __future__ import annotations

from django_tasks import task
from wagtail.models import Page

from cms.search.indexing import rebuild


@task()
def reindex_pages(page_ids: list[int]) -> int:
    """Reindex the given item pages (after a taxonomy rename: their metadata text holds
    the term's names); returns how many were indexed."""
    return rebuild(Page.objects.filter(pk__in=page_ids).order_by("path").iterator())
