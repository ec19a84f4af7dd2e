from django.apps import AppConfig


class HiringplanConfig(AppConfig):
    """The project itself: site-wide migrations (groups, cache table) and commands."""

    name = "hiringplan"
    verbose_name = "Hiring plan"
    default_auto_field = "django.db.models.BigAutoField"
