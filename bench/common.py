"""Helpers shared by the benchmarks: Django set-up, a direct WSGI caller, timing, tables."""

import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django(database_url: str | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    RESULTS.mkdir(parents=True, exist_ok=True)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{RESULTS / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn as production runs it (``hiringplan/gunicorn_conf.py``), on a free loopback port.

    ``env`` is the whole environment (the database, the settings module, any override);
    workers are never recycled mid-measurement. Output goes to ``log``, or nowhere.
    :meth:`wait_ready` waits for ``/healthz`` and says so at once if gunicorn exits.
    """

    def __init__(self, env: dict, *, workers: int | None = None, log: Path | None = None):
        self.port = free_port()
        self.log = log
        env = {
            **env,
            "BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_MAX_REQUESTS": "0",
        }
        env.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
        if workers is not None:
            env["WEB_CONCURRENCY"] = str(workers)
        output = log.open("ab") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:hiringplan.gunicorn_conf",
             "hiringplan.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, seconds: float = 60) -> "Gunicorn":
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {self.log}")
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=2).read()  # noqa: S310
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz in {seconds:.0f} s; see {self.log}")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the master and its workers so far (from /proc)."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in [self.process.pid, *self.workers()]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    def stop(self) -> None:
        """SIGTERM to the whole process group; SIGKILL if it has not gone in 30 s."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def prepare_database(fresh: bool = True) -> None:
    from django.core.management import call_command
    from django.db import connection

    if fresh and connection.vendor == "sqlite":
        connection.close()
        path = Path(connection.settings_dict["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    call_command("loaddata", "q1-2026", verbosity=0)


def bench_user():
    from django.contrib.auth.models import Group, User

    user, _ = User.objects.get_or_create(username="bench-admin")
    user.groups.add(Group.objects.get(name="Admins"))
    return user


def session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


class WSGICaller:
    """Calls the Django WSGI handler in-process: the server's own work, no network."""

    def __init__(self, cookie: str = ""):
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.cookie = cookie

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
        return self.request("GET", path, headers)

    def post(self, path: str, data: dict, headers: dict | None = None) -> tuple[int, bytes, dict]:
        """A form POST with a valid CSRF cookie and header, as a browser with htmx sends it."""
        from urllib.parse import urlencode

        from django.middleware.csrf import _get_new_csrf_string

        token = getattr(self, "_csrf", None) or _get_new_csrf_string()
        self._csrf = token
        body = urlencode(data).encode()
        headers = {**(headers or {}), "X-CSRFToken": token}
        return self.request(
            "POST",
            path,
            headers,
            body=body,
            cookie=f"{self.cookie}; csrftoken={token}" if self.cookie else f"csrftoken={token}",
        )

    def request(
        self, method: str, path: str, headers: dict | None = None, body: bytes = b"", cookie=None
    ) -> tuple[int, bytes, dict]:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path.split("?")[0],
            "QUERY_STRING": path.split("?", 1)[1] if "?" in path else "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_COOKIE": self.cookie if cookie is None else cookie,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for key, value in (headers or {}).items():
            environ["HTTP_" + key.upper().replace("-", "_")] = value
        captured = {}

        def start_response(status, response_headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            captured["headers"] = dict(response_headers)

        body = b"".join(self.handler(environ, start_response))
        return captured["status"], body, captured["headers"]


def median_seconds(fn, repeat: int) -> float:
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    def line(values):
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    out = [line(headers), "| " + " | ".join("-" * w for w in widths) + " |"]
    out += [line(r) for r in cells]
    return "\n".join(out)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
