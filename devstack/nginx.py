"""A real nginx for tests, benchmarks and the local stack, with the deployed configuration:
the site of ``deploy/nginx/cms.conf`` with only ports and paths substituted
(``nginx_site``/``nginx_main``, and a throwaway certificate for it), or a test configuration
plus the production push locations (nchan) taken verbatim from it (``with_push``), so what is
tested is what is deployed; start/stop on loopback (``Nginx``). Standard library only."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from devstack import ROOT
from devstack.ports import wait_port

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
    if conf.count("http {") != 1 or conf.count("server {") != 1:
        raise ValueError("with_push needs a configuration with one http and one server block")
    conf = MODULES + conf
    conf = conf.replace("http {", "http {\n" + deploy_snippet("http", upstream), 1)
    locations = deploy_snippet("subscribe", upstream) + "\n" + deploy_snippet("publish", upstream)
    listen = re.search(r"server \{\s*listen [^;]+;", conf)
    if listen is None:
        raise ValueError("the server block does not start with a listen directive")
    return conf[: listen.end()] + "\n" + locations + conf[listen.end() :]


class Nginx:
    """One nginx master with ``conf`` (written to ``tmp/nginx.conf``) listening on ``port``."""

    def __init__(self, conf: str, tmp: Path, port: int) -> None:
        if not Path(NGINX).exists():
            raise RuntimeError(f"nginx is not installed ({NGINX})")
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
        wait_port(self.port, self.process, 15)
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
        if self.process is None:
            raise RuntimeError("nginx is not running: start it first")
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
        if found is None:
            raise RuntimeError(f"no subscriber count in the channel status: {text}")
        return int(found.group(1))


def nginx_site(
    *, upstream: int, http: int, https: int, var: Path, certs: Path, cache: Path, logs: Path
) -> str:
    """``deploy/nginx/cms.conf`` with loopback ports and local paths, nothing else changed."""
    site = SITE_CONF.read_text(encoding="utf-8")
    replacements = [
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{upstream} "),
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("return 301 https://$host$request_uri;", f"return 301 https://$host:{https}$request_uri;"),
        ("/etc/ssl/cms/", f"{certs}/"),
        ("/srv/cms/var/", f"{var}/"),
        ("/var/www/acme", str(var / "acme")),
        ("/var/cache/nginx/cms", str(cache)),
        ("/var/log/nginx/", f"{logs}/"),
    ]
    for old, new in replacements:
        if old not in site:
            raise RuntimeError(f"deploy/nginx/cms.conf no longer contains {old!r}")
        site = site.replace(old, new)
    return site


def nginx_main(site: str, tmp: Path, user: str = "root") -> str:
    """A complete nginx.conf around the site (what /etc/nginx/nginx.conf gives on Debian)."""
    return (
        MODULES  # push (nchan)
        + f"daemon off;\nuser {user};\nworker_processes auto;\npid {tmp}/nginx.pid;\n"
        f"error_log {tmp}/error.log warn;\nevents {{ worker_connections 4096; }}\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        "    sendfile on;\n    tcp_nopush on;\n    server_tokens off;\n    access_log off;\n"
        f"    client_body_temp_path {tmp}/cb; proxy_temp_path {tmp}/pt;\n"
        f"    fastcgi_temp_path {tmp}/ft; uwsgi_temp_path {tmp}/ut; scgi_temp_path {tmp}/st;\n"
        f"{site}\n}}\n"
    )


def self_signed(certs: Path) -> None:
    """A throwaway certificate for 127.0.0.1 and localhost (``fullchain.pem``,
    ``privkey.pem`` in ``certs``), valid for two days."""
    certs.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(certs / "privkey.pem"), "-out", str(certs / "fullchain.pem"),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
