"""Guards on Wagtail's own admin views that reach pages and objects by id.

Snippets are scoped by their viewset's rule (``cms.users.snippet_scope``); here the page
chooser views that take page ids, bulk actions and the whole-tree reports apply the same
rules (``cms.users.unit_access``) to the ids they are given.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver

from cms.users.snippet_scope import scoped_viewset


def _choosable_page_ids(request: HttpRequest, ids: list[str]) -> bool:
    from wagtail.models import Page

    from cms.users.unit_access import choosable_pages

    wanted = {int(pk) for pk in ids if str(pk).isdigit()}
    if not wanted:
        return True
    found = choosable_pages(request.user, Page.objects.filter(pk__in=wanted)).count()
    return found == len(wanted)


def guard_page_chooser(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wagtail's page chooser views that take page ids (browse into a page, chosen-multiple)
    show those pages' draft titles without consulting ``construct_page_chooser_queryset``:
    the same rule (``unit_access.choosable_pages``) applies to the ids they are given."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ids = [str(kwargs["parent_page_id"])] if "parent_page_id" in kwargs else []
        ids += request.GET.getlist("id")
        if not _choosable_page_ids(request, ids):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


def visible_objects(user: Any, model: type[Model], queryset: QuerySet[Any]) -> QuerySet[Any]:
    """What of ``queryset`` the user may see at all: pages as in the chooser, images and
    documents by collection permissions, scoped snippets by their viewset's rule."""
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage
    from wagtail.models import Page
    from wagtail.permissions import policy_registry

    from cms.users.unit_access import choosable_pages

    if issubclass(model, Page):
        return choosable_pages(user, queryset)
    if issubclass(model, (AbstractImage, AbstractDocument)):
        policy = policy_registry.get_by_type(model)
        allowed = policy.instances_user_has_any_permission_for(user, ["change", "choose"])
        return queryset.filter(pk__in=allowed.values("pk"))
    scope = scoped_viewset(model)
    return queryset if scope is None else scope.visible(user, queryset)


def guard_bulk_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wagtail's bulk action pages list every given object's title, including those the
    user may not act on: any id the user may not see is refused as if it did not exist."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.apps import apps

        try:
            model = apps.get_model(kwargs["app_label"], kwargs["model_name"])
        except (KeyError, LookupError) as error:
            raise Http404 from error
        ids = {pk for pk in request.GET.getlist("id") + request.POST.getlist("id") if pk}
        if ids and ids != {"all"}:
            wanted = model._default_manager.filter(pk__in=[pk for pk in ids if pk.isdigit()])
            visible = visible_objects(request.user, model, wanted)
            if visible.count() != len(ids):
                raise Http404
        return view(request, *args, **kwargs)

    return guarded


def office_wide_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Reports over the whole tree (they name pages of every unit) for office-wide staff."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from cms.users.unit_access import page_roots

        if page_roots(request.user) is not None:
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


ADMIN_VIEW_GUARDS: dict[str, Callable[[Callable[..., HttpResponse]], Any]] = {
    "wagtailadmin_choose_page_child": guard_page_chooser,
    "wagtailadmin_choose_page_chosen_multiple": guard_page_chooser,
    "wagtail_bulk_action": guard_bulk_action,
    "wagtailadmin_reports:page_types_usage": office_wide_only,
    "wagtailadmin_reports:page_types_usage_results": office_wide_only,
}


def guard_admin_urls(patterns: list[Any], namespace: str = "") -> list[Any]:
    """Wagtail's admin URL patterns with the views above guarded (``ADMIN_VIEW_GUARDS``)."""
    guarded = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            guard = ADMIN_VIEW_GUARDS.get(f"{namespace}{pattern.name}")
            if guard is not None:
                pattern = URLPattern(
                    pattern.pattern, guard(pattern.callback), pattern.default_args, pattern.name
                )
        elif isinstance(pattern, URLResolver) and pattern.namespace == "wagtailadmin_reports":
            pattern = URLResolver(
                pattern.pattern,
                guard_admin_urls(pattern.url_patterns, f"{pattern.namespace}:"),
                pattern.default_kwargs,
                pattern.app_name,
                pattern.namespace,
            )
        guarded.append(pattern)
    return guarded
