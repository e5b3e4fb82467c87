"""The page editor's action menu and messages under the project's workflow (issue 14, item 17).

Wagtail puts "Lưu bản nháp" on the main button and lists, in order, "Xuất bản", "Hủy quy
trình duyệt" and only then the task's own "Duyệt" — which, at the last step, publishes while
the message only says "Đã cập nhật trang …". For whoever may act on the current step:

* the main button is that step's approval, named for what it does: "Duyệt và xuất bản" at
  the last step (approval publishes: ``WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT`` only
  changes whether Wagtail says so), "Duyệt, chuyển sang bước …" before it;
* a bare "Xuất bản" is not offered beside it (it would publish without the approval being
  recorded as such);
* "Hủy quy trình duyệt" is the last entry, not the first;
* the message says what happened: approved and published, approved and passed on, or sent
  back for changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages as admin_messages
from wagtail.admin.action_menu import ActionMenuItem, WorkflowMenuItem
from wagtail.models import Page

#: Wagtail's message after any edit action, in Wagtail's catalog (not extracted here).
WAGTAIL_UPDATED = "Page '%(page_title)s' has been updated."

#: Set on the request by ``remember_the_step`` for the message after the action.
STEP_ATTRIBUTE = "_editorial_workflow_step"


def _next_task_name(page: Page) -> str | None:
    """The name of the step after the current one (None at the last step)."""
    state = page.current_workflow_state
    current = page.current_workflow_task
    if state is None or current is None:
        return None
    tasks = list(state.workflow.tasks.filter(active=True).order_by("workflow_tasks__sort_order"))
    ids = [task.pk for task in tasks]
    if current.pk not in ids or ids.index(current.pk) + 1 >= len(tasks):
        return None
    return str(tasks[ids.index(current.pk) + 1].name)


@hooks.register("construct_page_action_menu")
def one_primary_action_per_step(
    menu_items: list[ActionMenuItem], request: HttpRequest, context: dict[str, Any]
) -> None:
    page = context.get("page")
    if context.get("view") != "edit" or page is None:
        return
    approvals = [
        item for item in menu_items if isinstance(item, WorkflowMenuItem) and item.name == "approve"
    ]
    cancel = [item for item in menu_items if item.name == "action-cancel-workflow"]
    for item in cancel:
        item.label = _("Hủy quy trình duyệt")
        item.icon_name = "error"
    if not approvals:
        # The user cannot act on the current step: Wagtail's menu, with cancelling last
        # (unless it is the main button: a submitter's page, locked by the workflow).
        if cancel and menu_items[0] not in cancel:
            menu_items[:] = [item for item in menu_items if item not in cancel] + cancel
        return
    state = page.current_workflow_state
    final = bool(state and state.is_at_final_task)
    next_task = None if final else _next_task_name(page)
    for item in approvals:
        with_comment = bool(item.launch_modal)
        if final:
            item.label = (
                _("Duyệt và xuất bản, kèm nhận xét") if with_comment else _("Duyệt và xuất bản")
            )
        elif next_task:
            label = (
                _("Duyệt, chuyển sang bước %(task)s, kèm nhận xét")
                if with_comment
                else _("Duyệt, chuyển sang bước %(task)s")
            )
            item.label = label % {"task": next_task}
        item.icon_name = "success"
    plain = [item for item in approvals if not item.launch_modal]
    with_comments = [item for item in approvals if item.launch_modal]
    requests = [
        item
        for item in menu_items
        if isinstance(item, WorkflowMenuItem) and item.name not in ("approve",)
    ]
    dropped = {id(item) for item in menu_items if item.name == "action-publish"}
    placed = {id(item) for item in (*approvals, *requests, *cancel)} | dropped
    rest = [item for item in menu_items if id(item) not in placed]
    menu_items[:] = [*plain, *with_comments, *requests, *rest, *cancel]


@hooks.register("before_edit_page")
def remember_the_step(request: HttpRequest, page: Page) -> None:
    """Before a workflow action runs: which step it acts on, for the message after it."""
    if request.method == "POST" and request.POST.get("action-workflow-action"):
        task = page.current_workflow_task
        setattr(request, STEP_ATTRIBUTE, task.name if task is not None else "")


def _replace_update_message(request: HttpRequest, generic: str) -> None:
    """Drop Wagtail's generic "Đã cập nhật trang …" from the queued messages (keeping the
    others), so that the message shown says what the action did."""
    forms = {generic, str(admin_messages.render(generic, None))}
    storage = messages.get_messages(request)
    kept = [message for message in storage if str(message.message) not in forms]
    for message in kept:
        messages.add_message(request, message.level, message.message, message.extra_tags)


@hooks.register("after_edit_page")
def say_what_the_workflow_action_did(request: HttpRequest, page: Page) -> None:
    if not hasattr(request, STEP_ATTRIBUTE):
        return
    step = getattr(request, STEP_ATTRIBUTE)
    title = page.get_admin_display_title()
    _replace_update_message(request, _(WAGTAIL_UPDATED) % {"page_title": title})
    page = Page.objects.get(pk=page.pk).specific
    action = request.POST.get("workflow-action-name", "")
    state = page.current_workflow_state
    if action == "reject":
        message = _(
            "Đã yêu cầu sửa trang “%(title)s” ở bước %(step)s; trang trở lại người viết."
        ) % {"title": title, "step": step}
        admin_messages.warning(request, message)
        return
    if action != "approve":
        return
    if state is None and page.live and not page.has_unpublished_changes:
        message = _("Đã duyệt và xuất bản trang “%(title)s”.") % {"title": title}
        buttons = [admin_messages.button(page.url, _("Xem trang"), new_window=False)]
        admin_messages.success(request, message, buttons=buttons if page.url else None)
    elif state is not None and state.status == state.STATUS_IN_PROGRESS:
        task = state.current_task_state.task if state.current_task_state else None
        message = _("Đã duyệt bước %(step)s. Trang “%(title)s” chuyển sang bước %(next)s.") % {
            "step": step,
            "title": title,
            "next": task.name if task else "",
        }
        admin_messages.success(request, message)
    else:
        admin_messages.success(request, _("Đã duyệt trang “%(title)s”.") % {"title": title})
