"""gunicorn settings: `gunicorn -c python:hiringplan.gunicorn_conf hiringplan.wsgi`."""

import multiprocessing
import os

# Loopback unless told otherwise: the proxy in front is the only way in.
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
# X-Forwarded-* headers are believed only from our own proxies' addresses, and
# only when there are proxies (TRUSTED_PROXY_COUNT, as the app reads it; the app's
# client_ip checks the same FORWARDED_ALLOW_IPS), so a client that reaches
# gunicorn directly can neither pose as HTTPS nor rotate its address.
_behind_proxy = os.environ.get("BEHIND_TLS_PROXY", "").lower() in ("1", "true", "yes", "on")
_proxy_count = int(os.environ.get("TRUSTED_PROXY_COUNT") or (1 if _behind_proxy else 0))
forwarded_allow_ips = (
    os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1") if _proxy_count > 0 else ""
)


def post_fork(server, worker):
    """Workers exit with their master.

    A master killed outright (``kill -9``, the OOM killer) cannot stop its
    workers; a sync worker only notices at its next time-out check (up to 45 s),
    serving requests meanwhile and holding the port so a restart cannot bind.
    The kernel sends each worker SIGTERM (finish the request in hand, then exit)
    the moment the master dies; a watcher thread does the same where that is
    unavailable, and ends the worker outright if it is still there after the
    graceful time-out.
    """
    import ctypes
    import signal
    import threading
    import time

    master = worker.ppid
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

    def watch():
        while os.getppid() == master:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
        os._exit(0)

    threading.Thread(target=watch, name="die-with-master", daemon=True).start()


def post_worker_init(worker):
    """The worker's start-up objects (Django, the apps, compiled templates and URL
    patterns: a few hundred thousand) go to the garbage collector's permanent generation.

    Once the application is loaded they live as long as the worker, yet each full
    collection (the cold analysis of a large plan triggers one now and then) would
    traverse them all again: tens of milliseconds in a request for nothing. The
    collection first frees start-up garbage, so that nothing collectable is frozen.
    Objects created afterwards (requests, cached analyses) are collected as before.
    """
    import gc

    gc.collect()
    gc.freeze()
