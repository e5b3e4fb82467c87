"""The production files in deploy/ are valid for the real programs that read them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from devstack import ROOT
from devstack.nginx import NGINX, nginx_main, nginx_site, self_signed
from devstack.ports import free_port, wait_port


def test_nginx_accepts_the_site_configuration(tmp_path: Path) -> None:
    certs = tmp_path / "ssl"
    certs.mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=cms.test", "-keyout", str(certs / "privkey.pem"),
            "-out", str(certs / "fullchain.pem"),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = (ROOT / "deploy" / "nginx" / "cms.conf").read_text(encoding="utf-8")
    assert "/etc/ssl/cms/" in site
    site = site.replace("/etc/ssl/cms/", f"{certs}/")
    site = site.replace("/var/cache/nginx/cms", str(tmp_path / "cache"))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/logs/")
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(
        # As Debian's /etc/nginx/modules-enabled: nchan (push), absolute for -p.
        "load_module /usr/lib/nginx/modules/ngx_nchan_module.so;\n"
        "pid nginx.pid;\nerror_log logs/error.log;\nevents {}\n"
        "http {\n include /etc/nginx/mime.types;\n access_log off;\n"
        f"{site}\n}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_gunicorn_accepts_its_configuration() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "CMS_WEB_PROCESSES": "2",
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c", "deploy/gunicorn.conf.py", "--check-config", "cms.wsgi",
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_timer_has_its_service_and_runs_an_existing_command() -> None:
    from django.core.management import get_commands

    units = ROOT / "deploy" / "systemd"
    timers = sorted(units.glob("*.timer"))
    assert {t.stem for t in timers} >= {"cms-carriage", "cms-export", "cms-fixity", "cms-backup"}
    commands = get_commands()
    for timer in timers:
        service = timer.with_suffix(".service").read_text(encoding="utf-8")
        line = next(x for x in service.splitlines() if x.startswith("ExecStart="))
        command = line.split("manage.py", 1)[1].split()[0]
        assert command in commands, f"{timer.name} runs unknown command {command}"


class SiteInFront:
    """The real site configuration (``deploy/nginx/cms.conf`` with loopback ports and local
    paths, over TLS) in a real nginx, in front of a real gunicorn running a stub WSGI app."""

    def __init__(self, tmp: Path, app: str, *gunicorn: str, cache_seconds: int = 60) -> None:
        import ssl
        import urllib.request

        (tmp / "stubapp.py").write_text(app, encoding="utf-8")
        self.app_port, self.https, http = free_port(), free_port(), free_port()
        self.gunicorn_args = [
            str(Path(sys.executable).with_name("gunicorn")), "--bind",
            f"127.0.0.1:{self.app_port}", "--workers", "1", *gunicorn, "--chdir", str(tmp),
            "stubapp:app",
        ]  # fmt: skip
        site = nginx_site(
            upstream=self.app_port, http=http, https=self.https, var=tmp / "var",
            certs=tmp / "ssl", cache=tmp / "cache", logs=tmp,
        )  # fmt: skip
        lifetime = "proxy_cache_valid 200 301 302 60s;"
        assert lifetime in site
        site = site.replace(lifetime, lifetime.replace("60s", f"{cache_seconds}s"))
        self_signed(tmp / "ssl")
        (tmp / "nginx").mkdir()
        self.conf = tmp / "nginx" / "nginx.conf"
        self.conf.write_text(nginx_main(site, tmp / "nginx"), encoding="utf-8")
        self.prefix = tmp / "nginx"
        self.context = ssl.create_default_context(cafile=str(tmp / "ssl" / "fullchain.pem"))
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=self.context)
        )
        self.gunicorn = subprocess.Popen(
            self.gunicorn_args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.nginx: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SiteInFront:
        self.nginx = subprocess.Popen(
            [NGINX, "-c", str(self.conf), "-p", str(self.prefix)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_port(self.app_port, self.gunicorn)
        wait_port(self.https, self.nginx)
        return self

    def __exit__(self, *exc: object) -> None:
        for process in (self.nginx, self.gunicorn):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


STUB_APP = '''
import itertools

counter = itertools.count()


def app(environ, start_response):
    """Numbers every response, so a test sees whether the app or nginx's cache answered."""
    path = environ["PATH_INFO"]
    headers = [("Content-Type", "text/plain; charset=utf-8")]
    if path.endswith("/set-cookie/"):
        headers.append(("Set-Cookie", "visited=1; Path=/"))
    if path.endswith("/private/"):
        headers.append(("Cache-Control", "private"))
    if path.endswith("/no-store/"):
        headers.append(("Cache-Control", "no-store"))
    body = f"{environ['REQUEST_METHOD']} {path} #{next(counter)} {environ.get('HTTP_COOKIE', '')}"
    start_response("200 OK", headers)
    return [body.encode()]
