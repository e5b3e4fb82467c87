"""Checking one sheet row completely before anything is written: its file found and read
by content, its codes, dates and section known."""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Locale

from cms.content.dates import DATE_INPUT_FORMATS
from cms.content.models import (
    ExhibitionPage,
    ItemPage,
    RadioSegmentPage,
    SectionIndexPage,
    VideoPage,
)
from cms.ingest.files import FolderIndex, check_file, sha256_file
from cms.ingest.models import IngestedFile
from cms.ingest.sheet import REQUIRED_COLUMNS, SheetRow
from cms.media.models import MediaMaster
from cms.taxonomy.models import (
    AdministrativeUnit,
    Audience,
    Channel,
    MediaKind,
    ProducingUnit,
    ProductType,
    Topic,
)

logger = logging.getLogger(__name__)

PAGE_MODELS: dict[str, type[ItemPage]] = {
    MediaKind.SOUND: RadioSegmentPage,
    MediaKind.VIDEO: VideoPage,
    MediaKind.IMAGE: ExhibitionPage,
}
FILE_KINDS: dict[str, str] = {
    MediaKind.SOUND: "audio",
    MediaKind.VIDEO: "video",
    MediaKind.IMAGE: "image",
}

#: Columns the engine reads itself; every other column must name an item field.
ENGINE_COLUMNS = {*REQUIRED_COLUMNS, "section", "caption"}
#: Item fields a sheet may fill by name, with the taxonomy each relation takes codes from.
RELATED_TERMS: dict[str, type[models.Model]] = {
    "audiences": Audience,
    "channels": Channel,
    "producing_unit": ProducingUnit,
    "cooperating_units": ProducingUnit,
    "coverage": AdministrativeUnit,
}
TEXT_FIELDS = ("keywords", "credits", "record_code", "script", "transcript", "place")
CHOICE_FIELDS = ("funding_source", "rights", "retention_period", "access_level", "bulletin_class")
DATE_FIELDS = ("end_date",)
OPTIONAL_COLUMNS = (*RELATED_TERMS, *TEXT_FIELDS, *CHOICE_FIELDS, *DATE_FIELDS)
LIST_SEPARATORS = re.compile(r"[;,|\n]+")


def parse_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in DATE_INPUT_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def codes(value: Any) -> list[str]:
    return [code.strip() for code in LIST_SEPARATORS.split(str(value)) if code.strip()]


@dataclass
class PlannedRow:
    """A row that passed every check, with everything needed to create its item."""

    row: int
    path: Path
    sha256: str
    page_model: type[ItemPage]
    locale: Locale
    section: SectionIndexPage
    fields: dict[str, Any]
    relations: dict[str, list[Any]]
    checked: Any = None  # CheckedUpload for audio and video


