from django.apps import AppConfig


class HiringplanConfig(AppConfig):
    """The project itself: site-wide migrations (groups, cache table), commands and accounts."""

    name = "hiringplan"
    verbose_name = "Hiring plan"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings

        from core.permissions import GROUP_NAMES
        from hiringplan.accounts import audit, sessions  # noqa: F401 - connects their signals
        from hiringplan.accounts.config import check_group_names

        # A mapping to a group that does not exist would leave everyone without access.
        check_group_names(settings.OIDC_GROUP_MAP, GROUP_NAMES)
