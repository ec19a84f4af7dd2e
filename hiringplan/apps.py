from django.apps import AppConfig


class HiringplanConfig(AppConfig):
    name = "hiringplan"
    verbose_name = "Hiring plan"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from hiringplan import signals

        signals.connect()
