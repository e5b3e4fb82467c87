"""A small asyncio HTTP/1.1 keep-alive client (no extra dependency), one connection per
simulated client, and an admin session on it (cookies, CSRF, password + TOTP sign-in)."""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from devstack.totp import totp_now


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""


class Connection:
    """One keep-alive connection (TLS or not); reconnects after an error or a close."""

    def __init__(self, url: str, context: ssl.SSLContext | None) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.netloc = parts.netloc
        self.context = context if parts.scheme == "https" else None
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def close(self) -> None:
        if self.streams is not None and self.loop is asyncio.get_running_loop():
            self.streams[1].close()
        self.streams = None

    async def request(
        self,
        method: str,
        target: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        timeout: float = 60,
    ) -> Response:
        try:
            return await asyncio.wait_for(self._request(method, target, headers, body), timeout)
        except BaseException:
            self.close()
            raise

    async def _request(
        self, method: str, target: str, headers: dict[str, str] | None, body: bytes
    ) -> Response:
        if self.streams is not None and self.loop is not asyncio.get_running_loop():
            self.streams = None  # opened by an earlier asyncio.run(): a new connection
        if self.streams is None:
            self.loop = asyncio.get_running_loop()
            self.streams = await asyncio.open_connection(
                self.host, self.port, ssl=self.context, server_hostname=self.host
                if self.context else None,
            )  # fmt: skip
        reader, writer = self.streams
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.netloc}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("closed before the status line")
        status = int(status_line.split()[1])
        found: dict[str, list[str]] = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _sep, value = line.decode("latin-1").partition(":")
            found.setdefault(name.strip().lower(), []).append(value.strip())
        if method == "HEAD" or status in (204, 304):
            data = b""
        elif "content-length" in found:
            data = await reader.readexactly(int(found["content-length"][0]))
        elif "chunked" in ",".join(found.get("transfer-encoding", [])):
            chunks = []
            while size := int((await reader.readline()).split(b";")[0].strip() or b"0", 16):
                chunks.append((await reader.readexactly(size + 2))[:-2])
            await reader.readline()
            data = b"".join(chunks)
        else:
            data = await reader.read()
            self.close()
        if "close" in ",".join(found.get("connection", [])).lower():
            self.close()
        return Response(status, found, data)


class Browser:
    """An admin session: cookies, CSRF, forms."""

    def __init__(self, base: str, context: ssl.SSLContext) -> None:
        self.base = base
        self.connection = Connection(base, context)
        self.cookies: dict[str, str] = {}

    async def send(
        self, method: str, path: str, form: list[tuple[str, str]] | None = None
    ) -> Response:
        headers = {"Referer": self.base + path, "Origin": self.base}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = b""
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form).encode()
        response = await self.connection.request(method, path, headers, body)
        for value in response.headers.get("set-cookie", []):
            name, _sep, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    async def login(self, user: str, password: str, totp_key: str) -> None:
        page = await self.send("GET", "/admin/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if token is None:
            raise RuntimeError(f"no CSRF token on the login page (HTTP {page.status})")
        # A TOTP code is accepted once per 30-second step: wait for a fresh step.
        await asyncio.sleep(31 - time.time() % 30)
        form = [
            ("csrfmiddlewaretoken", token.group(1).decode()),
            ("username", user),
            ("password", password),
            ("otp_token", totp_now(totp_key)),
            ("next", "/admin/"),
        ]
        response = await self.send("POST", "/admin/login/", form)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {user} failed (HTTP {response.status})")
