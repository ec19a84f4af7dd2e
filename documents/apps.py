from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """PDF documents: the proposal, JDs and interview guides."""

    name = "documents"
    verbose_name = "Documents"
