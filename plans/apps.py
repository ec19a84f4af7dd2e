from django.apps import AppConfig


class PlansConfig(AppConfig):
    """A plan as a whole: its overview, sign-off, next quarter's plan and comparisons."""

    name = "plans"
    verbose_name = "Plans"

    def ready(self):
        from core import annotations
        from plans import discussion

        # Open comment threads show as marks on the matrix's cells and on the problem and
        # role lists (coverage/ shows them; it may not import plans/).
        annotations.register(
            annotations.Provider(
                name="discussion",
                stamp=discussion.annotation_stamp,
                counts=discussion.counts_for,
                url=discussion.thread_list_url,
                describe=discussion.describe_open_threads,
            )
        )
