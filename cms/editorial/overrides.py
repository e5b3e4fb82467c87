"""Which media a translation may point at (wagtail-localize overrides).

A translated page overrides its source's master, subtitles or image with the language's own
(docs/decisions.md, "Masters per language"). The override may only name:

* a master (``media.MediaMaster``) of the translation's own language and of the field's kind
  (audio for ``audio``, video for ``video``) that is not another page's unreleased work: one
  the user uploaded, one already on this translation, one already public (used by a live
  public page) or one no other page uses yet (row or revision); users who may publish the
  translated page (approvers) may pick any master of the language;
* subtitles (``media.CustomDocument``) in the translation's language that the user may choose
  (Wagtail's collection permissions, as in the document chooser);
* an image the user may choose (as in the image chooser).

:func:`check_override` is called by the override endpoint of the translation editor (a 400 with
the Vietnamese message, nothing stored) and, without a user, before any ``SegmentOverride`` is
saved (PO import, scripts, the demo loader), so a wrong language never reaches a page.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page
from wagtail_localize.models import SegmentOverride, TranslationContext, TranslationSource

from cms.media.models import CustomDocument, CustomImage, MediaMaster

# Which kind of master each media field takes.
MASTER_KIND = {"audio": "audio", "video": "video"}


def language_label(code: str) -> str:
    from django.conf import settings

    return str(dict(settings.LANGUAGES).get(code, code))


def override_field(context: TranslationContext) -> models.Field | None:
    """The model field an overridable segment stands for (``audio``, ``items.<key>.image``)."""
    source = TranslationSource.objects.filter(object_id=context.object_id).first()
    if source is None:
        return None
    model = source.specific_content_type.model_class()
    parts = context.path.split(".")
    index = 0
    while model is not None and index < len(parts):
        try:
            field = model._meta.get_field(parts[index])
        except Exception:  # a StreamField block path or an unknown field
            return None
        if index == len(parts) - 1:
            return field if isinstance(field, models.ForeignKey) else None
        if field.one_to_many and field.related_model is not None:
            model = field.related_model  # child relation: the next part is the child's key
            index += 2
            continue
        return None
    return None


def target_page(context: TranslationContext, locale: Locale) -> Any | None:
    try:
        instance = context.object.get_instance(locale)
    except Exception:  # not translated yet
        return None
    return instance.specific if isinstance(instance, Page) else instance


def used_on_live_public_page(master: MediaMaster) -> bool:
    """Whether the master is already public: the live content of a live, public page uses it."""
    for model, field in _master_fields():
        pages = model.objects.live().public().filter(**{field.name: master})
        if hasattr(model, "access_level"):
            pages = pages.filter(access_level="public")
        if pages.exists():
            return True
    return False


def used_by_another_page(master: MediaMaster, page: Any | None) -> bool:
    """Whether another page (its row or any of its revisions, drafts included) uses it."""
    from wagtail.models import Revision

    other = getattr(page, "pk", None)
    for model, field in _master_fields():
        rows = model.objects.filter(**{field.name: master})
        if other is not None:
            rows = rows.exclude(pk=other)
        if rows.exists():
            return True
    revisions = Revision.page_revisions.all()
    if other is not None:
        revisions = revisions.exclude(object_id=str(other))
    names = {field.name for _model, field in _master_fields()}
    return any(revisions.filter(**{f"content__{name}": master.pk}).exists() for name in names)


def _master_fields() -> list[tuple[type[Page], models.ForeignKey]]:
    return [
        (model, field)
        for model in _page_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey)
        and field.related_model is MediaMaster
        and field.model is model
    ]


def _page_models() -> list[type[Page]]:
    from wagtail.models import get_page_models

    return list(get_page_models())


def may_use_master(user: Any, master: MediaMaster, page: Any | None, field_name: str) -> bool:
    if user.is_superuser or master.uploaded_by_id == user.pk:
        return True
    if page is not None:
        if getattr(page, f"{field_name}_id", None) == master.pk:
            return True
        if isinstance(page, Page) and page.permissions_for_user(user).can_publish():
            return True
    # Already public, or not yet part of any other page's work (a fresh library upload):
    # what is refused is another page's unreleased recording (a draft's, a restricted one's).
    return used_on_live_public_page(master) or not used_by_another_page(master, page)


def may_choose(user: Any, instance: Any) -> bool:
    if isinstance(instance, CustomDocument):
        from wagtail.documents.permissions import permission_policy
    else:
        from wagtail.images.permissions import permission_policy
    return bool(
        user.is_superuser
        or getattr(instance, "uploaded_by_user_id", None) == user.pk
        or permission_policy.user_has_any_permission_for_instance(user, ["choose"], instance)
    )


def parse_pk(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def check_override(
    context: TranslationContext, locale: Locale, value: Any, user: Any | None = None
) -> None:
    """Raise ``ValidationError`` (Vietnamese) when ``value`` may not override this segment."""
    field = override_field(context)
    if field is None:
        return
    related = field.related_model
    if related not in (MediaMaster, CustomDocument, CustomImage):
        return
    if value in (None, ""):
        return  # clearing the field: the page form's own rules apply
    pk = parse_pk(value)
    instance = related.objects.filter(pk=pk).first() if pk is not None else None
    if instance is None:
        raise ValidationError(_("Không tìm thấy tư liệu được chọn."), code="missing")
    language = locale.language_code
    page = target_page(context, locale)
    if isinstance(instance, MediaMaster):
        if instance.language != language:
            raise ValidationError(
                _(
                    "Tư liệu gốc “%(title)s” thuộc ngôn ngữ %(found)s, không phải ngôn ngữ "
                    "của bản dịch (%(expected)s). Hãy chọn hoặc tải lên bản ghi %(expected)s."
                )
                % {
                    "title": instance.title,
                    "found": language_label(instance.language),
                    "expected": language_label(language),
                },
                code="language",
            )
        kind = MASTER_KIND.get(field.name)
        if kind and instance.kind != kind:
            raise ValidationError(
                _("Tư liệu gốc “%(title)s” không phải là %(kind)s.")
                % {"title": instance.title, "kind": instance.get_kind_display().lower()},
                code="kind",
            )
        if user is not None and not may_use_master(user, instance, page, field.name):
            raise ValidationError(
                _(
                    "Bạn không được dùng tư liệu gốc “%(title)s”: chỉ được chọn tư liệu gốc do "
                    "chính bạn tải lên hoặc đã được xuất bản."
                )
                % {"title": instance.title},
                code="not_visible",
            )
    elif isinstance(instance, CustomDocument):
        if instance.language != language:
            raise ValidationError(
                _(
                    "Tài liệu “%(title)s” thuộc ngôn ngữ %(found)s, không phải ngôn ngữ của "
                    "bản dịch (%(expected)s). Hãy chọn phụ đề %(expected)s."
                )
                % {
                    "title": instance.title,
                    "found": language_label(instance.language),
                    "expected": language_label(language),
                },
                code="language",
            )
        if user is not None and not may_choose(user, instance):
            raise ValidationError(
                _("Bạn không có quyền chọn tài liệu “%(title)s”.") % {"title": instance.title},
                code="not_visible",
            )
    elif user is not None and not may_choose(user, instance):
        raise ValidationError(
            _("Bạn không có quyền chọn ảnh “%(title)s”.") % {"title": instance.title},
            code="not_visible",
        )


def check_segment_override(override: SegmentOverride) -> None:
    """The save-time guard (``pre_save`` of ``SegmentOverride``)."""
    if override.context_id is None:
        return
    try:
        value = json.loads(override.data_json)
    except (TypeError, ValueError):
        return
    check_override(override.context, override.locale, value, override.last_translated_by)


def validate_override_on_save(sender: Any, instance: SegmentOverride, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures and restores load rows as they were
    check_segment_override(instance)
