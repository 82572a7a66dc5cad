"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py console.wsgi` (see README).

Threaded workers so one slow client holds one thread, not a whole process; serve behind a
buffering proxy (nginx, a cloud load balancer) so slow uploads never reach gunicorn at all.
Every value can be overridden from the environment (GUNICORN_*) or the command line.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gthread, answering the requests gunicorn itself refuses in JSON under /api/ (console/gunicorn_worker.py).
worker_class = "console.gunicorn_worker.ConsoleThreadWorker"
# One process per core and one more: PostgreSQL and Redis waits leave the CPU idle otherwise.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker that stops answering its arbiter for this long is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Requests larger than real browsers send are refused before Django sees them.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
# The proxy in front keeps the access log; GUNICORN_ACCESS_LOG=- writes gunicorn's to stdout as well.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
