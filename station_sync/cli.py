"""Command line: ``python -m station_sync sync --url URL --dest DIR [--watch]``."""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from station_sync.client import Config, SyncError, sync

EXIT_OK, EXIT_FAILED, EXIT_AUTH, EXIT_USAGE = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m station_sync",
        description="Tải gói phát sóng về máy của đài (tiếp tục khi mất kết nối, kiểm tra "
        "SHA-256, xác nhận đã nhận).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("sync", help="tải các gói mới")
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
    run.add_argument("--max-cycles", type=int, default=0, help="dừng sau N lần (0: không dừng)")
    run.add_argument("--timeout", type=float, default=60.0)
    run.add_argument("--max-attempts", type=int, default=6)
    run.add_argument("--backoff", type=float, default=2.0, help="giây chờ lần thử lại đầu tiên")
    run.add_argument("--quiet", action="store_true")
    return parser


def read_token(args: argparse.Namespace) -> str | None:
    if args.token:
        return str(args.token).strip()
    if args.token_file:
        return args.token_file.read_text(encoding="utf-8").strip()
    return os.environ.get("STATION_SYNC_TOKEN", "").strip() or None


def watch_delay(interval: float) -> float:
    """The interval ±10 %: stations restarted together (after a power cut) drift apart
    instead of all polling the server at the same second."""
    return interval * random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not security


def main(argv: list[str] | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    token = read_token(args)
    if not token:
        print("Thiếu khóa: dùng --token, --token-file hoặc STATION_SYNC_TOKEN", file=sys.stderr)
        return EXIT_USAGE
    config = Config(
        url=args.url,
        token=token,
        dest=args.dest,
        timeout=args.timeout,
        max_attempts=max(1, args.max_attempts),
        backoff=args.backoff,
    )
    cycles = 0
    while True:
        cycles += 1
        try:
            result = sync(config)
        except SyncError as error:
            logging.error("%s", error)
            if error.status == 401:
                return EXIT_AUTH
            result = None
        except Exception as error:  # keep watching through anything the network throws
            if not args.watch:
                raise
            logging.exception("lỗi: %s", error)
            result = None
        if not args.watch or (args.max_cycles and cycles >= args.max_cycles):
            return EXIT_OK if result is not None and result.ok else EXIT_FAILED
        urgent = result is None or result.emergency_pending
        try:
            sleep(watch_delay(args.emergency_interval if urgent else args.interval))
        except KeyboardInterrupt:
            return EXIT_OK
