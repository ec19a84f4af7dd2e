"""The analysis is shared between processes through Redis (REDIS_URL), and only then.

"Another process" is this one with its own memory forgotten (forget_analyses):
what it finds then can only have come from the shared cache. Skipped without a
Redis on 127.0.0.1:6379.
"""

import os

import pytest
from django.core.cache import caches

from coverage import analysis as analysis_module
from coverage.analysis import cached_analysis
from coverage.models import Coverage
from coverage.services import save_cell
from problems.models import Plan, Problem
from roles.models import Role
from tests.coverage.test_incremental import snapshot

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def redis_answers() -> bool:
    try:
        import redis

        return redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping()
    except Exception:
        return False


@pytest.fixture
def shared_cache(settings):
    if not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.SHARED_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": f"test-{os.getpid()}",
        },
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def _edit(plan, role, problem, confidence):
    current = Coverage.objects.filter(role=role, problem=problem).first()
    return save_cell(
        plan,
        role,
        problem,
        confidence=confidence,
        rationale="",
        expected_version=current.version if current else 0,
    )[1]


def test_consecutive_edits_on_different_processes_stay_incremental(plan, shared_cache, monkeypatch):
    full = analysis_module.analyse_plan
    calls = []
    monkeypatch.setattr(analysis_module, "analyse_plan", lambda p: calls.append(1) or full(p))
    cached_analysis(plan)  # process A shows the matrix
    roles = list(Role.objects.filter(plan=plan).order_by("pk"))
    problems = list(Problem.objects.filter(plan=plan).order_by("pk"))
    for i, confidence in enumerate(["high", "", "medium", "low"]):
        analysis_module.forget_analyses()  # the next edit lands on another process
        plan = Plan.objects.get(pk=plan.pk)
        incremental = _edit(plan, roles[i % len(roles)], problems[-1 - i], confidence)
        fresh = Plan.objects.get(pk=plan.pk)
        assert snapshot(incremental) == snapshot(full(fresh))
    analysis_module.forget_analyses()
    fresh = Plan.objects.get(pk=plan.pk)
    assert snapshot(cached_analysis(fresh)) == snapshot(full(fresh))  # and a page load there
    assert len(calls) == 1  # only the very first load computed it in full


def test_without_redis_nothing_is_written_to_the_default_cache(plan, monkeypatch):
    writes = []
    monkeypatch.setattr(caches["default"], "set", lambda *a, **k: writes.append(a[0]))
    cached_analysis(plan)
    assert not [key for key in writes if "analysis" in key]


def test_an_unreachable_redis_is_a_miss_not_an_error(plan, settings, leader_client):
    settings.SHARED_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    analysis_module.forget_analyses()
    page = leader_client.get("/plans/q1-2026/matrix/")
    assert page.status_code == 200 and "Coverage" in page.content.decode()
