"""Who may see which snippet: one rule per model, applied to every view that reaches it.

Wagtail's snippet views check model permissions only: whoever may change one master may
open, edit and delete every master, and any admin user may open any snippet's chooser.
``ScopedSnippetViewSet`` takes one rule per model, ``visible(user, queryset)`` (which
objects the user may see at all) and ``may_choose(user)`` (whether the user may open the
chooser), and applies it to the listing, to every view that takes an object id (edit,
delete, usage, history, revisions, copy, inspect, preview …; others are refused as if
the object did not exist) and to every chooser view (list, search, chosen, chosen-multiple,
create).

Below the media, stations and channels apps, which scope their snippets with it; the
page-tree guards of the admin's own views are ``cms.editorial.scope``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern
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


def scoped_viewset(model: type[Model]) -> ScopedSnippetViewSet | None:
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
        scope = scoped_viewset(self.model_class)
        return objects if scope is None else scope.visible(self.request.user, objects)


class ScopedChooseView(_ScopedObjectList, ChooseView):
    pass


class ScopedChooseResultsView(_ScopedObjectList, ChooseResultsView):
    pass


class ScopedChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks: list[str]) -> QuerySet[Any]:
        objects = super().get_objects(pks)
        scope = scoped_viewset(self.model_class)
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
            super().get_urlpatterns(), lambda: scoped_viewset(model), chooser=True
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
