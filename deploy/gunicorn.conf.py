"""gunicorn for the portal, shared by the systemd unit (cchc-web) and compose.

Every value can be changed through the environment (deploy/cchc.env.example).
"""

import multiprocessing
import os

# systemd: a unix socket in /run/cchc (RuntimeDirectory), read by nginx.
# compose: GUNICORN_BIND=0.0.0.0:8000 on the containers' network.
bind = os.environ.get("GUNICORN_BIND", "unix:/run/cchc/gunicorn.sock")
# Synchronous workers: 2 per core + 1 is gunicorn's rule of thumb; a page
# waits on PostgreSQL, not on the CPU, except a plan's PDF (WeasyPrint).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Longer than the slowest legitimate request (a long plan's PDF, a province's
# summary BC: a few seconds; a 10 MB evidence upload over a slow link) and
# shorter than nginx's proxy_read_timeout (130 s), so nginx reports the
# timeout, not a cut connection. A larger summary's BC is built by the Celery
# worker, never here (README, "Long requests, timeouts and the worker").
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# A worker is replaced after this many requests: memory a long PDF took goes back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100
# nginx sets X-Forwarded-Proto; gunicorn trusts it from these addresses only
# (the socket's peer is local; in compose, nginx's container).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
