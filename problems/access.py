"""Look up what a URL names, or answer 404."""

from django.shortcuts import get_object_or_404

from problems.models import Plan


def get_plan(plan_slug: str) -> Plan:
    return get_object_or_404(Plan, slug=plan_slug)
