"""The short version of bench/cluster.py: two app servers, one PostgreSQL, Redis, 10 s.

bench/cluster.py's mixed load (``mixed_load``) for 10 s on the seed plan, with a
db_worker: clients edit cells of their own and read pages on either server at
random; after each acknowledged edit the *other* server's cell editor must show
that version (consistent pages, whichever process answers), and at the end every
acknowledged write is found in the database. No 5xx. Skipped when PostgreSQL or
Redis is absent.
"""

import sys
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
user, _ = User.objects.get_or_create(username="cluster-admin")
user.groups.add(Group.objects.get(name="Admins"))  # edits cells and exports PDFs
client = Client()
client.force_login(user)
print("SESSION", client.cookies["sessionid"].value)
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


@pytest.fixture
def site(tmp_path):
    made = Site("postgres", tmp_path)
    yield made
    made.drop()


CELLS = """
SELECT r.slug, p.slug FROM roles_role r, problems_problem p, problems_plan pl
WHERE r.plan_id = pl.id AND p.plan_id = pl.id AND pl.slug = 'q1-2026'
ORDER BY r.id, p.id
"""
VERSION = """
SELECT c.version FROM roles_coverage c
JOIN roles_role r ON r.id = c.role_id JOIN problems_problem p ON p.id = c.problem_id
JOIN problems_plan pl ON pl.id = r.plan_id
WHERE pl.slug = %s AND r.slug = %s AND p.slug = %s
"""
CLIENTS = 4


def test_two_servers_stay_consistent_and_lose_no_write(site, tmp_path):
    """bench/cluster.py's mixed load, short: clients editing cells of their own and reading
    pages (overview, matrix, JD page, cell editor, JD PDF) on either server at random."""
    import redis

    from bench.cluster import Caller, mixed_load

    redis.Redis.from_url(REDIS).flushdb()
    env = site.env(REDIS_URL=REDIS, MFA_REQUIRED_FOR_ADMINS=0, PDF_MODE="queue")
    cookie = manage(env, "shell", "-c", SESSION).stdout.split("SESSION")[-1].split()[0]
    pairs = site.query(CELLS)
    roles = list(dict.fromkeys(r for r, _ in pairs))
    problems = list(dict.fromkeys(p for _, p in pairs))
    # A cell per client, none shared (so an edit conflicts with no other client's).
    cells = [("q1-2026", roles[i], problems[(i * 3) % len(problems)]) for i in range(CLIENTS)]

    def version_of(slug, role, problem):
        rows = site.query(VERSION, (slug, role, problem))
        return rows[0][0] if rows else 0

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
        servers.append(
            start(
                [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
                env,
                tmp_path / "worker.log",
            )
        )
        for port in ports:
            assert wait_for(lambda port=port: _ready(port), 120), tmp_path / "server0.log"
        result = mixed_load(Caller(f"sessionid={cookie}"), ports, SECONDS, cells, version_of)
        assert result["acknowledged"] >= 3, result
        # No 5xx, no refused connection, no 4xx (a 409 would be a version another server lost).
        assert not result["errors"], result["errors"]
        assert result["inconsistent"] == 0, result  # the other server showed every write
        assert result["found"] == result["acknowledged"], result  # no lost write
        reads = {kind for kind in result["by_kind"] if not kind.startswith("cell edit")}
        assert len(reads) >= 4, reads  # a mixed load, not only edits
    finally:
        for server in servers:
            stop(server)


def _ready(port) -> bool:
    try:
        _call(port, "/healthz", "x", "y")
        return True
    except OSError:
        return False
