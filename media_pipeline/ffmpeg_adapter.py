"""The only place that knows how ffmpeg / ffprobe are invoked.

The rest of the library describes work with the small immutable dataclasses below
(:class:`Job` made of :class:`InputSpec`, :class:`StreamSpec` chains of :class:`FilterSpec` and
:class:`OutputSpec`). This module turns a description into an ffmpeg command line (through
ffmpeg-python, which also does the two levels of filtergraph escaping for option values) and
runs it with progress reporting, cancellation, a timeout and stderr capture. Replacing
ffmpeg-python (or calling a remote transcoder) only means rewriting this module.

Filter options are always passed by *name* (``FilterSpec("pan", {"args": "mono|c0=c0"})``),
never positionally: ffmpeg-python escapes positional arguments twice, which breaks values
containing ``=`` or ``:``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import ffmpeg  # ffmpeg-python

from .errors import PipelineError

Scalar = str | int | float
ProgressCallback = Callable[[float], None]
CancelCheck = Callable[[], bool]

FFMPEG_BIN = os.environ.get("MEDIA_PIPELINE_FFMPEG", "ffmpeg")
FFPROBE_BIN = os.environ.get("MEDIA_PIPELINE_FFPROBE", "ffprobe")

#: how often ``should_cancel`` is consulted while ffmpeg runs (it may hit a database)
CANCEL_POLL_SECONDS = 0.5
_STDERR_MAX_LINES = 4000
_DISK_FULL_MARKERS = ("No space left on device", "Disk quota exceeded", "File too large")
_TRANSIENT_MARKERS = (
    "Cannot allocate memory",
    "Resource temporarily unavailable",
    "Input/output error",
)


@dataclass(frozen=True)
class FilterSpec:
    """One ffmpeg filter with named options (values are escaped by the adapter)."""

    name: str
    options: Mapping[str, Scalar] = field(default_factory=dict)

    def render(self) -> str:
        """Human-readable (unescaped) form, used for hashing and logging only."""
        if not self.options:
            return self.name
        opts = ":".join(f"{k}={_fmt(v)}" for k, v in self.options.items())
        return f"{self.name}={opts}"


def flt(name: str, **options: Scalar) -> FilterSpec:
    """Shorthand: ``flt("volume", volume="3.0dB")``."""
    return FilterSpec(name, dict(options))


@dataclass(frozen=True)
class InputRef:
    """A stream of an input file, e.g. ``InputRef(0, "a:0")``."""

    index: int
    selector: str


@dataclass(frozen=True)
class InputSpec:
    path: str
    options: Mapping[str, Scalar | None] = field(default_factory=dict)


@dataclass(frozen=True)
class StreamSpec:
    """A named linear filter chain fed by an input stream or by another named chain.

    When several chains (or outputs) consume the same source, the adapter inserts
    ``split`` / ``asplit`` automatically.
    """

    name: str
    kind: Literal["audio", "video"]
    source: InputRef | str
    filters: Sequence[FilterSpec] = ()
    #: further inputs of the chain's first filter (``overlay`` takes the background as
    #: ``source`` and the picture laid over it here)
    extra_sources: Sequence[InputRef | str] = ()


@dataclass(frozen=True)
class OutputSpec:
    """An output file (or ``"-"`` with ``{"f": "null"}``) and the chains mapped into it."""

    path: str
    streams: Sequence[str | InputRef]
    options: Mapping[str, Scalar | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    inputs: Sequence[InputSpec]
    streams: Sequence[StreamSpec]
    outputs: Sequence[OutputSpec]
    #: "error" normally; "info" when a filter reports results on the log (ebur128)
    loglevel: str = "error"


@dataclass(frozen=True)
class RunResult:
    args: list[str]
    stderr: str
    elapsed: float
    #: the last ``out_time`` ffmpeg reported (seconds of output written)
    out_time: float = 0.0


def _fmt(v: Scalar) -> str:
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if v == v else "nan"
    return str(v)


def _file_url(path: str) -> str:
    """Absolute ``file:`` URL so names beginning with ``-`` or containing ``:`` are safe."""
    if path == "-" or path.startswith("pipe:"):
        return path
    return "file:" + os.path.abspath(path)


def build_args(job: Job) -> list[str]:
    """Compile a :class:`Job` into an ffmpeg argument list (without the executable)."""
    in_nodes = [
        ffmpeg.input(
            i.path if i.options.get("f") == "lavfi" else _file_url(i.path), **dict(i.options)
        )
        for i in job.inputs
    ]
    by_name = {s.name: s for s in job.streams}
    if len(by_name) != len(job.streams):
        raise PipelineError("invalid_argument", "duplicate stream names in ffmpeg job")

    # Count consumers of every source so that split/asplit can be inserted.
    consumers: dict[str | InputRef, int] = {}
    for s in job.streams:
        for src in (s.source, *s.extra_sources):
            consumers[src] = consumers.get(src, 0) + 1
    for o in job.outputs:
        for ref in o.streams:
            consumers[ref] = consumers.get(ref, 0) + 1

    built: dict[str | InputRef, Any] = {}
    split_outputs: dict[str | InputRef, list[Any]] = {}

    def kind_of(ref: str | InputRef) -> str:
        if isinstance(ref, InputRef):
            return "audio" if ref.selector.startswith("a") else "video"
        return by_name[ref].kind

    def base(ref: str | InputRef) -> Any:
        if ref not in built:
            if isinstance(ref, InputRef):
                built[ref] = in_nodes[ref.index][ref.selector]
            else:
                spec = by_name[ref]
                node = take(spec.source)
                filters = list(spec.filters)
                if spec.extra_sources:
                    if not filters:
                        raise PipelineError("invalid_argument", f"{ref!r}: no filter to join")
                    first = filters.pop(0)
                    node = ffmpeg.filter(
                        [node, *(take(x) for x in spec.extra_sources)],
                        first.name,
                        **{k: _fmt(v) for k, v in first.options.items()},
                    )
                for f in filters:
                    node = node.filter(f.name, **{k: _fmt(v) for k, v in f.options.items()})
                built[ref] = node
        return built[ref]

    def take(ref: str | InputRef) -> Any:
        """A handle on ``ref`` for one consumer (through a split when it has several)."""
        if isinstance(ref, str) and ref not in by_name:
            raise PipelineError("invalid_argument", f"unknown stream {ref!r} in ffmpeg job")
        n = consumers.get(ref, 1)
        if n <= 1:
            return base(ref)
        if ref not in split_outputs:
            splitter = "asplit" if kind_of(ref) == "audio" else "split"
            node = base(ref).filter_multi_output(splitter)
            split_outputs[ref] = [node.stream(i) for i in range(n)]
        return split_outputs[ref].pop(0)

    outs = []
    for o in job.outputs:
        streams = [take(r) for r in o.streams]
        outs.append(ffmpeg.output(*streams, _file_url(o.path), **dict(o.options)))
    graph = ffmpeg.merge_outputs(*outs) if len(outs) > 1 else outs[0]
    args: list[str] = list(graph.get_args())
    return [
        "-hide_banner",
        "-nostdin",
        "-y",
        "-nostats",
        "-progress",
        "pipe:1",
        "-stats_period",
        "0.5",
        "-loglevel",
        job.loglevel,
        *args,
    ]


def _require(binary: str) -> str:
    found = shutil.which(binary)
    if not found:
        raise PipelineError("ffmpeg_missing", f"{binary!r} executable not found on PATH")
    return found


def _reader(stream: Any, sink: queue.Queue[str | None]) -> None:
    for raw in iter(stream.readline, b""):
        sink.put(raw.decode("utf-8", "replace").rstrip("\n"))
    sink.put(None)


def _stderr_reader(stream: Any, lines: deque[str]) -> None:
    for raw in iter(stream.readline, b""):
        lines.append(raw.decode("utf-8", "replace").rstrip("\n"))


def run_job(
    job: Job,
    *,
    duration: float | None = None,
    progress_cb: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    timeout: float | None = None,
) -> RunResult:
    """Run ffmpeg for ``job``.

    ``duration`` (seconds of media being processed) turns ffmpeg's ``out_time_us`` into a
    fraction for ``progress_cb``. ``should_cancel`` is polled every
    :data:`CANCEL_POLL_SECONDS` and after each progress report; on ``True`` ffmpeg is killed
    and ``PipelineError("cancelled")`` raised. The caller owns cleanup of partial outputs
    (see :mod:`media_pipeline.atomic`).
    """
    exe = _require(FFMPEG_BIN)
    args = [exe, *build_args(job)]
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError as exc:
        raise PipelineError("ffmpeg_missing", f"cannot start ffmpeg: {exc}") from exc
    progress_q: queue.Queue[str | None] = queue.Queue()
    err_lines: deque[str] = deque(maxlen=_STDERR_MAX_LINES)
    t_out = threading.Thread(target=_reader, args=(proc.stdout, progress_q), daemon=True)
    t_err = threading.Thread(target=_stderr_reader, args=(proc.stderr, err_lines), daemon=True)
    t_out.start()
    t_err.start()
    last_cancel_check = 0.0
    out_time_us = 0
    try:
        stdout_open = True
        while True:
            check_cancel = False
            if stdout_open:
                try:
                    line = progress_q.get(timeout=0.1)
                except queue.Empty:
                    line = ""
                if line is None:
                    stdout_open = False
                elif line.startswith("out_time_us="):
                    value = line.partition("=")[2].strip()
                    if value.lstrip("-").isdigit():
                        out_time_us = max(out_time_us, int(value))
                elif line.startswith("progress="):
                    if progress_cb is not None and duration:
                        progress_cb(min(1.0, out_time_us / 1e6 / duration))
                    check_cancel = True
            elif proc.poll() is None:
                time.sleep(0.05)
            if not stdout_open and proc.poll() is not None:
                break
            now = time.monotonic()
            if should_cancel is not None and (
                check_cancel or now - last_cancel_check >= CANCEL_POLL_SECONDS
            ):
                last_cancel_check = now
                if should_cancel():
                    _kill(proc)
                    raise PipelineError("cancelled", "processing was cancelled")
            if timeout is not None and now - started > timeout:
                _kill(proc)
                raise PipelineError("timeout", f"ffmpeg ran longer than {timeout:.0f} s")
    except BaseException:
        _kill(proc)
        raise
    finally:
        t_out.join(timeout=5)
        t_err.join(timeout=5)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    stderr = "\n".join(err_lines)
    rc = proc.returncode
    if rc != 0:
        tail = "\n".join(list(err_lines)[-15:])
        if any(m in stderr for m in _DISK_FULL_MARKERS):
            raise PipelineError("disk_full", f"ffmpeg ran out of disk space: {tail}")
        transient = rc < 0 or any(m in stderr for m in _TRANSIENT_MARKERS)
        raise PipelineError(
            "ffmpeg_failed",
            f"ffmpeg exited with status {rc}: {tail}",
            permanent=not transient,
        )
    return RunResult(
        args=args, stderr=stderr, elapsed=time.monotonic() - started, out_time=out_time_us / 1e6
    )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


@dataclass(frozen=True)
class ProbeOutput:
    data: dict[str, Any]
    warnings: list[str]


def run_ffprobe(path: str, *, timeout: float = 60.0) -> ProbeOutput:
    """``ffprobe -show_format -show_streams`` as parsed JSON plus the warnings it logged.

    Raises ``PipelineError("unreadable")`` when ffprobe cannot open the file; the message
    keeps ffprobe's own explanation.
    """
    exe = _require(FFPROBE_BIN)
    args = [
        exe,
        "-hide_banner",
        "-loglevel",
        "warning",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        _file_url(path),
    ]
    try:
        done = subprocess.run(
            args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise PipelineError("timeout", f"ffprobe took longer than {timeout:.0f} s") from exc
    except OSError as exc:
        raise PipelineError("ffmpeg_missing", f"cannot start ffprobe: {exc}") from exc
    stderr = done.stderr.decode("utf-8", "replace")
    warnings = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if done.returncode != 0:
        raise PipelineError(
            "unreadable", "ffprobe cannot read the file: " + " / ".join(warnings[-3:])
        )
    try:
        data = json.loads(done.stdout.decode("utf-8", "replace") or "{}")
    except json.JSONDecodeError as exc:
        raise PipelineError("unreadable", f"ffprobe returned invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PipelineError("unreadable", "ffprobe returned no information")
    return ProbeOutput(data=data, warnings=warnings)
