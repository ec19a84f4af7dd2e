"""gunicorn settings: `gunicorn -c python:hiringplan.gunicorn_conf hiringplan.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# gunicorn's recommendation: (2 x cores) + 1 sync workers.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Longer than a PDF render may take (PDF_RENDER_TIMEOUT_SECONDS, 60 by default).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 90))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so memory growth (WeasyPrint, caches) stays bounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = 2000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
