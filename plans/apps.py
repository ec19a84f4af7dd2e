from django.apps import AppConfig


class PlansConfig(AppConfig):
    """A plan as a whole: its overview, sign-off, next quarter's plan and comparisons."""

    name = "plans"
    verbose_name = "Plans"

    def ready(self):
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
