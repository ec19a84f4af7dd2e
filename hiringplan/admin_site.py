from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from core.permissions import is_admin


class PlanAdminSite(admin.AdminSite):
    """The Django admin, open to staff and to members of the Admins group."""

    site_header = "hiringplan administration"
    site_title = "hiringplan admin"
    index_title = "Plans, problems, roles and interviews"

    def login(self, request, extra_context=None):
        """One sign-in page for the whole site: single sign-on, the second factor and the
        refusals (passwords off, demo users) all live there, not in a second form."""
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_staff or is_admin(user))
