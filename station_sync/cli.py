"""Command line: ``python -m station_sync sync --url URL --dest DIR [--watch]``."""

from __future__ import annotations

import argparse
import logging
import os
import queue
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from station_sync.client import (
    Client,
    Config,
    ServerBusy,
    SyncError,
    TransientError,
    sync,
)
from station_sync.push import Event, Listener

# Exit codes (also in --help and docs/stations.md).
EXIT_OK = 0  # every package received and verified
EXIT_USAGE = 1  # bad arguments, no token, bad --url
EXIT_TRANSIENT = 2  # server unreachable, 5xx, 429 / Retry-After: try again later
EXIT_FAILED = 3  # a package failed verification or was refused: see the log
EXIT_AUTH = 4  # the token was refused (401): ask for a new one
EXIT_INTERRUPTED = 130  # Ctrl+C / SIGINT (128 + 2, as shells report it)
# In --watch mode, the longest we sleep when the server says Retry-After.
MAX_WATCH_RETRY_AFTER = 3600.0

EPILOG = """mã thoát:
  0    mọi gói đã nhận và kiểm tra đúng
  1    sai tham số hoặc thiếu khóa
  2    không kết nối được máy chủ, máy chủ lỗi hoặc bận (429/503, Retry-After): thử lại sau
  3    có gói không kiểm tra được (sai SHA-256) hoặc bị từ chối: xem nhật ký
  4    khóa bị từ chối (401): xin khóa mới
  130  bị dừng bằng Ctrl+C; phần đã tải được giữ lại và tải tiếp lần sau"""


class Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad arguments; here 2 means "server unreachable"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {message}\n")


