"""Bulk ingest of digitised legacy material: one sheet row -> one draft item.

The same engine serves ``manage.py ingest_legacy`` and the admin page. A row is checked
completely (its file found and read by content, its codes and dates known) before anything
is written; a real run then creates the item in one transaction per row, so an interrupted
run leaves only whole items behind and is resumed by running it again: a file is known by
the SHA-256 of its bytes and is never ingested twice.

Memory stays flat whatever the sheet's length: rows are streamed, the report is written to
a file as it goes, and only the digests of the files seen so far are kept (to report the
same file listed twice).
"""

from __future__ import annotations

import csv
import logging
import os
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.content.models import (
    ExhibitionItem,
    ExhibitionPage,
    RadioSegmentPage,
)
from cms.content.slugs import ascii_slug
from cms.ingest.files import FolderIndex, LocalFile
from cms.ingest.models import IngestedFile
from cms.ingest.rows import (
    ENGINE_COLUMNS,
    OPTIONAL_COLUMNS,
    PlannedRow,
    RowChecker,
)
from cms.ingest.sheet import REQUIRED_COLUMNS, SheetRow, read_sheet
from cms.media.models import CustomImage, MediaMaster
from cms.media.uploads import (
    StorageUnavailable,
    apply_checked,
    nfc_name,
    store_master_file,
)
from media_pipeline.errors import PipelineError

logger = logging.getLogger(__name__)


class Outcome:
    CREATED = "created"
    WOULD_CREATE = "would_create"
    SKIPPED = "skipped"
    PROBLEM = "problem"


OUTCOME_LABELS = {
    Outcome.CREATED: "Đã tạo bản nháp",
    Outcome.WOULD_CREATE: "Sẽ tạo bản nháp",
    Outcome.SKIPPED: "Bỏ qua (đã nhập)",
    Outcome.PROBLEM: "Có lỗi, không nhập",
}


@dataclass
class RowResult:
    row: int
    file: str
    outcome: str
    problems: list[str] = field(default_factory=list)
    page_id: int | None = None


@dataclass
class Summary:
    rows: int = 0
    created: int = 0
    would_create: int = 0
    skipped: int = 0
    problems: int = 0
    header_problems: list[str] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)

    def count(self, result: RowResult) -> None:
        self.rows += 1
        if result.outcome == Outcome.CREATED:
            self.created += 1
        elif result.outcome == Outcome.WOULD_CREATE:
            self.would_create += 1
        elif result.outcome == Outcome.SKIPPED:
            self.skipped += 1
        else:
            self.problems += 1


