from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from roles.jd.sections import SECTIONS
from roles.models import (
    CheckInReminder,
    CompensationBand,
    JDItem,
    LandscapeArea,
    PlanCompensation,
    Role,
    SuccessCriterion,
)


class SuccessCriterionInline(admin.TabularInline):
    model = SuccessCriterion
    extra = 0
    fields = ["timeframe", "position", "metric", "target", "how_measured"]


class JDItemInline(admin.TabularInline):
    model = JDItem
    extra = 0
    fields = ["kind", "position", "group", "text"]


class LandscapeAreaInline(admin.TabularInline):
    model = LandscapeArea
    extra = 0
    fields = ["position", "area", "covers", "typical_features"]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "plan",
        "level",
        "headcount",
        "origin",
        "decision",
        "jd_status",
        "interview_guide_complete",
        "candidate_name",
    ]
    list_filter = ["plan", "origin", "decision", "level", "function", "jd_status"]
    search_fields = ["title", "short_name", "slug", "problem_statement", "role_summary"]
    list_select_related = ["plan"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["version", "created_at", "updated_at"]
    # coverage/admin.py adds the coverage rows (coverage lives above roles).
    inlines = [SuccessCriterionInline, JDItemInline, LandscapeAreaInline]
    # The JD's own fields come from the section registry, in the JD's order;
    # the rest are the role's place in the plan and other people's decisions.
    fieldsets = [
        (None, {"fields": ["plan", "position", "slug", "decision", "solves_no_problem"]}),
        *[
            (section.title, {"fields": list(section.fields)})
            for section in SECTIONS
            if section.fields
        ],
        ("Pipeline", {"fields": ["jd_status", "interview_guide_complete", "candidate_name"]}),
        (
            "Cost and start",
            {
                "fields": [
                    "target_start",
                    "band_override_currency",
                    "band_override_min",
                    "band_override_max",
                ]
            },
        ),
        ("Bookkeeping", {"fields": ["version", "created_at", "updated_at"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Record the role's new version after its rows, so the version's
        # history snapshot includes what the inlines changed.
        form.instance.mark_saved()


@admin.register(SuccessCriterion)
class SuccessCriterionAdmin(SimpleHistoryAdmin):
    list_display = ["role", "timeframe", "metric", "target", "how_measured"]
    list_filter = ["role__plan", "timeframe"]
    search_fields = ["role__title", "metric", "target"]
    list_select_related = ["role"]


@admin.register(JDItem)
class JDItemAdmin(SimpleHistoryAdmin):
    list_display = ["text", "role", "kind", "group", "position"]
    list_filter = ["role__plan", "kind"]
    search_fields = ["text", "group", "role__title"]
    list_select_related = ["role"]


@admin.register(LandscapeArea)
class LandscapeAreaAdmin(SimpleHistoryAdmin):
    list_display = ["area", "role", "covers", "typical_features"]
    search_fields = ["area", "covers", "typical_features"]
    list_select_related = ["role"]


@admin.register(CompensationBand)
class CompensationBandAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "level", "currency", "annual_min", "annual_max"]
    list_filter = ["plan"]


@admin.register(PlanCompensation)
class PlanCompensationAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "budget_currency", "budget_amount"]
    readonly_fields = ["version"]


@admin.register(CheckInReminder)
class CheckInReminderAdmin(admin.ModelAdmin):
    """Which check-in reminders went, to whom and when (send_check_in_reminders): read only.

    Names the hire and the criterion, never what was recorded (check-ins are not here).
    """

    list_display = ["sent_at", "sent_to", "hire", "due_on", "criterion"]
    list_filter = ["due_on"]
    search_fields = ["sent_to", "hire__person_name"]
    list_select_related = ["hire__role", "criterion"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
