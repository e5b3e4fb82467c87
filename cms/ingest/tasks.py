"""The admin's ingest runs in the background worker; the page follows its progress."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cms.ingest.conf import ingest_root
from cms.ingest.engine import LegacyIngest, Summary
from cms.ingest.models import BatchStatus, IngestBatch
from cms.ingest.sheet import SheetError, read_sheet

logger = logging.getLogger(__name__)


@task()
def run_batch(batch_id: int) -> str:
    return run(batch_id)


def run(batch_id: int) -> str:
    batch = IngestBatch.objects.get(pk=batch_id)
    if batch.status == BatchStatus.DONE:
        return batch.status
    from django.contrib.auth import get_user_model

    IngestBatch.objects.filter(pk=batch_id).update(
        status=BatchStatus.RUNNING, error="", processed_rows=0
    )
    with tempfile.TemporaryDirectory(prefix="ingest-") as scratch:
        sheet = Path(scratch) / Path(batch.sheet_name).name
        with batch.sheet.open("rb") as source, sheet.open("wb") as target:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                target.write(chunk)
        report = Path(scratch) / "bao-cao.csv"
        try:
            _header, rows = read_sheet(sheet)
            total = sum(1 for _row in rows)
            IngestBatch.objects.filter(pk=batch_id).update(total_rows=total)
            last = [timezone.now()]

            def progress(done: int, summary: Summary) -> None:
                now = timezone.now()
                if done == total or (now - last[0]).total_seconds() >= 0.5:
                    last[0] = now
                    IngestBatch.objects.filter(pk=batch_id).update(
                        processed_rows=done,
                        created=summary.created or summary.would_create,
                        skipped=summary.skipped,
                        problems=summary.problems,
                    )

            user = (
                get_user_model().objects.filter(pk=batch.created_by_id).first()
                if batch.created_by_id
                else None
            )
            engine = LegacyIngest(
                ingest_root() / batch.folder, user=user, dry_run=batch.dry_run, progress=progress
            )
            engine.batch = batch
            summary = engine.run(sheet, report=report)
        except SheetError as error:
            from cms.ingest.views import sheet_error_message

            IngestBatch.objects.filter(pk=batch_id).update(
                status=BatchStatus.FAILED,
                error=sheet_error_message(error),
                finished_at=timezone.now(),
            )
            return BatchStatus.FAILED
        except Exception as error:
            logger.exception("ingest batch %s failed", batch_id)
            IngestBatch.objects.filter(pk=batch_id).update(
                status=BatchStatus.FAILED,
                error=f"Lỗi hệ thống ({type(error).__name__}); có thể chạy lại: dòng đã nhập "
                "sẽ được bỏ qua.",
                finished_at=timezone.now(),
            )
            return BatchStatus.FAILED
        batch.refresh_from_db()
        with report.open("rb") as handle:
            batch.report.save(f"bao-cao-{batch.pk}.csv", File(handle), save=False)
        batch.total_rows = summary.rows
        batch.processed_rows = summary.rows
        batch.created = summary.created or summary.would_create
        batch.skipped = summary.skipped
        batch.problems = summary.problems
        batch.report_preview = [
            *({"row": 1, "file": "", "problems": [p]} for p in summary.header_problems),
            *summary.preview,
        ]
        batch.status = BatchStatus.DONE
        batch.finished_at = timezone.now()
        batch.save()
    return BatchStatus.DONE


def enqueue(batch: IngestBatch) -> None:
    transaction.on_commit(lambda: run_batch.enqueue(batch.pk))
