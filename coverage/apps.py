from django.apps import AppConfig


class CoverageConfig(AppConfig):
    """The problem-to-hire analysis and the leadership pages that show it."""

    name = "coverage"
    verbose_name = "Coverage"
