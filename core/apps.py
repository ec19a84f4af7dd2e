from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared helpers: permissions, concurrency, http, markdown, forms, template tags."""

    name = "core"
    verbose_name = "Core"
