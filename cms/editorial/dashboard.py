"""The translator's dashboard panel: the translations waiting for them.

A translator is "assigned" a translation when a synced translation (wagtail-localize) of a
page exists in a language and the translator may edit that page (their group's page
permissions and unit scope decide). The panel lists those that need the translator: not yet
submitted, sent back by an approver, or out of date since the source was published again;
and, separately, those waiting for approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from wagtail.admin.ui.components import Component
from wagtail.models import Page, WorkflowState
from wagtail_localize.models import Translation

from cms.editorial.translations import status

#: The most recent translations looked at (a dashboard, not a report).
LIMIT = 100


@dataclass(frozen=True)
class Assignment:
    page: Page
    source: Page
    language: str
    state: str  # "todo", "changes", "outdated", "waiting"
    label: str
    progress: str


def assignments(user: Any) -> list[Assignment]:
    found = []
    translations = (
        Translation.objects.filter(enabled=True)
        .select_related("source", "target_locale")
        .order_by("-created_at")[:LIMIT]
    )
    for translation in translations:
        try:
            target = translation.get_target_instance()
            source = translation.source.get_source_instance()
        except Exception:  # the target was deleted, or its source  # noqa: S112
            continue
        if not isinstance(target, Page) or not isinstance(source, Page):
            continue
        if not target.permissions_for_user(user).can_edit():
            continue
        try:
            total, done = translation.get_progress()
        except Exception:  # a source whose strings cannot be counted
            total, done = 0, 0
        workflow_state = target.current_workflow_state
        result = status(target)
        if (
            workflow_state is not None
            and workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
        ):
            state, label = "changes", _("Người duyệt yêu cầu sửa")
        elif (
            workflow_state is not None and workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
        ):
            state, label = "waiting", _("Đang chờ duyệt")
        elif not target.live and not done:
            state, label = "todo", _("Cần dịch")
        elif not target.live:
            state, label = "todo", _("Đang dịch, chưa gửi duyệt")
        elif result is not None and result.outdated:
            state, label = "outdated", _("Bản gốc đã đổi: cần dịch lại")
        else:
            continue
        progress = _("%(done)d/%(total)d câu") % {"done": done, "total": total} if total else ""
        found.append(
            Assignment(
                page=target,
                source=source,
                language=str(translation.target_locale.get_display_name()),
                state=state,
                label=str(label),
                progress=str(progress),
            )
        )
    return found


class TranslatorAssignmentsPanel(Component):
    name = "translator_assignments"
    template_name = "editorial/dashboard_translations.html"
    order = 50

    def __init__(self, user: Any) -> None:
        self.user = user

    def get_context_data(self, parent_context: Mapping[str, Any] | None) -> dict[str, Any]:
        rows = assignments(self.user)
        return {
            "todo": [r for r in rows if r.state != "waiting"],
            "waiting": [r for r in rows if r.state == "waiting"],
            "request": (parent_context or {}).get("request"),
        }
