from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Plans in and out: seed-format Markdown, JSON fixtures, and the one save path."""

    name = "interchange"
    verbose_name = "Import and export"