'''


def test_public_pages_are_micro_cached_and_served_stale_but_never_private_ones(
    tmp_path: Path,
) -> None:
    """The real site configuration in a real nginx, in front of a real gunicorn (a stub WSGI
    app that numbers its responses). The cache lifetime is cut to 3 s here so that the
    stale path can be seen without waiting a minute."""
    import urllib.error
    import urllib.request

    site = SiteInFront(tmp_path, STUB_APP, cache_seconds=3)
    https, opener, gunicorn = site.https, site.opener, site.gunicorn

    def get(path: str, method: str = "GET", **headers: str) -> tuple[int, str, str]:
        request = urllib.request.Request(
            f"https://127.0.0.1:{https}{path}", method=method, headers=headers,
            data=b"x" if method == "POST" else None,
        )  # fmt: skip
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.headers["X-Cache-Status"], response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["X-Cache-Status"], error.read().decode()

    with site:
        first = get("/vi/tin-tuc/")
        assert first[:2] == (200, "MISS")
        assert get("/vi/tin-tuc/") == (200, "HIT", first[2])  # the same response, from nginx
        # Never cached: the admin, the station API, the portal, downloads, the health check,
        # POST, a request with a session cookie, responses with Set-Cookie or private/no-store.
        for path in ("/admin/", "/api/stations/v1/packages", "/stations/", "/documents/1/a.pdf",
                     "/healthz", "/oai/", "/vi/search/?q=a"):  # fmt: skip
            one, two = get(path), get(path)
            assert one[1] == two[1] == "BYPASS" and one[2] != two[2], path
        posts = get("/vi/tin-tuc/", "POST"), get("/vi/tin-tuc/", "POST")
        assert posts[0][1] is None and posts[0][2] != posts[1][2]  # the cache is not involved
        signed_in = get("/vi/ca-nhan/", Cookie="sessionid=abc; csrftoken=def")
        assert signed_in[1] == "BYPASS" and "sessionid=abc" in signed_in[2]
        anonymous = get("/vi/ca-nhan/")
        assert anonymous[1] == "MISS" and "sessionid" not in anonymous[2]  # nothing was stored
        assert get("/vi/ca-nhan/", Authorization="Bearer x")[1] == "BYPASS"
        for path in ("/vi/set-cookie/", "/vi/private/", "/vi/no-store/"):
            one, two = get(path), get(path)
            assert one[1] == two[1] == "MISS" and one[2] != two[2], path
        # The app stops: the public page is still served, stale; the health check says so.
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        # Until the 3 s entry expires nginx answers from the cache without asking the app
        # (HIT); after that, with the app gone, the stale copy (STALE).
        deadline = time.monotonic() + 30
        while (answer := get("/vi/tin-tuc/"))[1] == "HIT" and time.monotonic() < deadline:
            assert answer == (200, "HIT", first[2])
            time.sleep(0.5)
        assert answer == (200, "STALE", first[2])
        assert get("/healthz")[0] == 502
        assert get("/vi/never-seen/")[0] == 502


READING_APP = '''
def app(environ, start_response):
    """Reads the whole request body, as a login or upload form does."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    with open("seen.log", "a") as log:  # in the --chdir directory
        log.write(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} {len(body)}\\n")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{len(body)}".encode()]
'''


def test_slow_clients_hold_nginx_connections_not_gunicorn_threads(tmp_path: Path) -> None:
    """A "slowloris": 12 clients start posting a form and then trickle one byte every half
    second. gunicorn has 2 threads here; were the bodies passed through as they arrive,
    the first two slow clients would hold both and nobody else would be served. With the
    site configuration nginx takes the bodies whole first: the app sees none of the slow
    posts while everyone else is served."""
    import socket
    import threading
    import urllib.request

    site = SiteInFront(tmp_path, READING_APP, "--worker-class", "gthread", "--threads", "2")
    https, opener, context = site.https, site.opener, site.context
    stop = threading.Event()
    started = threading.Barrier(13)

    def slow_client() -> None:
        raw = socket.create_connection(("127.0.0.1", https), timeout=30)
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(
                b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100000\r\n\r\nusername="
            )
            started.wait()
            while not stop.wait(0.5):
                tls.sendall(b"a")

    seen = tmp_path / "seen.log"
    slow: list[threading.Thread] = []
    try:
        site.__enter__()
        slow = [threading.Thread(target=slow_client, daemon=True) for _ in range(12)]
        for thread in slow:
            thread.start()
        started.wait(timeout=30)
        time.sleep(2)  # the slow bodies are trickling now
        # everyone else is served: a health check and a complete form post
        with opener.open(f"https://127.0.0.1:{https}/healthz", timeout=20) as response:
            assert response.status == 200
        form = urllib.request.Request(
            f"https://127.0.0.1:{https}/admin/login/", data=b"username=bientap&password=x"
        )
        with opener.open(form, timeout=20) as response:
            assert response.read() == b"27"
        lines = seen.read_text().splitlines()
        assert lines == ["GET /healthz 0", "POST /admin/login/ 27"], lines
    finally:
        stop.set()
        for thread in slow:
            thread.join(timeout=10)
        site.__exit__()
