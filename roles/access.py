"""Look up what a URL names, or answer 404."""

from django.shortcuts import get_object_or_404

from problems.models import Plan
from roles.models import Role


def get_role(plan: Plan, role_slug: str) -> Role:
    role = get_object_or_404(Role, plan=plan, slug=role_slug)
    role.plan = plan  # Reuse the loaded plan rather than query it again.
    return role
