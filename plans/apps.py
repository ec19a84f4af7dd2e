from django.apps import AppConfig


class PlansConfig(AppConfig):
    """A plan as a whole: its overview, sign-off, next quarter's plan and comparisons."""

    name = "plans"
    verbose_name = "Plans"

    def ready(self):
        from core import annotations
        from core.hooks import Appendix, register_appendix
        from plans import discussion

        # documents/ prints it in the proposal on request; it may not import plans/.
        register_appendix(
            Appendix(
                name="discussion",
                label="Include open discussion",
                stamp=discussion.open_discussion_stamp,
                context=discussion.open_discussion,
            )
        )
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
