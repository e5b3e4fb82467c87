"""The production setup on loopback, from this checkout, until Ctrl-C.

Starts, all on 127.0.0.1 and all with ``DJANGO_SETTINGS_MODULE=cms.settings.production``
and the environment of ``deploy/cms.env.example``:

* its own PostgreSQL cluster (``scripts/test-postgres.sh`` with its own port and data dir),
* a moto S3 server with the media bucket (the S3-compatible storage),
* ``migrate``, ``createcachetable``, ``collectstatic``, ``load_demo``,
* gunicorn with ``deploy/gunicorn.conf.py``,
* nginx with ``deploy/nginx/cms.conf`` (the same directives; only ports and paths are
  substituted) and a throwaway self-signed certificate, so HTTPS redirects, HSTS and secure
  cookies work unchanged,
* two task workers (``manage.py db_worker`` as in ``deploy/systemd/cms-worker@.service``),
* the frequent scheduled jobs of ``deploy/systemd/*.timer`` (carriage check every minute,
  stale-rendition requeue every 5 minutes); the nightly ones (export, backup, fixity) are
  not run (run them by hand with the printed environment if wanted).

Two-factor sign-in stays required (``CMS_2FA_REQUIRED=1``): the script gives the demo
``admin`` a TOTP device and prints its key; ``python -m scripts.prod_local code`` prints the
current six-digit code. A random ``DJANGO_SECRET_KEY`` is made at every start and never
written to the checkout. Logs (JSON lines) are in ``<work>/logs/``.

Usage, from the repository root: ``.venv/bin/python -m scripts.prod_local [--https-port 8443]
[--pg-port 54340]`` (``make prod-local``). As a library (the load benchmark):
``devstack.stack.Stack(...).start()`` then ``stop()``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

from devstack.stack import DEFAULT_WORK, STATE, Stack
from devstack.totp import totp_now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", nargs="?", choices=["run", "code"], default="run")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--pg-port", type=int, default=54340)
    parser.add_argument("--https-port", type=int, default=8443)
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.action == "code":
        state = json.loads((args.work / STATE).read_text(encoding="utf-8"))
        print(totp_now(state["totp_key"]))
        return
    stack = Stack(
        work=args.work,
        pg_port=args.pg_port,
        https_port=args.https_port,
        http_port=args.http_port,
        workers=args.workers,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    try:
        stack.start()
        print(stack.summary(), flush=True)
        print("Ctrl-C stops everything.", flush=True)
        while True:
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    raise SystemExit(f"{name} exited with {process.returncode}; see {stack.logs}")
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping …", flush=True)
        stack.stop()


if __name__ == "__main__":
    main()
