"""gunicorn for the CMS (``gunicorn -c deploy/gunicorn.conf.py cms.wsgi``).

Threads rather than many processes: requests mostly wait on PostgreSQL or on nginx taking
the response, and one process per core keeps memory low on a small provincial server.
"""

import multiprocessing
import os

bind = os.environ.get("CMS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CMS_WEB_PROCESSES", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("CMS_WEB_THREADS", 8))
timeout = 120
graceful_timeout = 30
keepalive = 5
# Recycle processes now and then so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
access_log_format = (
    '{"remote": "%(h)s", "request": "%(r)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s}'
)
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
# gunicorn's control socket (~/.gunicorn/gunicorn.ctl) is shared by every instance of a user
# and unused here: systemd sends the signals.
control_socket_disable = True
