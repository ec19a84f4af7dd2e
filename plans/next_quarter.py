"""Start next quarter's plan from this one.

A clone is this plan's *plan data* (interchange.plan_data) saved under a new
slug through the one save path, so it holds exactly what an export and import
would carry.
"""

from __future__ import annotations

import re

from django.db import transaction

from interchange.plan_data import CONTENT_MODELS, PLAN_PATH, save_plan, snapshot
from problems.models import Plan

STARTED_FROM = "Started from {source}"


def suggest_next(plan: Plan) -> dict:
    """Title, slug and period for the plan after ``plan`` ("Q1 2026" -> "Q2 2026")."""
    match = re.search(r"Q([1-4])\s*(\d{4})", plan.period or "")
    if match:
        quarter, year = int(match.group(1)), int(match.group(2))
        quarter, year = (1, year + 1) if quarter == 4 else (quarter + 1, year)
        period = f"Q{quarter} {year}"
        title = (plan.title or "").replace(match.group(0), period)
        if title == plan.title:
            title = f"{period} {plan.title}"
        return {"title": title, "slug": f"q{quarter}-{year}", "period": period}
    return {"title": f"{plan.title} (next)", "slug": f"{plan.slug}-next"[:60], "period": ""}


def clone_plan(source: Plan, *, title: str, slug: str, period: str, starts_on=None) -> Plan:
    """A new plan with this plan's problems, hires, JDs, criteria and interview process.

    Open questions still open come along (renumbered); resolved ones and next
    steps belong to the old period and stay there. Decisions and JD statuses
    are copied as they are: the new quarter starts where this one ended.
    Raises plan_data.ImportRefused (nothing saved) if the slug is taken.
    """
    data = snapshot(source)
    data["plan"].update(
        title=title,
        period=period,
        starts_on=starts_on.isoformat() if starts_on else None,
        prepared_on=None,
    )
    still_open = [q for q in data["problems.openquestion"] if not q["resolved"]]
    for number, question in enumerate(still_open, start=1):
        question["position"] = number
    data["problems.openquestion"] = still_open
    data["problems.nextstep"] = []
    with transaction.atomic():
        plan = save_plan(data, slug).plan
        reason = STARTED_FROM.format(source=source.slug)
        Plan.history.filter(id=plan.pk).update(history_change_reason=reason)
        for model in CONTENT_MODELS:
            ids = model.objects.filter(**{PLAN_PATH[model]: plan}).values("pk")
            model.history.filter(id__in=ids).update(history_change_reason=reason)
    return plan
