"""Push: hold one Server-Sent Events connection and hear of new packages within seconds.

The server advertises the station's channel as ``push_url`` in its package list (only when
it pushes; served by nginx's nchan module). ``Listener`` runs in a background thread: it
connects with the station's token (``Accept: text/event-stream``, ``Last-Event-ID`` after a
reconnect, so nchan replays what was missed), and puts what it hears on a queue:

* ``Event("message", data)`` for each event (``{"package": id, "class": …, "url": …}``);
* ``Event("connected", reconnect)`` once a connection is open (``reconnect`` after a loss);
* ``Event("down", reason)`` when the connection fails or is refused (404: the server has
  no push endpoint; 403: the token may not listen; refused, timeout, reset).

After a failure it waits (capped exponential backoff with jitter, longer when the endpoint is
missing) and tries again, for as long as the client runs. The watch loop (``cli.py``) keeps
polling at its interval whatever the listener does: push only wakes it up early, and every
download still goes through the usual list, verify, confirm pass (``client.sync``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import random
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from station_sync.client import Client

log = logging.getLogger("station_sync")


@dataclass
class Event:
    kind: str  # "message", "connected", "down"
    data: Any = None
    at: float = 0.0  # time.time() when it arrived


class PushUnavailable(Exception):
    """The endpoint answered but will not push to us (404, 403, 401, not an event stream)."""


def parse_events(lines: Any) -> Any:
    """Server-Sent Events from an iterable of byte lines: yields ``(id, data)`` per event
    (comments, such as nchan's pings, are skipped; multi-line data is joined)."""
    event_id: str | None = None
    data: list[str] = []
    for raw in lines:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if data:
                yield event_id, "\n".join(data)
            data = []
            continue
        if line.startswith(":"):
            continue
        name, _sep, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "id":
            event_id = value


class Listener(threading.Thread):
    """Listen on ``url`` until ``stop`` is set; report on ``events`` (see module doc)."""

    def __init__(
        self,
        client: Client,
        url: str,
        events: queue.Queue[Event],
        *,
        read_timeout: float = 75.0,
        backoff: float = 2.0,
        max_backoff: float = 300.0,
        unavailable_backoff: float = 600.0,
        on_message: Callable[[Event], None] | None = None,
    ) -> None:
        super().__init__(name="station-sync-push", daemon=True)
        self.client = client
        self.url = client.resolve(url)
        self.events = events
        self.read_timeout = read_timeout
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.unavailable_backoff = unavailable_backoff
        self.on_message = on_message
        self.stop = threading.Event()
        self.last_id: str | None = None
        self.connected = threading.Event()
        self.response: Any = None

    def close(self) -> None:
        """Stop listening. The reading thread is blocked in ``readline`` holding the
        response's lock (``response.close()`` would wait for the next ping): shut the
        connection down under it instead, through a duplicate of its socket."""
        self.stop.set()
        response = self.response
        if response is None:
            return
        with contextlib.suppress(Exception):
            duplicate = socket.fromfd(response.fileno(), socket.AF_INET, socket.SOCK_STREAM)
            try:
                duplicate.shutdown(socket.SHUT_RDWR)
            finally:
                duplicate.close()

    def run(self) -> None:
        failures = 0
        ever_connected = False
        while not self.stop.is_set():
            unavailable = False
            try:
                for event in self.listen(reconnect=ever_connected):
                    if event.kind == "connected":
                        ever_connected = True
                        failures = 0
                    self.events.put(event)
                reason = "server closed the connection"
            except PushUnavailable as error:
                reason, unavailable = str(error), True
            except (OSError, HTTPException, ValueError) as error:
                reason = f"{type(error).__name__}: {error}"
            self.connected.clear()
            if self.stop.is_set():
                return
            failures += 1
            cap = self.unavailable_backoff if unavailable else self.max_backoff
            delay = min(cap, self.backoff * 2 ** (failures - 1))
            if unavailable:
                delay = max(delay, min(cap, 60.0))
            delay *= random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
            log.warning("kênh đẩy (push) không dùng được: %s; vẫn kiểm tra định kỳ, "
                        "thử kết nối lại sau %.0f s", reason, delay)  # fmt: skip
            self.events.put(Event("down", reason, time.time()))
            self.stop.wait(delay)

    def listen(self, reconnect: bool) -> Any:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if self.last_id:
            headers["Last-Event-ID"] = self.last_id
        request = urllib.request.Request(self.url)  # noqa: S310 - http(s) only (Client)
        request.add_unredirected_header("Authorization", f"Bearer {self.client.config.token}")
        request.add_header("User-Agent", "station-sync/1.0")
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            response = self.client.opener.open(request, timeout=self.read_timeout)
        except urllib.error.HTTPError as error:
            error.close()
            if error.code in (401, 403, 404, 405, 406):
                raise PushUnavailable(f"HTTP {error.code}") from error
            raise OSError(f"HTTP {error.code}") from error
        except (urllib.error.URLError, socket.timeout) as error:  # noqa: UP041 - Python 3.9
            raise OSError(str(error)) from error
        self.response = response
        with response:
            kind = response.headers.get("Content-Type", "")
            if not kind.startswith("text/event-stream"):
                raise PushUnavailable(f"not an event stream ({kind or 'no Content-Type'})")
            self.connected.set()
            log.info("đã kết nối kênh đẩy (push): %s", self.url)
            yield Event("connected", reconnect, time.time())
            for event_id, data in parse_events(iter(response.readline, b"")):
                if self.stop.is_set():
                    return
                if event_id:
                    self.last_id = event_id
                try:
                    payload = json.loads(data)
                except ValueError:
                    payload = {"raw": data}
                event = Event("message", payload, time.time())
                if self.on_message is not None:
                    self.on_message(event)
                log.info("kênh đẩy báo gói mới: %s", payload)
                yield event
