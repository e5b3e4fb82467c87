"""``manage.py ingest_legacy SHEET FOLDER [--dry-run]``: digitised material in bulk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cms.ingest.engine import OUTCOME_LABELS, LegacyIngest, RowResult, Summary
from cms.ingest.sheet import SheetError
from cms.ingest.template import template_workbook
from cms.ingest.views import sheet_error_message


class Command(BaseCommand):
    help = (
        "Nhập tư liệu số hóa (băng, đĩa, ảnh) từ bảng kê CSV/XLSX và thư mục tệp: mỗi dòng "
        "một bản nháp. --dry-run chỉ kiểm tra. Chạy lại là tiếp tục: tệp đã nhập (theo "
        "SHA-256) không nhập lần nữa."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sheet", nargs="?", type=Path)
        parser.add_argument("folder", nargs="?", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì.")
        parser.add_argument("--user", help="Tên đăng nhập của người nhập (chủ các bản nháp).")
        parser.add_argument("--report", type=Path, help="Ghi báo cáo từng dòng ra tệp CSV.")
        parser.add_argument(
            "--template", type=Path, help="Ghi bảng kê mẫu (XLSX, có trang mã) rồi thoát."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["template"]:
            target: Path = options["template"]
            partial = target.with_name(f".{target.name}.part")
            partial.write_bytes(template_workbook())
            partial.replace(target)
            self.stdout.write(f"Đã ghi bảng kê mẫu: {target}")
            return
        sheet, folder = options["sheet"], options["folder"]
        if sheet is None or folder is None:
            raise CommandError("Cần SHEET và FOLDER (hoặc --template TỆP).")
        if not sheet.is_file():
            raise CommandError(f"Không thấy bảng kê: {sheet}")
        if not folder.is_dir():
            raise CommandError(f"Không thấy thư mục: {folder}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Không có người dùng “{options['user']}”.")

        verbosity = options["verbosity"]

        def progress(done: int, summary: Summary) -> None:
            if verbosity >= 2 and done % 100 == 0:
                self.stderr.write(f"… {done} dòng")

        engine = LegacyIngest(folder, user=user, dry_run=options["dry_run"], progress=progress)
        try:
            summary = engine.run(sheet, report=options["report"])
        except SheetError as error:
            raise CommandError(sheet_error_message(error)) from error
        for problem in summary.header_problems:
            self.stdout.write(f"Dòng 1: {problem}")
        for entry in summary.preview:
            result = RowResult(entry["row"], entry["file"], entry["outcome"], entry["problems"])
            self.stdout.write(
                f"Dòng {result.row} ({result.file or '—'}): {OUTCOME_LABELS[result.outcome]}: "
                + " | ".join(result.problems)
            )
        if summary.problems > len(summary.preview):
            self.stdout.write("… (xem --report để có đủ danh sách)")
        made = summary.would_create if options["dry_run"] else summary.created
        verb = "sẽ tạo" if options["dry_run"] else "đã tạo"
        self.stdout.write(
            f"{summary.rows} dòng: {verb} {made} bản nháp, bỏ qua {summary.skipped} (đã nhập), "
            f"{summary.problems} dòng có lỗi."
        )
        if summary.problems:
            raise CommandError(f"{summary.problems} dòng có lỗi (xem ở trên).", returncode=1)
