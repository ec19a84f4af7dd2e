from django.apps import AppConfig


class PlansConfig(AppConfig):
    """A plan as a whole: its overview, sign-off, next quarter's plan and comparisons."""

    name = "plans"
    verbose_name = "Plans"