def say(message: str) -> None:
    """The one line a technician reads on stderr at the end, without a traceback."""
    print(message, file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m station_sync",
        description="Tải gói phát sóng về máy của đài (tiếp tục khi mất kết nối, kiểm tra "
        "SHA-256, xác nhận đã nhận).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run = commands.add_parser(
        "sync",
        help="tải các gói mới",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--url", required=True, help="địa chỉ trang, ví dụ https://cms.example.vn")
    run.add_argument("--token", help="khóa của đài (nên dùng biến STATION_SYNC_TOKEN)")
    run.add_argument("--token-file", type=Path, help="tệp chứa khóa của đài")
    run.add_argument("--dest", required=True, type=Path, help="thư mục lưu gói")
    run.add_argument("--watch", action="store_true", help="chạy liên tục, kiểm tra định kỳ")
    run.add_argument("--interval", type=float, default=300.0, help="giây giữa hai lần kiểm tra")
    run.add_argument(
        "--emergency-interval",
        type=float,
        default=15.0,
        help="giây giữa hai lần kiểm tra khi có bản tin khẩn cấp chưa nhận",
    )
    run.add_argument(
        "--push",
        choices=("auto", "off"),
        default="auto",
        help="auto (mặc định, với --watch): giữ kết nối kênh đẩy máy chủ báo (push_url) để "
        "nhận gói mới, nhất là bản tin khẩn cấp, trong vài giây; vẫn kiểm tra định kỳ theo "
        "--interval, và chỉ kiểm tra định kỳ khi kênh đẩy không dùng được. off: chỉ kiểm tra "
        "định kỳ",
    )
    run.add_argument("--max-cycles", type=int, default=0, help="dừng sau N lần (0: không dừng)")
    run.add_argument("--timeout", type=float, default=60.0)
    run.add_argument("--max-attempts", type=int, default=6)
    run.add_argument("--backoff", type=float, default=2.0, help="giây chờ lần thử lại đầu tiên")
    run.add_argument(
        "--verify",
        action="store_true",
        help="kiểm tra lại SHA-256 mọi tệp của các gói đã nhận (mặc định: kích thước và "
        "thời điểm sửa); tệp hỏng hoặc mất được tải lại từ máy chủ",
    )
    run.add_argument("--quiet", action="store_true")
    return parser


def read_token(args: argparse.Namespace) -> str | None:
    if args.token:
        return str(args.token).strip()
    if args.token_file:
        return Path(args.token_file).read_text(encoding="utf-8").strip()
    return os.environ.get("STATION_SYNC_TOKEN", "").strip() or None


def watch_delay(interval: float) -> float:
    """The interval ±10 %: stations restarted together (after a power cut) drift apart
    instead of all polling the server at the same second."""
    return interval * random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not security


def wait_for_push(events: queue.Queue[Event], seconds: float) -> str:
    """Wait up to ``seconds`` for a reason to run a pass now: a pushed message, or a
    connection regained after a loss (something may have been missed). Returns why it woke:
    "push", "reconnected" or "timer"."""
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return "timer"
        try:
            event = events.get(timeout=remaining)
        except queue.Empty:
            return "timer"
        if event.kind == "message" or (event.kind == "connected" and event.data):
            woke = "push" if event.kind == "message" else "reconnected"
            while True:  # several messages at once: one pass fetches them all
                try:
                    events.get_nowait()
                except queue.Empty:
                    return woke


def main(argv: list[str] | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    try:
        return run(argv, sleep)
    except KeyboardInterrupt:
        say("Đã dừng theo yêu cầu (Ctrl+C); phần đã tải được giữ lại, lần sau tải tiếp.")
        return EXIT_INTERRUPTED


def run(argv: list[str] | None, sleep: Callable[[float], None]) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    token = read_token(args)
    if not token:
        say("Thiếu khóa: dùng --token, --token-file hoặc STATION_SYNC_TOKEN")
        return EXIT_USAGE
    config = Config(
        url=args.url,
        token=token,
        dest=args.dest,
        timeout=args.timeout,
        max_attempts=max(1, args.max_attempts),
        backoff=args.backoff,
        verify=args.verify,
    )
    listeners: list[Listener] = []
    try:
        return loop(args, config, sleep, listeners)
    finally:
        for listener in listeners:
            listener.close()


def start_listener(config: Config, url: str, events: queue.Queue[Event]) -> Listener:
    listener = Listener(Client(config), url, events, backoff=config.backoff)
    listener.start()
    return listener


def loop(
    args: argparse.Namespace,
    config: Config,
    sleep: Callable[[float], None],
    listeners: list[Listener],
) -> int:
    """Pass after pass (one with ``--watch`` off). Between passes: the push listener's
    queue when the server pushes (woken early by a message), else ``sleep``."""
    events: queue.Queue[Event] = queue.Queue()
    listener: Listener | None = None
    cycles = 0
    while True:
        cycles += 1
        result = None
        wait: float | None = None
        try:
            result = sync(config)
        except ServerBusy as error:
            if error.retry_after is None:  # the client raises it only with a Retry-After
                raise RuntimeError(f"ServerBusy without Retry-After: {error}") from error
            if not args.watch:
                say(
                    f"Máy chủ bận, hẹn thử lại sau {error.retry_after:.0f} giây "
                    f"(Retry-After); chạy lại sau: {error}"
                )
                return EXIT_TRANSIENT
            wait = min(error.retry_after, MAX_WATCH_RETRY_AFTER)
            logging.warning("máy chủ bận; chờ %.0f giây như máy chủ yêu cầu", wait)
        except TransientError as error:
            if not args.watch:
                say(f"Không kết nối được máy chủ hoặc máy chủ lỗi; thử lại sau: {error}")
                return EXIT_TRANSIENT
            logging.error("lỗi mạng hoặc máy chủ: %s", error)
        except SyncError as error:
            if error.status == 401:
                say(f"Khóa bị từ chối (401): xin khóa mới. {error}")
                return EXIT_AUTH
            if not args.watch:
                say(f"Lỗi: {error}")
                return EXIT_USAGE if error.status is None else EXIT_FAILED
            logging.error("%s", error)
        except Exception as error:  # keep watching through anything the network throws
            if not args.watch:
                raise
            logging.exception("lỗi: %s", error)
        if not args.watch or (args.max_cycles and cycles >= args.max_cycles):
            if result is not None and result.repaired:
                say(f"Đã sửa gói hỏng hoặc mất trên đĩa: {result.repaired} (tải lại).")
            if result is not None and result.ok:
                return EXIT_OK
            if result is not None and result.failed:
                say(f"Có gói không kiểm tra được hoặc bị từ chối: {result.failed}; xem nhật ký.")
                return EXIT_FAILED
            if result is not None:
                say(f"Chưa tải xong gói {result.deferred} vì lỗi mạng; chạy lại sau.")
            return EXIT_TRANSIENT
        if wait is None:
            urgent = result is None or result.emergency_pending
            wait = watch_delay(args.emergency_interval if urgent else args.interval)
        if listener is None and args.push == "auto" and result is not None and result.push_url:
            listener = start_listener(config, result.push_url, events)
            listeners.append(listener)
        if listener is None:
            sleep(wait)
        else:
            woke = wait_for_push(events, wait)
            if woke != "timer":
                logging.info("kiểm tra ngay: %s", "có tin đẩy" if woke == "push" else
                             "vừa kết nối lại kênh đẩy")  # fmt: skip
