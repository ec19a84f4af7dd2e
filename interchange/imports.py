"""Imports waiting for confirmation or running in the background, kept in the shared cache.

A pending import is its parsed plan data under a random token (1 hour). A
large import runs as a task (django-tasks: inline by default, in
``manage.py db_worker`` when PDF_MODE=queue) and reports progress under the
same token, so the page can show it and other users keep editing meanwhile:
the plan is only written in one short transaction at the end.
"""

import secrets

from django.core.cache import caches
from django_tasks import task

from interchange.plan_data import ImportRefused, save_plan

TIMEOUT = 60 * 60
BACKGROUND_OBJECTS = 1_000


def _cache():
    return caches["documents"]


def stash(data: dict, slug: str, report: dict) -> str:
    token = secrets.token_urlsafe(16)
    _cache().set(f"plan-import:{token}", {"data": data, "slug": slug, "report": report}, TIMEOUT)
    return token


def pending(token: str) -> dict | None:
    if not token or len(token) > 64:
        return None
    return _cache().get(f"plan-import:{token}")


def set_status(token: str, **status) -> None:
    _cache().set(f"plan-import-status:{token}", status, TIMEOUT)


def status(token: str) -> dict | None:
    if not token or len(token) > 64:
        return None
    return _cache().get(f"plan-import-status:{token}")


def object_count(data: dict) -> int:
    return sum(len(v) for k, v in data.items() if k != "plan" and isinstance(v, list))


@task()
def run_import(token: str, replace: bool) -> None:
    entry = pending(token)
    if entry is None:
        set_status(token, state="failed", messages=["The import expired; upload it again."])
        return

    def progress(stage, done, total):
        set_status(token, state="running", stage=stage, done=done, total=total)

    set_status(token, state="running", stage="Checking", done=0, total=object_count(entry["data"]))
    try:
        result = save_plan(entry["data"], entry["slug"], replace=replace, progress=progress)
    except ImportRefused as error:
        set_status(token, state="failed", messages=error.messages)
        return
    set_status(
        token,
        state="done",
        slug=result.plan.slug,
        created=result.created,
        updated=result.updated,
        deleted=result.deleted,
        replaced=result.replaced,
    )
    _cache().delete(f"plan-import:{token}")
