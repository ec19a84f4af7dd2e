"""The short version of bench/cluster.py: two app servers, one PostgreSQL, Redis, 10 s.

Consecutive cell edits alternate between the servers; after each, the other
server's cell editor must show the version just acknowledged (consistent pages,
whichever process answers), and at the end every acknowledged write is found in
the database. No 5xx. Skipped when PostgreSQL or Redis is absent.
"""

import re
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.faults import Site, free_port, manage, postgres_available, start, stop, wait_for

REDIS = "redis://127.0.0.1:6379/8"
SECONDS = 10


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


pytestmark = pytest.mark.skipif(
    not (postgres_available() and redis_available()), reason="needs PostgreSQL and Redis"
)

SESSION = """
from django.contrib.auth.models import Group, User
from django.test import Client
user, _ = User.objects.get_or_create(username="cluster-leader")
user.groups.add(Group.objects.get(name="Leadership"))
client = Client()
client.force_login(user)
print("SESSION", client.cookies["sessionid"].value)
"""

CELL = """
from problems.models import Plan
plan = Plan.objects.get(slug="q1-2026")
role = plan.roles.order_by("pk").first()
problem = plan.problems.order_by("pk").last()
print("CELL", role.slug, problem.slug)
"""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _call(port, path, cookie, csrf, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body)
    request.add_header("Cookie", f"sessionid={cookie}; csrftoken={csrf}")
    request.add_header("HX-Request", "true")
    if data is not None:
        request.add_header("X-CSRFToken", csrf)
    try:
        with _opener.open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _version(html: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


@pytest.fixture
def site(tmp_path):
    made = Site("postgres", tmp_path)
    yield made
    made.drop()


def test_two_servers_stay_consistent_and_lose_no_write(site, tmp_path):
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    env = site.env(REDIS_URL=REDIS, MFA_REQUIRED_FOR_ADMINS=0, PDF_MODE="inline")
    cookie = manage(env, "shell", "-c", SESSION).stdout.split("SESSION")[-1].split()[0]
    role, problem = manage(env, "shell", "-c", CELL).stdout.split("CELL")[-1].split()[:2]
    url = f"/plans/q1-2026/matrix/cell/{role}/{problem}/"
    servers, ports = [], []
    try:
        for n in range(2):
            port = free_port()
            servers.append(
                start(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "-c",
                        "python:hiringplan.gunicorn_conf",
                        "hiringplan.wsgi",
                    ],
                    dict(env, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2"),
                    tmp_path / f"server{n}.log",
                )
            )
            ports.append(port)
        csrf = secrets.token_hex(16)
        for port in ports:
            assert wait_for(lambda port=port: _ready(port), 120), tmp_path / "server0.log"
        status, html = _call(ports[0], url, cookie, csrf)
        assert status == 200, html[:500]
        start_version = version = _version(html)
        acknowledged, statuses = 0, []
        deadline = time.monotonic() + SECONDS
        i = 0
        while time.monotonic() < deadline:
            here, there = ports[i % 2], ports[(i + 1) % 2]
            data = {"confidence": ["high", "low"][i % 2], "rationale": "", "version": version}
            status, html = _call(here, url, cookie, csrf, data)
            statuses.append(status)
            if status == 200:
                acknowledged += 1
            status, html = _call(there, url, cookie, csrf)  # the other server's editor
            statuses.append(status)
            assert status == 200, html[:500]
            version = _version(html)
            assert version == start_version + acknowledged  # it shows the write just made
            matrix, _page = _call(there, "/plans/q1-2026/matrix/", cookie, csrf)
            statuses.append(matrix)
            i += 1
        assert acknowledged >= 3
        assert not [s for s in statuses if s >= 500], statuses
        status, html = _call(ports[1], url, cookie, csrf)
        assert _version(html) == start_version + acknowledged  # no lost write
    finally:
        for server in servers:
            stop(server)


def _ready(port) -> bool:
    try:
        _call(port, "/healthz", "x", "y")
        return True
    except OSError:
        return False
