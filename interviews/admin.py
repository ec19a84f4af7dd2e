from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from interviews.models import InterviewStage, Question, StageChoice, TechnicalFocus


class StageChoiceInline(admin.TabularInline):
    model = StageChoice
    extra = 0
    raw_id_fields = ["role"]


@admin.register(InterviewStage)
class InterviewStageAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "position", "duration_minutes", "interviewer", "applies_to"]
    list_filter = ["plan", "applies_to"]
    search_fields = ["name", "interviewer", "focus"]
    filter_horizontal = ["roles"]
    list_select_related = ["plan"]
    inlines = [StageChoiceInline]


@admin.register(TechnicalFocus)
class TechnicalFocusAdmin(SimpleHistoryAdmin):
    list_display = ["label", "plan", "focus"]
    list_filter = ["plan"]
    search_fields = ["label", "focus"]
    filter_horizontal = ["roles"]
    list_select_related = ["plan"]


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin):
    list_display = ["prompt", "role", "stage", "position", "minutes", "draft"]
    list_filter = ["role__plan", "stage", "draft"]
    search_fields = ["prompt", "good_answer"]
    raw_id_fields = ["probes"]
    list_select_related = ["role", "stage"]
