from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from problems.models import NextStep, OpenQuestion, Plan, Problem


class ProblemInline(admin.TabularInline):
    model = Problem
    extra = 0
    fields = ["rank", "title", "short_title", "slug", "impact", "root_cause"]
    prepopulated_fields = {"slug": ["title"]}


class OpenQuestionInline(admin.TabularInline):
    model = OpenQuestion
    extra = 0
    fields = ["position", "topic", "question", "addressed_to", "resolved", "resolution"]


class NextStepInline(admin.TabularInline):
    model = NextStep
    extra = 0
    fields = ["position", "text", "owner", "due", "done"]


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "period", "starts_on", "proposed_by", "updated_at"]
    search_fields = ["title", "slug", "period", "core_question"]
    list_filter = ["interview_process_status"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["revision", "created_at", "updated_at"]
    inlines = [ProblemInline, OpenQuestionInline, NextStepInline]


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "plan", "rank", "short_title", "impact", "root_cause"]
    list_filter = ["plan", ("rank", admin.EmptyFieldListFilter)]
    search_fields = ["title", "short_title", "impact", "root_cause"]
    list_select_related = ["plan"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(OpenQuestion)
class OpenQuestionAdmin(SimpleHistoryAdmin):
    list_display = ["topic", "plan", "addressed_to", "resolved", "role", "problem"]
    list_filter = ["plan", "resolved", "addressed_to"]
    search_fields = ["topic", "question", "resolution"]
    list_select_related = ["plan", "role", "problem"]


@admin.register(NextStep)
class NextStepAdmin(SimpleHistoryAdmin):
    list_display = ["text", "plan", "owner", "due", "done"]
    list_filter = ["plan", "done"]
    search_fields = ["text", "owner"]
    list_select_related = ["plan"]
