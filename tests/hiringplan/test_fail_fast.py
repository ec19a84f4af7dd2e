"""Fail fast and say so: a database outage, the SSL redirect and the health check, gunicorn.

The timing tests run gunicorn for real against a PostgreSQL address that refuses
connections or never answers (no server needed); tests/faults.py has the helpers.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.db.utils import OperationalError
from django.test import Client

from core.sessions import SessionStore
from tests.faults import base_env, free_port, start, stop, wait_for


def test_a_database_outage_answers_503_saying_nothing_was_saved(leader, plan, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(leader)

    def unreachable(self):
        raise OperationalError("connection to server at 10.0.0.9 failed: timeout expired")

    monkeypatch.setattr(SessionStore, "_get_session_from_db", unreachable)
    for response in (
        client.get("/plans/q1-2026/"),
        client.post("/plans/q1-2026/problems/new/", {"title": "x"}),
    ):
        assert response.status_code == 503
        assert response["Retry-After"] == "10"
        html = response.content.decode()
        assert "Temporarily unavailable" in html
        assert "your change was not saved" in html and "try again" in html
        assert "Something went wrong" not in html


def test_other_errors_still_get_the_generic_500(leader, plan, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(leader)

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(SessionStore, "_get_session_from_db", broken)
    response = client.get("/plans/q1-2026/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()


def test_healthz_is_exempt_from_the_ssl_redirect(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    client = Client()  # middleware is built at its first request, with these settings
    assert client.get("/healthz").status_code == 200  # plain HTTP from the load balancer
    redirected = client.get("/accounts/login/")
    assert redirected.status_code == 301 and redirected["Location"].startswith("https://")


def test_production_settings_exempt_healthz():
    from hiringplan import settings as production

    if production.DEBUG:
        pytest.skip("settings loaded with DEBUG on")
    assert any(
        __import__("re").match(pattern, "healthz") for pattern in production.SECURE_REDIRECT_EXEMPT
    )


# --- gunicorn, for real ----------------------------------------------------------------------


def gunicorn(env: dict, log, workers=1) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(env, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers))
    process = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:hiringplan.gunicorn_conf",
            "hiringplan.wsgi",
        ],
        env,
        log,
    )
    assert wait_for(lambda: _answers(port), 90, 0.3), log.read_text()
    return process, port


def _answers(port) -> bool:
    """The master listens before its workers have booted: wait for a worker's answer."""
    try:
        _get(port, "/healthz")
        return True
    except OSError:
        return False


def _get(port, path, cookie=None) -> tuple[int, str, float]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if cookie:
        request.add_header("Cookie", cookie)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, body, time.monotonic() - started


@pytest.fixture
def black_hole():
    """A PostgreSQL address that accepts the connection and never answers (a hung server)."""
    server = socket.create_server(("127.0.0.1", 0), backlog=64)
    yield server.getsockname()[1]
    server.close()


@pytest.mark.parametrize("outage", ["refused", "hung"])
def test_a_signed_in_request_fails_within_3_seconds_when_the_database_is_down(
    outage, black_hole, tmp_path
):
    port = free_port() if outage == "refused" else black_hole
    env = base_env(f"postgres://postgres@127.0.0.1:{port}/hiringplan")
    server, web = gunicorn(env, tmp_path / "gunicorn.log")
    try:
        for _ in range(3):  # each request, not only the first
            status, body, seconds = _get(
                web, "/plans/q1-2026/", cookie="sessionid=" + "a1b2c3d4" * 4
            )
            assert status == 503, body
            assert "your change was not saved" in body
            assert seconds < 3, f"{seconds:.1f} s"
        status, _, seconds = _get(web, "/healthz")
        assert status == 503 and seconds < 2
    finally:
        stop(server)


def _children(pid) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


def _alive(pid) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0]  # noqa: SIM115
    return status != "Z"


def _binds(port) -> bool:
    try:
        with socket.create_server(("127.0.0.1", port)):
            return True
    except OSError:
        return False


def test_gunicorn_workers_exit_with_their_master(tmp_path):
    env = base_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    master, port = gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    try:
        assert wait_for(lambda: len(_children(master.pid)) == 2, 30)
        workers = _children(master.pid)
        os.kill(master.pid, signal.SIGKILL)
        master.wait(timeout=10)
        killed = time.monotonic()
        assert wait_for(lambda: not any(_alive(pid) for pid in workers), 10, 0.1)
        assert time.monotonic() - killed < 5  # a loaded 2-core machine; the old way took ~45 s
        # The port is free again: a restart binds within seconds, not after the time-out.
        assert wait_for(lambda: _binds(port), 10, 0.2)
    finally:
        stop(master, signal.SIGKILL)
        for pid in _children(master.pid):
            os.kill(pid, signal.SIGKILL)
