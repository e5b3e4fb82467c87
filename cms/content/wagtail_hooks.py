"""The public/non-public rule (``cms.content.visibility``) applied where Wagtail serves
pages and documents to visitors."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from wagtail import hooks

from cms.content.visibility import document_is_public, under_unpublished_page


def _is_office_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.has_perm("wagtailadmin.access_admin"))


@hooks.register("before_serve_page")
def hide_non_public_items(page: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
    """An internal or restricted item (and each of its routes, e.g. ``print/``), a page
    in an unpublished section, and a page past its expiry time that the unpublish job
    has not reached yet, is a 404 for
    the public, as if it did not exist; office staff signed in to the admin may read an
    internal item. View restrictions are Wagtail's own check, which runs as well."""
    from cms.content.models import ItemPage
    from cms.taxonomy.models import AccessLevel

    if page.expire_at is not None and page.expire_at <= timezone.now():
        raise Http404
    if under_unpublished_page(page):  # a live item in an unpublished section
        raise Http404
    restricted = isinstance(page, ItemPage) and page.access_level != AccessLevel.PUBLIC
    if restricted and not _is_office_staff(request):
        raise Http404


@hooks.register("before_serve_document")
def serve_only_public_documents(document: Any, request: HttpRequest) -> None:
    """``/documents/<id>/<name>`` serves a document only when a public page uses it;
    other documents (a restricted video's subtitles, a draft's, an unused upload) are a
    404, except for users who may change or choose the document in the admin."""
    if document_is_public(document):
        return
    from wagtail.documents import get_document_model
    from wagtail.permissions import policy_registry

    permission_policy = policy_registry.get_by_type(get_document_model())
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and _is_office_staff(request)
        and permission_policy.user_has_any_permission_for_instance(
            user, ["change", "choose"], document
        )
    ):
        return
    raise Http404
