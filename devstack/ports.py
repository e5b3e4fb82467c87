"""Free loopback ports, and waiting until a started process listens on one."""

from __future__ import annotations

import socket
import subprocess
import time


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Until something accepts connections on ``port``; ``RuntimeError`` if ``process``
    exits first or nothing listens within ``seconds`` (with its stderr, if piped)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            exited = process.poll() is not None
            if exited or time.monotonic() > deadline:
                errors = process.stderr.read().decode() if process.stderr and exited else ""
                state = f"exited with {process.returncode}" if exited else "not listening"
                raise RuntimeError(f"nothing listening on {port}: {state} {errors}") from None
            time.sleep(0.05)
