"""Who may see which snippet: one rule per model, applied to every view that reaches it.

Wagtail's snippet views check model permissions only: whoever may change one master may
open, edit and delete every master, and any admin user may open any snippet's chooser.
``ScopedSnippetViewSet`` takes one rule per model, ``visible(user, queryset)`` (which
objects the user may see at all) and ``may_choose(user)`` (whether the user may open the
chooser), and applies it to the listing, to every view that takes an object id (edit,
delete, usage, history, revisions, copy, inspect, preview …; others are refused as if
the object did not exist) and to every chooser view (list, search, chosen, chosen-multiple,
create).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import SnippetViewSet

MODEL_ACTIONS = ("add", "change", "delete", "view")


def has_any_model_permission(user: Any, model: type[Model]) -> bool:
    meta = model._meta
    return any(
        user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}") for action in MODEL_ACTIONS
    )


def _scoped_viewset(model: type[Model]) -> ScopedSnippetViewSet | None:
    viewset = getattr(model, "snippet_viewset", None)
    return viewset if isinstance(viewset, ScopedSnippetViewSet) else None


def _guard(
    view: Callable[..., HttpResponse],
    viewset: Callable[[], ScopedSnippetViewSet | None],
    *,
    chooser: bool,
) -> Callable[..., HttpResponse]:
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scope = viewset()
        if scope is not None:
            if chooser and not scope.may_choose(request.user):
                raise PermissionDenied
            pk = kwargs.get("pk")
            if pk is not None:
                visible = scope.visible(request.user, scope.model._default_manager.all())
                if not visible.filter(pk=unquote(str(pk))).exists():
                    raise Http404
        return view(request, *args, **kwargs)

    return guarded


def _guard_patterns(
    patterns: list[Any], viewset: Callable[[], ScopedSnippetViewSet | None], *, chooser: bool
) -> list[Any]:
    guarded = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern = URLPattern(
                pattern.pattern,
                _guard(pattern.callback, viewset, chooser=chooser),
                pattern.default_args,
                pattern.name,
            )
        guarded.append(pattern)
    return guarded


class _ScopedObjectList:
    model_class: type[Model]
    request: HttpRequest

    def get_object_list(self) -> QuerySet[Any]:
        objects = super().get_object_list()  # type: ignore[misc]
        scope = _scoped_viewset(self.model_class)
        return objects if scope is None else scope.visible(self.request.user, objects)


class ScopedChooseView(_ScopedObjectList, ChooseView):
    pass


class ScopedChooseResultsView(_ScopedObjectList, ChooseResultsView):
    pass


class ScopedChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks: list[str]) -> QuerySet[Any]:
        objects = super().get_objects(pks)
        scope = _scoped_viewset(self.model_class)
        return objects if scope is None else scope.visible(self.request.user, objects)


class ChooserCreateView(SnippetCreateView):
    """The chooser's create action, for a chooser that has a creation form. Wagtail routes
    it for every snippet chooser and crashes on a POST (``None.is_valid()``) when the model's
    chooser has no form (masters need the upload form, packages their own editor): there it
    is a 404, not a 500."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if self.get_creation_form_class() is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ScopedChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = SnippetChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView
    create_view_class = ChooserCreateView

    def get_urlpatterns(self) -> list[Any]:
        model = self.model
        return _guard_patterns(
            super().get_urlpatterns(), lambda: _scoped_viewset(model), chooser=True
        )


class ScopedSnippetViewSet(SnippetViewSet):
    """A snippet viewset whose every view and chooser obeys ``visible`` and ``may_choose``."""

    chooser_viewset_class = ScopedChooserViewSet

    def visible(self, user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def may_choose(self, user: Any) -> bool:
        return True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.visible(request.user, self.model._default_manager.all())

    def get_urlpatterns(self) -> list[Any]:
        return _guard_patterns(super().get_urlpatterns(), lambda: self, chooser=False)


class ManagersOnlySnippetViewSet(ScopedSnippetViewSet):
    """Listed and choosable only by users with a permission on the model (its managers)."""

    def visible(self, user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset if self.may_choose(user) else queryset.none()

    def may_choose(self, user: Any) -> bool:
        return bool(has_any_model_permission(user, self.model))


def _choosable_page_ids(request: HttpRequest, ids: list[str]) -> bool:
    from wagtail.models import Page

    from cms.editorial.units import choosable_pages

    wanted = {int(pk) for pk in ids if str(pk).isdigit()}
    if not wanted:
        return True
    found = choosable_pages(request.user, Page.objects.filter(pk__in=wanted)).count()
    return found == len(wanted)


def guard_page_chooser(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wagtail's page chooser views that take page ids (browse into a page, chosen-multiple)
    show those pages' draft titles without consulting ``construct_page_chooser_queryset``:
    the same rule (``units.choosable_pages``) applies to the ids they are given."""

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

    from cms.editorial.units import choosable_pages

    if issubclass(model, Page):
        return choosable_pages(user, queryset)
    if issubclass(model, (AbstractImage, AbstractDocument)):
        policy = policy_registry.get_by_type(model)
        allowed = policy.instances_user_has_any_permission_for(user, ["change", "choose"])
        return queryset.filter(pk__in=allowed.values("pk"))
    scope = _scoped_viewset(model)
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
        from cms.editorial.units import page_roots

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