class LegacyIngest:
    def __init__(
        self,
        folder: Path,
        *,
        user: Any = None,
        dry_run: bool = True,
        progress: Callable[[int, Summary], None] | None = None,
    ) -> None:
        self.folder = folder
        self.user = user
        self.dry_run = dry_run
        self.progress = progress
        self.checker = RowChecker(FolderIndex(folder))
        self.batch: Any = None

    # -- the run --------------------------------------------------------------------------

    def run(self, sheet: Path, report: Path | None = None) -> Summary:
        """Check (and unless ``dry_run``, ingest) every row; write the report to ``report``."""
        summary = Summary()
        header, rows = read_sheet(sheet)
        unknown = [name for name in header if name and name not in ENGINE_COLUMNS]
        unknown = [name for name in unknown if name not in OPTIONAL_COLUMNS]
        if unknown:
            summary.header_problems.append(
                _("Cột không dùng được (bỏ qua): %(names)s. Các cột có thể dùng: %(allowed)s.")
                % {
                    "names": ", ".join(unknown),
                    "allowed": ", ".join((*REQUIRED_COLUMNS, "section", *OPTIONAL_COLUMNS)),
                }
            )
        with _report_writer(report) as write:
            for problem in summary.header_problems:
                write(RowResult(1, "", Outcome.PROBLEM, [problem]))
            for sheet_row in rows:
                result = self.row(sheet_row)
                summary.count(result)
                write(result)
                if result.problems and len(summary.preview) < 200:
                    summary.preview.append(
                        {
                            "row": result.row,
                            "file": result.file,
                            "outcome": result.outcome,
                            "problems": result.problems,
                        }
                    )
                if self.progress is not None:
                    self.progress(summary.rows, summary)
        return summary

    def row(self, sheet_row: SheetRow) -> RowResult:
        name = str(sheet_row.values.get("file", ""))
        try:
            planned, problems, skipped = self.checker.plan(sheet_row)
        except Exception:  # a bug must cost one row, not the run
            logger.exception("ingest: row %s could not be checked", sheet_row.number)
            return RowResult(sheet_row.number, name, Outcome.PROBLEM, [_("Lỗi hệ thống.")])
        if skipped is not None:
            return RowResult(sheet_row.number, name, Outcome.SKIPPED, [skipped[0]], skipped[1])
        if problems or planned is None:
            return RowResult(sheet_row.number, name, Outcome.PROBLEM, problems)
        if self.dry_run:
            return RowResult(sheet_row.number, name, Outcome.WOULD_CREATE)
        try:
            page = self.create(planned)
        except (StorageUnavailable, ValidationError, PipelineError, OSError) as error:
            message = getattr(error, "message", None) or "; ".join(
                getattr(error, "messages", [str(error)])
            )
            return RowResult(sheet_row.number, name, Outcome.PROBLEM, [str(message)])
        return RowResult(sheet_row.number, name, Outcome.CREATED, [], page.pk)

    # -- checking a row -------------------------------------------------------------------

    def create(self, planned: PlannedRow) -> Page:
        stored: list[tuple[Any, str]] = []
        try:
            with transaction.atomic():
                page = self._create(planned, stored)
                IngestedFile.objects.create(
                    sha256=planned.sha256,
                    source_name=unicodedata.normalize(
                        "NFC", planned.path.relative_to(self.checker.index.root).as_posix()
                    ),
                    sheet_row=planned.row,
                    batch=self.batch,
                    page=page,
                )
        except BaseException:
            for storage, name in stored:  # the row is gone: so is its file
                try:
                    storage.delete(name)
                except Exception:
                    logger.warning("ingest: could not remove %s", name)
            raise
        return page

    def _create(self, planned: PlannedRow, stored: list[tuple[Any, str]]) -> Page:
        fields = dict(planned.fields)
        caption = fields.pop("_caption", "")
        page = planned.page_model(locale=planned.locale, live=False, owner=self.user, **fields)
        title_for_file = fields["title"]
        if planned.page_model is ExhibitionPage:
            with planned.path.open("rb") as handle:
                image = CustomImage(
                    title=title_for_file,
                    credit=fields.get("credits", "")[:255],
                    file=File(handle, name=nfc_name(planned.path.name)),
                    uploaded_by_user=self.user,
                )
                image.save()
            stored.append((image.file.storage, image.file.name))
            page.items = [
                ExhibitionItem(
                    image=image,
                    caption=unicodedata.normalize("NFC", caption),
                    credit=fields.get("credits", "")[:255],
                    date=fields.get("production_date"),
                    place=fields.get("place", ""),
                    locale=planned.locale,
                )
            ]
        else:
            master = MediaMaster(
                title=title_for_file,
                language=planned.locale.language_code,
                original_name=nfc_name(planned.path.name),
                uploaded_by=self.user,
            )
            apply_checked(master, planned.checked)
            upload = LocalFile(planned.path)
            try:
                name = store_master_file(master, upload)
            finally:
                upload.close()
            stored.append((master.file.storage, name))
            master.save()
            setattr(page, "audio" if planned.page_model is RadioSegmentPage else "video", master)
            if planned.page_model is RadioSegmentPage:
                page.duration = master.duration
        for name, terms in planned.relations.items():
            getattr(page, name).set(terms)
        page.slug = self._free_slug(planned.section, page)
        planned.section.add_child(instance=page)
        page.save_revision(user=self.user, log_action=True)
        return page

    def _free_slug(self, parent: Page, page: Page) -> str:
        """The title as an address (Vietnamese folded to ASCII, other scripts kept), made
        unique under the section: digitised series often repeat a title."""
        base = ascii_slug(slugify(page.title, allow_unicode=True))[:240] or "tu-lieu"
        slug, number = base, 1
        siblings = parent.get_children()
        while siblings.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        return slug


class _report_writer:
    """Writes one CSV line per row as it goes (Excel with Vietnamese settings: ``;``);
    the file appears under its name only when complete."""

    HEADER = ["Dòng", "Tệp", "Kết quả", "Chi tiết", "Trang"]

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.temporary = path.with_name(f".{path.name}.part") if path else None

    def __enter__(self) -> Callable[[RowResult], None]:
        if self.temporary is None:
            return lambda result: None
        self.handle = self.temporary.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle, delimiter=";")
        self.writer.writerow(self.HEADER)
        return self.write

    def write(self, result: RowResult) -> None:
        self.writer.writerow(
            [
                result.row,
                result.file,
                OUTCOME_LABELS[result.outcome],
                " | ".join(result.problems),
                result.page_id or "",
            ]
        )

    def __exit__(self, kind: Any, *rest: Any) -> None:
        if self.temporary is None:
            return
        self.handle.close()
        if kind is None and self.path is not None:
            os.replace(self.temporary, self.path)
        else:
            self.temporary.unlink(missing_ok=True)


def iter_results(report: Path) -> Iterator[list[str]]:
    with report.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle, delimiter=";")
