from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """PDF documents: the proposal, JDs, postings and interview guides."""

    name = "documents"
    verbose_name = "Documents"

    def ready(self):
        from documents import background

        background.connect()
