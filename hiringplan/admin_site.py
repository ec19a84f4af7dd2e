from django.contrib import admin

from core.permissions import is_admin


class PlanAdminSite(admin.AdminSite):
    """The Django admin, open to staff and to members of the Admins group."""

    site_header = "hiringplan administration"
    site_title = "hiringplan admin"
    index_title = "Plans, problems, roles and interviews"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_staff or is_admin(user))