class RowChecker:
    def __init__(self, index: FolderIndex) -> None:
        self.index = index
        self.seen: dict[str, int] = {}  # sha256 -> first row listing it
        self.locales = {locale.language_code: locale for locale in Locale.objects.all()}
        self.default_locale = Locale.get_default()
        self._sections: dict[tuple[int, type[ItemPage]], SectionIndexPage | None] = {}

    def plan(
        self, sheet_row: SheetRow
    ) -> tuple[PlannedRow | None, list[str], tuple[str, int | None] | None]:
        values = sheet_row.values
        problems: list[str] = []
        for column in REQUIRED_COLUMNS:
            if column not in values:
                problems.append(_("Thiếu giá trị ở cột “%(column)s”.") % {"column": column})

        path = self.index.find(str(values["file"])) if "file" in values else None
        if "file" in values and path is None:
            problems.append(
                _("Không tìm thấy tệp “%(name)s” trong thư mục.") % {"name": values["file"]}
            )
        digest = sha256_file(path) if path is not None else None
        if digest is not None:
            first = self.seen.setdefault(digest, sheet_row.number)
            if first != sheet_row.number:
                # listed twice in this sheet: a mistake in the sheet, whichever run this is
                problems.append(_("Trùng tệp với dòng %(row)s (cùng nội dung).") % {"row": first})
            else:
                done = IngestedFile.objects.filter(sha256=digest).first()
                if done is not None:
                    message = _("Tệp này đã được nhập (dòng %(row)s, lượt trước).") % {
                        "row": done.sheet_row
                    }
                    return None, [], (message, done.page_id)
                if MediaMaster.objects.filter(sha256=digest).exists():
                    problems.append(_("Tệp này đã có trong “Tư liệu gốc” (tải lên trước đây)."))

        locale = self.locales.get(str(values.get("language", "")).strip().lower())
        if "language" in values and (
            locale is None or locale.language_code not in dict(settings.LANGUAGES)
        ):
            locale = None
            problems.append(
                _("Ngôn ngữ “%(code)s” không có. Dùng một trong: %(codes)s.")
                % {"code": values["language"], "codes": ", ".join(sorted(self.locales))}
            )

        product_type = None
        if "product_type" in values:
            product_type = (
                ProductType.objects.filter(code=str(values["product_type"]))
                .order_by(models.Case(models.When(locale=self.default_locale, then=0), default=1))
                .first()
            )
            if product_type is None:
                problems.append(
                    _("Mã loại sản phẩm “%(code)s” không có trong danh mục.")
                    % {"code": values["product_type"]}
                )
            elif product_type.media_kind not in PAGE_MODELS:
                problems.append(
                    _("Loại sản phẩm “%(code)s” là văn bản: chưa nhập được loại này.")
                    % {"code": values["product_type"]}
                )
                product_type = None

        produced_on = parse_date(values["produced_on"]) if "produced_on" in values else None
        if "produced_on" in values and produced_on is None:
            problems.append(
                _("Ngày sản xuất “%(value)s” không đọc được: ghi ngày/tháng/năm, ví dụ 30/11/1998.")
                % {"value": values["produced_on"]}
            )
        elif produced_on is not None and produced_on > timezone.localdate():
            problems.append(_("Ngày sản xuất ở tương lai."))

        checked = None
        if path is not None and product_type is not None and digest is not None:
            kind = FILE_KINDS[product_type.media_kind]
            try:
                checked = check_file(path, kind)
            except ValidationError as error:
                problems.append(
                    _("Tệp “%(name)s” không dùng được: %(reason)s")
                    % {"name": values["file"], "reason": " ".join(error.messages)}
                )

        page_model = PAGE_MODELS.get(product_type.media_kind) if product_type else None
        fields: dict[str, Any] = {}
        relations: dict[str, list[Any]] = {}
        title = str(values.get("title", ""))
        if len(title) > 255:
            problems.append(_("Tiêu đề dài quá 255 ký tự."))
        fields.update(
            title=title,
            summary=str(values.get("summary", "")),
            product_type=product_type,
            production_date=produced_on,
        )
        if locale is not None and "topics" in values:
            relations["topics"] = self.terms(Topic, codes(values["topics"]), locale, problems)
        if locale is not None:
            self.optional_fields(
                values, page_model, locale, produced_on, fields, relations, problems
            )
        section = None
        if locale is not None and page_model is not None:
            section = self.section(locale, page_model, values.get("section"))
            if section is None:
                problems.append(
                    _(
                        "Không tìm thấy chuyên mục cho ngôn ngữ “%(code)s”: ghi cột “section” "
                        "(đường dẫn của chuyên mục)."
                    )
                    % {"code": locale.language_code}
                )
        if problems or path is None or digest is None or page_model is None:
            return None, problems, None
        if locale is None or section is None:  # either is missing only with a problem above
            raise RuntimeError("an item row without problems has no locale or section")
        if page_model is ExhibitionPage:
            fields["_caption"] = str(values.get("caption") or values.get("summary") or title)
        return (
            PlannedRow(
                sheet_row.number,
                path,
                digest,
                page_model,
                locale,
                section,
                fields,
                relations,
                checked,
            ),
            [],
            None,
        )

    def terms(
        self, model: type[models.Model], wanted: list[str], locale: Locale, problems: list[str]
    ) -> list[Any]:
        found: list[Any] = []
        for code in wanted:
            query = model._default_manager.filter(code=code)
            if hasattr(model, "locale"):
                # the term in the item's language if it exists, else the source language's
                query = query.filter(locale__in=[locale, self.default_locale]).order_by(
                    models.Case(models.When(locale=locale, then=0), default=1)
                )
            term = query.first()
            if term is None:
                problems.append(
                    _("Mã “%(code)s” không có trong danh mục %(vocabulary)s.")
                    % {"code": code, "vocabulary": model._meta.verbose_name}
                )
            else:
                found.append(term)
        return found

    def optional_fields(
        self,
        values: dict[str, Any],
        page_model: type[ItemPage] | None,
        locale: Locale,
        produced_on: datetime.date | None,
        fields: dict[str, Any],
        relations: dict[str, list[Any]],
        problems: list[str],
    ) -> None:
        for column, value in values.items():
            if column in RELATED_TERMS:
                terms = self.terms(RELATED_TERMS[column], codes(value), locale, problems)
                if column == "coverage" and produced_on is not None:
                    valid = set(
                        AdministrativeUnit.objects.valid_on(produced_on)
                        .filter(pk__in=[unit.pk for unit in terms])
                        .values_list("pk", flat=True)
                    )
                    for unit in terms:
                        if unit.pk not in valid:
                            problems.append(
                                _(
                                    "Đơn vị hành chính “%(code)s” không còn hiệu lực vào ngày "
                                    "sản xuất."
                                )
                                % {"code": unit.code}
                            )
                field_ = ItemPage._meta.get_field(column)
                if field_.many_to_many:
                    relations[column] = terms
                elif len(terms) > 1:
                    problems.append(_("Cột “%(column)s” chỉ nhận một mã.") % {"column": column})
                elif terms:
                    fields[column] = terms[0]
            elif column in CHOICE_FIELDS:
                model = page_model or ItemPage
                try:
                    field_ = model._meta.get_field(column)
                except Exception:
                    problems.append(
                        _("Cột “%(column)s” không dùng cho loại sản phẩm này.") % {"column": column}
                    )
                    continue
                choice = _choice(field_, value)
                if choice is None:
                    problems.append(
                        _("Giá trị “%(value)s” không hợp lệ ở cột “%(column)s”. Dùng: %(codes)s.")
                        % {
                            "value": value,
                            "column": column,
                            "codes": ", ".join(str(key) for key, _label in field_.choices or []),
                        }
                    )
                else:
                    fields[column] = choice
            elif column in TEXT_FIELDS:
                if page_model is not None and not _has_field(page_model, column):
                    problems.append(
                        _("Cột “%(column)s” không dùng cho loại sản phẩm này.") % {"column": column}
                    )
                    continue
                fields[column] = unicodedata.normalize("NFC", str(value))
            elif column in DATE_FIELDS:
                day = parse_date(value)
                if day is None:
                    problems.append(
                        _("Ngày “%(value)s” ở cột “%(column)s” không đọc được.")
                        % {"value": value, "column": column}
                    )
                else:
                    fields[column] = day

    def section(
        self, locale: Locale, page_model: type[ItemPage], wanted: Any
    ) -> SectionIndexPage | None:
        sections = SectionIndexPage.objects.filter(locale=locale)
        if wanted:
            slug = str(wanted).strip("/").rsplit("/", 1)[-1]
            named: SectionIndexPage | None = sections.filter(slug=slug).first()
            return named
        key = (locale.pk, page_model)
        if key not in self._sections:
            self._sections[key] = self._default_section(locale, page_model)
        return self._sections[key]

    def _default_section(
        self, locale: Locale, page_model: type[ItemPage]
    ) -> SectionIndexPage | None:
        """The section of that language holding most items of this type, else the
        translation of the source language's such section."""

        def busiest(candidates: Any) -> SectionIndexPage | None:
            ranked = sorted(
                ((page_model.objects.child_of(s).count(), s.path, s) for s in candidates),
                key=lambda entry: (-entry[0], entry[1]),
            )
            return ranked[0][2] if ranked and ranked[0][0] else None

        candidates = SectionIndexPage.objects.filter(locale=locale)
        own = busiest(candidates)
        if own is not None:
            return own
        if candidates.count() == 1:  # a new site with a single section: no guess needed
            single: SectionIndexPage | None = candidates.first()
            return single
        source = busiest(SectionIndexPage.objects.filter(locale=self.default_locale))
        if source is None:
            return None
        translated: SectionIndexPage | None = SectionIndexPage.objects.filter(
            locale=locale, translation_key=source.translation_key
        ).first()
        return translated

    # -- writing an item ------------------------------------------------------------------


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def _choice(field_: Any, value: Any) -> str | None:
    text = unicodedata.normalize("NFC", str(value)).strip()
    for key, label in field_.choices or []:
        if text == str(key) or text.casefold() == str(label).casefold():
            return str(key)
    return None
