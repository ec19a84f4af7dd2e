from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from interviews.models import InterviewStage, StageAssessment, TechnicalFocus


class StageAssessmentInline(admin.TabularInline):
    model = StageAssessment
    extra = 0
    raw_id_fields = ["item"]


@admin.register(InterviewStage)
class InterviewStageAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "position", "duration_minutes", "interviewer", "applies_to"]
    list_filter = ["plan", "applies_to"]
    search_fields = ["name", "interviewer", "focus"]
    filter_horizontal = ["roles"]
    list_select_related = ["plan"]
    inlines = [StageAssessmentInline]


@admin.register(TechnicalFocus)
class TechnicalFocusAdmin(SimpleHistoryAdmin):
    list_display = ["label", "plan", "focus"]
    list_filter = ["plan"]
    search_fields = ["label", "focus"]
    filter_horizontal = ["roles"]
    list_select_related = ["plan"]


@admin.register(StageAssessment)
class StageAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["stage", "item"]
    list_filter = ["stage__plan", "stage"]
    raw_id_fields = ["item"]
    list_select_related = ["stage", "item"]
