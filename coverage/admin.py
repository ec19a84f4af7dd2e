"""Coverage in the Django admin, and on the role's admin page (roles/ cannot import it)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from coverage.models import Coverage
from roles.admin import RoleAdmin
from roles.models import Role


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 0
    fields = ["problem", "confidence", "rationale"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only the problems of the role's own plan.
        if db_field.name == "problem" and request.resolver_match.kwargs.get("object_id"):
            role = Role.objects.filter(pk=request.resolver_match.kwargs["object_id"]).first()
            if role is not None:
                kwargs["queryset"] = role.plan.problems.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RoleWithCoverageAdmin(RoleAdmin):
    inlines = [CoverageInline, *RoleAdmin.inlines]


admin.site.unregister(Role)
admin.site.register(Role, RoleWithCoverageAdmin)


@admin.register(Coverage)
class CoverageAdmin(SimpleHistoryAdmin):
    list_display = ["role", "problem", "confidence", "rationale"]
    list_filter = ["role__plan", "confidence"]
    search_fields = ["role__title", "problem__title", "rationale"]
    list_select_related = ["role", "problem"]
