"""Child processes of a harness, stopped together; the PostgreSQL master of a port."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psutil


class Processes:
    """Processes started by a harness. Nothing is registered on import: a benchmark's
    ``main()`` calls ``atexit.register(processes.stop_all)`` itself."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def add(self, process: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
        self.started.append(process)
        return process

    def __getitem__(self, index: int) -> subprocess.Popen[bytes]:
        return self.started[index]

    def stop_all(self, timeout: float = 10) -> None:
        """SIGTERM each running process and wait; SIGKILL any that hangs."""
        for process in self.started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    process.kill()


def postmaster(port: str) -> psutil.Process | None:
    """The PostgreSQL master process listening on ``port`` (started with ``-p port``)."""
    import psutil

    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and f"-p {port}" in " ".join(cmdline):
            return process
    return None
