from django.contrib.admin.apps import AdminConfig


class HiringplanAdminConfig(AdminConfig):
    """The Django admin, with our site that also admits the Admins group."""

    default_site = "hiringplan.admin_site.PlanAdminSite"
