"""The rendition queue: enqueueing, retrying and cancelling jobs, recording failures,
watching running jobs (progress, cancel flag, heartbeat) and re-queueing those whose
worker died."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from cms.media.models import MediaRendition, RenditionStatus

logger = logging.getLogger(__name__)
MAX_TRANSIENT_ATTEMPTS = 3
# A running job touches its row at least this often (progress or heartbeat); a row left
# "running" much longer than that belongs to a worker that died (killed, machine lost).
HEARTBEAT_SECONDS = 30.0
MAX_ATTEMPTS_AFTER_WORKER_LOSS = 3


def enqueue(rendition: MediaRendition) -> None:
    from cms.media.tasks import render_rendition

    rendition_id = rendition.pk
    transaction.on_commit(lambda: render_rendition.enqueue(rendition_id))


def enqueue_later(rendition: MediaRendition, delay_seconds: float) -> None:
    """Queue the job again now, to run after ``delay_seconds`` where the backend can defer."""
    from cms.media.tasks import render_rendition

    task = render_rendition
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay_seconds))
    task.enqueue(rendition.pk)


class RenditionIsFinal(Exception):
    """A finished rendition whose file is stored is never made again: what a live page, a
    package or an export uses must not change bytes behind an approval. (A new recording or
    new settings mean a new master.)"""

    code = "rendition_final"


def output_exists(rendition: MediaRendition) -> bool:
    """The rendition's file is in the storage (a storage that cannot answer counts as yes:
    never re-make over what may still be there)."""
    name = rendition.file.name
    if not name:
        return False
    try:
        return bool(default_storage.exists(name))
    except Exception:
        logger.warning("could not check %s in the storage", name)
        return True


def is_final(rendition: MediaRendition) -> bool:
    return rendition.status == RenditionStatus.DONE and output_exists(rendition)


def retry(rendition: MediaRendition) -> None:
    """Run a rendition again: after a failure or a cancellation, or a finished one whose file
    is missing from the storage. A finished rendition whose file is there is final
    (``RenditionIsFinal``)."""
    if is_final(rendition):
        raise RenditionIsFinal
    MediaRendition.objects.filter(pk=rendition.pk).mark_pending(attempts=0)
    enqueue(rendition)


def cancel(rendition: MediaRendition) -> bool:
    """Cancel a queued or running job. A queued one is cancelled at once; a running one is
    flagged and its worker stops ffmpeg within about a second. Asking again for a job still
    running (its worker may have died) marks it cancelled at once; a live worker still sees
    the flag and stops. False if the job was neither queued nor running."""
    rows = MediaRendition.objects.filter(pk=rendition.pk)
    if rows.queued().mark_cancelled():
        return True
    if rows.running().filter(cancel_requested=True).mark_cancelled():
        return True
    return bool(rows.running().update(cancel_requested=True))


def fail(rendition: MediaRendition, code: str, detail: str, permanent: bool) -> str:
    """Record a failure; transient failures are retried a few times with backoff."""
    logger.warning("rendition %s failed: %s %s", rendition.pk, code, detail[:500])
    retry_later = not permanent and rendition.attempts < MAX_TRANSIENT_ATTEMPTS
    MediaRendition.objects.filter(pk=rendition.pk).mark_failed(
        code, detail, retry_later=retry_later
    )
    if retry_later:
        enqueue_later(rendition, 30 * 2 ** (rendition.attempts - 1))
        return RenditionStatus.PENDING
    return RenditionStatus.FAILED


def cancelled(rendition: MediaRendition) -> str:
    MediaRendition.objects.filter(pk=rendition.pk).mark_cancelled()
    return RenditionStatus.CANCELLED


def heartbeat(rendition_id: int) -> None:
    MediaRendition.objects.filter(pk=rendition_id).heartbeat()


def requeue_stale(older_than: datetime.timedelta) -> tuple[list[int], list[int]]:
    """Jobs whose worker died mid-way: run them again, or fail them after repeated losses.

    A job is stale when it is "running" but has not touched its row for ``older_than``
    (several heartbeats). Its partial output only ever existed in the dead worker's
    temporary directory, so starting again from the master is safe. Returns the ids
    re-queued and the ids failed.
    """
    cutoff = timezone.now() - older_than
    requeued: list[int] = []
    failed: list[int] = []
    with transaction.atomic():
        stale = list(
            MediaRendition.objects.select_for_update(skip_locked=True)
            .running()
            .filter(updated_at__lt=cutoff)
        )
        for rendition in stale:
            if rendition.attempts >= MAX_ATTEMPTS_AFTER_WORKER_LOSS:
                fail(
                    rendition,
                    "worker_lost",
                    f"the worker stopped {rendition.attempts} times while making this",
                    permanent=True,
                )
                failed.append(rendition.pk)
                continue
            MediaRendition.objects.filter(pk=rendition.pk).mark_pending()
            enqueue(rendition)
            requeued.append(rendition.pk)
    return requeued, failed


def is_live(rendition: MediaRendition) -> bool:
    """A row "running" that a live job touched lately (progress or heartbeat)."""
    recent = timezone.now() - datetime.timedelta(seconds=2 * HEARTBEAT_SECONDS)
    return rendition.status == RenditionStatus.RUNNING and rendition.updated_at >= recent


class CancelPoller:
    """``should_cancel`` for the pipeline: reads the cancel flag of the job's renditions at
    most once a second (the pipeline polls more often while ffmpeg runs) and keeps their rows
    alive (heartbeat). True once any of them is to be cancelled."""

    def __init__(self, rendition_ids: int | Iterable[int]) -> None:
        self.ids = [rendition_ids] if isinstance(rendition_ids, int) else list(rendition_ids)
        self.last = 0.0
        self.last_beat = time.monotonic()
        self.cancelled = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if not self.cancelled and now - self.last >= 1.0:
            self.last = now
            self.cancelled = MediaRendition.objects.filter(
                pk__in=self.ids, cancel_requested=True
            ).exists()
            if now - self.last_beat >= HEARTBEAT_SECONDS:
                self.last_beat = now
                MediaRendition.objects.filter(pk__in=self.ids).heartbeat()
        return self.cancelled


class ProgressWriter:
    """Writes job progress to the rows of the job's renditions at most once a second."""

    def __init__(self, rendition_ids: int | Iterable[int]) -> None:
        self.ids = [rendition_ids] if isinstance(rendition_ids, int) else list(rendition_ids)
        self.last = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last >= 1.0 or fraction >= 1.0:
            self.last = now
            MediaRendition.objects.filter(pk__in=self.ids).report_progress(fraction)
