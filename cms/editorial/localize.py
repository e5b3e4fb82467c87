"""wagtail-localize under the editorial workflow.

wagtail-localize lets anyone with ``submit_translation`` sync *and publish* every
translation of a page ("update translations" with "publish"), and the translation editor
has no "submit for review" action at all. Here:

* publishing a translation needs the publish permission on that translation's page, in
  every path: the update view refuses it with a Vietnamese error, ``convert_to_alias`` (which
  makes the page live with the source's content) needs it too, and ``Translation.save_target``
  itself refuses ``publish=True`` for a user without it (:func:`guard_save_target`);
* the translator submits the translation for moderation ("Gửi duyệt"): the current strings
  become a draft revision and the page enters the same two-step workflow as every page;
* a synced translation that is waiting for approval is not published by a sync: it gets a
  new draft revision and stays in the workflow.
"""

from __future__ import annotations

import contextlib
from io import BytesIO
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
    QueryDict,
)
from django.http.multipartparser import MultiPartParser
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from wagtail.models import DraftStateMixin, Page, WorkflowState
from wagtail.snippets.permissions import get_permission_name, user_can_edit_snippet_type
from wagtail_localize.machine_translators import get_machine_translator
from wagtail_localize.models import (
    OverridableSegment,
    Translation,
    TranslationLog,
    TranslationSource,
)
from wagtail_localize.views import convert, edit_translation, update_translations
from wagtail_localize.views.edit_translation import (
    apply_machine_translation,
    user_can_edit_instance,
)

from cms.editorial.overrides import check_override


def target_of(translation: Translation) -> Any | None:
    try:
        return translation.get_target_instance()
    except Exception:  # the target may not exist yet, or its source is gone
        return None


def can_publish_instance(user: Any, instance: Any) -> bool:
    """Whether ``user`` may make ``instance`` live: Wagtail's own rule for each kind."""
    if user.is_superuser:
        return True
    if isinstance(instance, Page):
        return bool(instance.permissions_for_user(user).can_publish())
    if isinstance(instance, DraftStateMixin):
        return bool(user.has_perm(get_permission_name("publish", type(instance))))
    return bool(user_can_edit_snippet_type(user, type(instance)))


def can_publish_translation(user: Any, translation: Translation) -> bool:
    target = target_of(translation)
    if target is None:
        # Not created yet: publishing would create it live under the source's parent.
        target = translation.source.get_source_instance()
    return can_publish_instance(user, target)


def in_moderation(instance: Any) -> bool:
    state = getattr(instance, "current_workflow_state", None)
    return bool(state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS)


def language_names(translations: list[Translation]) -> str:
    return ", ".join(str(t.target_locale.get_display_name()) for t in translations)


# --- the save_target guard ------------------------------------------------------


class TranslationPublishDenied(PermissionDenied):
    pass


_original_save_target = Translation.save_target


def _guarded_save_target(self: Translation, user: Any = None, publish: bool = True) -> Any:
    if publish and user is not None and getattr(user, "is_authenticated", False):
        target = target_of(self)
        checked = target if target is not None else self.source.get_source_instance()
        # Plain snippets (taxonomy terms) have no draft state: saving them *is* publishing,
        # and wagtail-localize's own submit view creates them that way. The rule is about
        # pages and draftable content.
        if isinstance(checked, DraftStateMixin) and not can_publish_instance(user, checked):
            raise TranslationPublishDenied(
                _("Bạn không có quyền xuất bản bản dịch %(language)s.")
                % {"language": self.target_locale.get_display_name()}
            )
    if not publish:
        target = target_of(self)
        if isinstance(target, Page) and target.live and not target.alias_of_id:
            return save_live_translation_draft(self, user)
    return _original_save_target(self, user=user, publish=publish)


@transaction.atomic
def save_live_translation_draft(translation: Translation, user: Any) -> Page:
    """A draft revision of a live translated page that leaves the live page as it is.

    wagtail-localize saves a draft by writing the translated content into the page row
    (``translation.save()``) and then a revision; for a live page that row *is* what
    visitors get, so every "draft" went live at once. Here the translated content goes only
    into a new revision, as Wagtail's own editor does for live pages."""
    source = translation.source
    instance = source.get_ephemeral_translated_instance(translation.target_locale, fallback=True)
    revision = instance.save_revision(user=user)
    TranslationLog.objects.create(
        source=source, locale=translation.target_locale, revision=revision
    )
    return instance


def guard_save_target() -> None:
    """Make ``Translation.save_target`` safe for every caller (views of wagtail-localize or
    ours): ``publish=True`` needs the user's publish permission on the target (calls without
    a user, from management commands and the demo loader, are the system's own), and
    ``publish=False`` on a live page never changes the live page."""
    if Translation.save_target is not _guarded_save_target:
        Translation.save_target = _guarded_save_target


