"""Throughput of the media jobs with N real workers: items per hour, 5-minute audio segments.

Makes a mix of distinct 5-minute segments from the samples (48 kHz stereo WAV, VBR MP3, Opus,
AAC, 8 kHz phone WAV, each with a slightly different gain so that no two share a content
hash), stores each as a master through the upload code path (``master_from_file``), plans
its renditions (one job per master and profile: loudspeaker, broadcast, web_audio, waveform)
in one transaction, so the jobs land in the database queue on commit, then starts N
``manage.py db_worker`` processes against PostgreSQL and waits until every rendition is
done. Reports items per hour (from the first worker start to the last job finished) and
checks that every job succeeded.

Run: ``DATABASE_URL=postgres://cms@127.0.0.1:54331/media_throughput
.venv/bin/python benchmarks/media_throughput.py [items] [workers] [minutes]`` from the
repository root (defaults 8 items, 2 workers, 5 minutes). The database is created if missing
and migrated; its media rows are deleted first. ``MEDIA_PIPELINE_PARALLEL`` passes through to
the workers (default 2 processes per job).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT.parent / "shared" / "samples"
MIX = (
    ("vi_segment_48k_stereo.wav", "wav", ["-c:a", "pcm_s16le"]),
    ("vi_vbr_44k.mp3", "mp3", ["-c:a", "libmp3lame", "-q:a", "4"]),
    ("vi_speech.ogg", "ogg", ["-c:a", "libopus", "-b:a", "48k"]),
    ("vi_very_quiet.m4a", "m4a", ["-c:a", "aac", "-b:a", "96k"]),
    ("vi_phone_8k_mono.wav", "wav", ["-c:a", "pcm_s16le"]),
)


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def make_segments(dest: Path, items: int, minutes: float) -> list[Path]:
    out = []
    for i in range(items):
        sample, ext, codec = MIX[i % len(MIX)]
        path = dest / f"ban-tin-{i + 1:02d}.{ext}"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-stream_loop",
                "-1",
                "-i",
                str(SAMPLES / sample),
                "-t",
                str(minutes * 60),
                "-af",
                f"volume={-0.1 * i:.1f}dB",
                *codec,
                str(path),
            ],
            check=True,
        )
        out.append(path)
    return out


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    minutes = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (it is created if missing)")
    ensure_database(url)
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        os.environ["CMS_MEDIA_ROOT"] = str(Path(tmp) / "media")
        os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test_queue"
        os.environ.setdefault("CMS_LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import transaction

        from cms.media import renditions
        from cms.media.models import MediaMaster, MediaRendition, RenditionStatus
        from cms.media.uploads import master_from_file

        call_command("migrate", verbosity=0)
        MediaMaster.objects.all().delete()
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()
        segments = make_segments(Path(tmp), items, minutes)
        with transaction.atomic():
            for i, path in enumerate(segments):
                master = master_from_file(path, f"Bản tin {i + 1}", "vi")
                renditions.plan(master)
        jobs = MediaRendition.objects.count()
        print(
            f"{items} items of {minutes:g} min ({', '.join(m[0] for m in MIX)} in turn), "
            f"{jobs} jobs, {workers} workers, "
            f"MEDIA_PIPELINE_PARALLEL={os.environ.get('MEDIA_PIPELINE_PARALLEL', 'default')}"
        )
        print(f"load average before: {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cmd = [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--queue-name",
            "media",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--no-reload",
        ]
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [*cmd, "--worker-id", f"bench-{n}"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for n in range(workers)
        ]
        try:
            while True:
                busy = MediaRendition.objects.filter(
                    status__in=(RenditionStatus.PENDING, RenditionStatus.RUNNING)
                ).count()
                if busy == 0:
                    break
                if any(p.poll() is not None for p in procs):
                    sys.exit("a worker exited early")
                time.sleep(0.5)
            finished = MediaRendition.objects.order_by("-finished_at").first()
            assert finished is not None and finished.finished_at is not None
            elapsed = time.perf_counter() - started
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=30)
        failed = list(
            MediaRendition.objects.exclude(status=RenditionStatus.DONE).values_list(
                "master__title", "profile", "status", "error_code"
            )
        )
        print(f"all jobs finished in {elapsed:.1f} s; not done: {failed or 'none'}")
        print(
            f"throughput: {items / elapsed * 3600:.0f} items/hour "
            f"({items * minutes / (elapsed / 60):.1f} minutes of audio per minute)"
        )
        print(f"load average after: {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
