"""A real nginx for tests and benchmarks: start/stop on loopback, and the production push
locations (nchan) taken verbatim from ``deploy/nginx/cms.conf``, so what is tested is what
is deployed. Standard library only (the benchmarks import it too)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = "/usr/sbin/nginx"
SITE_CONF = ROOT / "deploy" / "nginx" / "cms.conf"
#: Debian's nchan module (libnginx-mod-nchan). Debian's nginx.conf loads it through
#: /etc/nginx/modules-enabled, with a path relative to the prefix: absolute here for -p.
MODULES = "load_module /usr/lib/nginx/modules/ngx_nchan_module.so;\n"


def deploy_snippet(name: str, upstream: str) -> str:
    """The lines between ``# push:<name> begin`` and ``# push:<name> end`` of the production
    site configuration, with its upstream (``http://cms_app``) replaced by ``upstream``."""
    site = SITE_CONF.read_text(encoding="utf-8")
    found = re.search(rf"# push:{name} begin\n(.*?)\n\s*# push:{name} end", site, re.S)
    if found is None:
        raise RuntimeError(f"deploy/nginx/cms.conf has no push:{name} block")
    return found.group(1).replace("http://cms_app", upstream.rstrip("/"))


def with_push(conf: str, upstream: str) -> str:
    """A complete test configuration (one ``http`` block, one ``server``) plus the module and
    the production push locations: subscriber, authorization and loopback publisher."""
    assert conf.count("http {") == 1 and conf.count("server {") == 1, "one http, one server"
    conf = MODULES + conf
    conf = conf.replace("http {", "http {\n" + deploy_snippet("http", upstream), 1)
    locations = deploy_snippet("subscribe", upstream) + "\n" + deploy_snippet("publish", upstream)
    listen = re.search(r"server \{\s*listen [^;]+;", conf)
    assert listen is not None
    return conf[: listen.end()] + "\n" + locations + conf[listen.end() :]


def wait_port(port: int, process: subprocess.Popen[bytes], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                errors = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"nginx did not start on {port}: {errors}") from None
            time.sleep(0.05)


class Nginx:
    """One nginx master with ``conf`` (written to ``tmp/nginx.conf``) listening on ``port``."""

    def __init__(self, conf: str, tmp: Path, port: int) -> None:
        assert Path(NGINX).exists(), "nginx is not installed"
        self.tmp, self.port = tmp, port
        tmp.mkdir(parents=True, exist_ok=True)
        self.conf = tmp / "nginx.conf"
        self.conf.write_text(conf, encoding="utf-8")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Nginx:
        self.process = subprocess.Popen(
            [NGINX, "-c", str(self.conf), "-p", str(self.tmp), "-e", str(self.tmp / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_port(self.port, self.process)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the master), from /proc."""
        assert self.process is not None
        master = self.process.pid
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry))
        return pids

    def workers_rss(self) -> int:
        """Resident memory of the workers in bytes (VmRSS: private and touched shared pages,
        including nchan's shared memory zone as far as the workers have used it)."""
        total = 0
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        return total

    def channel_subscribers(self, channel: str) -> int:
        """Subscribers of a channel, as nchan's publisher location reports it (GET)."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            f"{self.url}/_push/pub/{channel}", headers={"Accept": "text/json"}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=5) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            if error.code == 404:  # no such channel yet: nobody ever subscribed
                return 0
            raise
        found = re.search(r'"subscribers"\s*:\s*(\d+)', text)
        assert found is not None, text
        return int(found.group(1))