# --- update translations ("Sync translated pages") -----------------------------


class UpdateTranslationsView(update_translations.UpdateTranslationsView):
    """wagtail-localize's sync view, with publishing limited to what the user may publish."""

    def translations(self) -> list[Translation]:
        return list(
            self.object.translations.filter(enabled=True).select_related("source", "target_locale")
        )

    def get_form(self) -> forms.Form:
        form: forms.Form = super().get_form()
        field = form.fields["publish_translations"]
        if not any(can_publish_translation(self.request.user, t) for t in self.translations()):
            # Nothing this user may publish: offer sync only (a posted "on" is ignored).
            field.disabled = True
            field.initial = False
            field.help_text = _(
                "Bạn không có quyền xuất bản các bản dịch này: đồng bộ sẽ chỉ cập nhật bản "
                "nháp; hãy gửi duyệt từng bản dịch trong trình biên dịch."
            )
        return form

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if form.is_valid() and self.components.is_valid():
            if form.cleaned_data.get("publish_translations"):
                refused = [
                    t for t in self.translations() if not can_publish_translation(request.user, t)
                ]
                if refused:
                    form.add_error(
                        "publish_translations",
                        _(
                            "Bạn không có quyền xuất bản bản dịch: %(languages)s. Bỏ chọn "
                            "“xuất bản” để chỉ đồng bộ, rồi gửi duyệt bản dịch."
                        )
                        % {"languages": language_names(refused)},
                    )
            if form.is_valid():
                return self.form_valid(form)
        context = self.get_context_data(**kwargs)
        context["form"] = form
        response: HttpResponse = self.render_to_response(context)
        return response

    @transaction.atomic
    def form_valid(self, form: forms.Form) -> HttpResponse:
        # wagtail-localize's form_valid, with the publish decision made per translation.
        self.object.update_from_db()
        translations = self.translations()
        if form.cleaned_data.get("use_machine_translation"):
            machine_translator = get_machine_translator()
            for translation in translations:
                apply_machine_translation(translation.id, self.request.user, machine_translator)

        if form.cleaned_data.get("publish_translations"):
            waiting = []
            for translation in translations:
                target = target_of(translation)
                publish = not (target is not None and in_moderation(target))
                if not publish:
                    waiting.append(translation)
                with contextlib.suppress(ValidationError):
                    translation.save_target(user=self.request.user, publish=publish)
            if waiting:
                messages.warning(
                    self.request,
                    _(
                        "Bản dịch đang chờ duyệt nên chỉ được lưu bản nháp, không xuất bản: "
                        "%(languages)s."
                    )
                    % {"languages": language_names(waiting)},
                )
        else:
            for translation in translations:
                with contextlib.suppress(ValidationError):
                    translation.source.update_target_view_restrictions(translation.target_locale)

        self.components.save(
            self.object, sources_and_translations={self.object: list(translations)}
        )
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url() or self.get_default_success_url())


# --- convert to alias -------------------------------------------------------------


def convert_to_alias(request: HttpRequest, page_id: int) -> HttpResponse:
    """An alias shows the source's content live under the translation's URL: that is
    publishing the translation, so it needs the publish permission on both pages."""
    page = get_object_or_404(Page, id=page_id, alias_of_id__isnull=True)
    source = TranslationSource.objects.filter(
        object_id=page.translation_key, translations__target_locale=page.locale_id
    ).first()
    checked = [page]
    if source is not None:
        with contextlib.suppress(Exception):
            checked.append(source.get_source_instance())
    if not all(can_publish_instance(request.user, p) for p in checked):
        raise PermissionDenied
    response: HttpResponse = convert.convert_to_alias(request, page_id)
    return response


# --- submit a translation for moderation -------------------------------------------


def enabled_translation(page: Page) -> Translation | None:
    return (
        Translation.objects.filter(
            source__object_id=page.translation_key, target_locale_id=page.locale_id, enabled=True
        )
        .select_related("source", "target_locale")
        .first()
    )


def can_submit_translation(user: Any, page: Page) -> bool:
    perms = page.permissions_for_user(user)
    return bool(perms.can_edit() and not perms.page_locked() and page.get_workflow() is not None)


def _saved_as_draft(request: HttpRequest, translation: Translation, failure: str) -> bool:
    """The translated strings and overrides as a draft revision of the target page (never
    live); on a validation error, ``failure`` (with ``%(errors)s``) is shown and nothing
    is saved."""
    try:
        with transaction.atomic():
            translation.save_target(user=request.user, publish=False)
    except ValidationError as error:
        messages.error(request, failure % {"errors": " ".join(error.messages)})
        return False
    return True


def submit_translation(request: HttpRequest, translation: Translation, page: Page) -> HttpResponse:
    """Submit for review ("Gửi duyệt") from the translation editor: the translated strings
    and overrides become a draft revision of the page, which enters the page's workflow
    (editors, then approvers)."""
    edit_url = request.path
    if not can_submit_translation(request.user, page):
        raise PermissionDenied
    if not _saved_as_draft(request, translation, _("Chưa thể gửi duyệt bản dịch: %(errors)s")):
        return redirect(edit_url)
    page = Page.objects.get(pk=page.pk).specific
    workflow = page.get_workflow()
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(request.user)
    else:
        if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
            # Changed while waiting: the approval starts again on the new revision.
            state.cancel(user=request.user)
        workflow.start(page, request.user)
    messages.success(
        request,
        _("Đã gửi duyệt bản dịch %(language)s của “%(title)s”.")
        % {
            "language": translation.target_locale.get_display_name(),
            "title": page.get_admin_display_title(),
        },
    )
    return redirect(edit_url)


def save_translation_draft(
    request: HttpRequest, translation: Translation, page: Page
) -> HttpResponse:
    """Save ("Lưu bản nháp") from the translation editor: the translated strings and
    overrides become a draft revision of the page (never live), without entering the workflow.
    The strings themselves are stored as the translator saves each one."""
    edit_url = request.path
    perms = page.permissions_for_user(request.user)
    if not (perms.can_edit() and not perms.page_locked()):
        raise PermissionDenied
    if not _saved_as_draft(request, translation, _("Chưa thể lưu bản dịch: %(errors)s")):
        return redirect(edit_url)
    messages.success(
        request,
        _("Đã lưu bản nháp bản dịch %(language)s của “%(title)s”.")
        % {
            "language": translation.target_locale.get_display_name(),
            "title": Page.objects.get(pk=page.pk).get_admin_display_title(),
        },
    )
    return redirect(edit_url)


def workflow_props(request: HttpRequest, page: Page) -> dict[str, Any]:
    """What the translation editor offers this user besides wagtail-localize's own footer."""
    state = page.current_workflow_state
    status = None
    if state is not None and state.status in (
        WorkflowState.STATUS_IN_PROGRESS,
        WorkflowState.STATUS_NEEDS_CHANGES,
    ):
        task = state.current_task_state.task.name if state.current_task_state else ""
        status = {
            "status": state.status,
            "label": (
                _("Đang chờ duyệt: %(task)s") % {"task": task}
                if state.status == WorkflowState.STATUS_IN_PROGRESS
                else _("Cần sửa theo yêu cầu của người duyệt")
            ),
        }
    actions = []
    perms = page.permissions_for_user(request.user)
    if perms.can_edit() and not perms.page_locked():
        actions.append(
            {"name": "action-save-draft", "label": _("Lưu bản nháp"), "url": request.path}
        )
    if can_submit_translation(request.user, page):
        actions.append(
            {
                "name": "action-submit",
                "label": _("Gửi duyệt lại") if status else _("Gửi duyệt"),
                "url": request.path,
            }
        )
    return {
        "actions": actions,
        "workflowState": status,
        "canPublish": bool(page.permissions_for_user(request.user).can_publish()),
        "requireReapproval": bool(
            getattr(settings, "WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT", False)
        ),
    }


# --- overrides (media of the translation's own language) ----------------------------


def put_value(request: HttpRequest) -> str | None:
    """The ``value`` of a PUT from the translation editor (multipart FormData, or urlencoded)."""
    body = request.body
    if request.content_type == "multipart/form-data":
        data, _files = MultiPartParser(
            request.META, BytesIO(body), request.upload_handlers, request.encoding
        ).parse()
    else:
        data = QueryDict(body, encoding=request.encoding)
    value = data.get("value")
    return value if isinstance(value, str) else None


def edit_override(
    request: HttpRequest, translation_id: int, overridable_segment_id: int
) -> HttpResponse:
    """wagtail-localize's override endpoint, after checking the chosen master/document/image
    (:mod:`cms.editorial.overrides`). A refusal is a 400 with the Vietnamese message (also
    queued as an admin message, which the editor shows when it reloads) and stores nothing."""
    if request.method not in ("PUT", "DELETE"):
        return HttpResponseNotAllowed(["PUT", "DELETE"])
    translation = get_object_or_404(Translation, id=translation_id)
    segment = get_object_or_404(OverridableSegment, id=overridable_segment_id)
    if segment.context.object_id != translation.source.object_id:
        raise Http404
    if not user_can_edit_instance(request.user, translation.get_target_instance()):
        raise PermissionDenied
    if request.method == "PUT":
        try:
            check_override(
                segment.context, translation.target_locale, put_value(request), request.user
            )
        except ValidationError as error:
            message = " ".join(error.messages)
            messages.error(request, message)
            return JsonResponse({"error": message}, status=400)
    response: HttpResponse = edit_translation.edit_override(
        request, translation_id=translation_id, overridable_segment_id=overridable_segment_id
    )
    return response
