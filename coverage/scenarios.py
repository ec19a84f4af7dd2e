"""Scenarios: "what if these hires proceed, hold, are cut or added?", answered by the one analysis.

A scenario is a set of decisions that differ from the plan's. It is evaluated
by :func:`coverage.analysis.analyse_plan` with those decisions overridden, so
the verdict, gaps and row statuses come from the same rules as the plan's own;
nothing here decides what "covered" means.

In URLs a scenario is written ``?d=<role slug>:<decision>&d=...`` so that an
unsaved scenario can be shared by copying the address; saved scenarios keep the
same mapping in :class:`coverage.models.Scenario`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone

from core.editing import StaleEdit, claim_next_version
from coverage.analysis import PlanCoverage, ProblemRow, RowStatus, analyse_plan, cached_analysis
from coverage.models import MAX_SCENARIO_CHANGES, Scenario
from problems.models import Plan
from roles.models import Decision, Role
from roles.services import update_role

MAX_COMPARED = 4

# How a toggle names each decision, by the role's origin.
PROPOSED_LABELS = {
    Decision.PROPOSED: "As proposed",
    Decision.PROCEED: "Proceed",
    Decision.HOLD: "Hold",
    Decision.CUT: "Cut",
}
RECOMMENDED_LABELS = {
    Decision.PROPOSED: "Not added",
    Decision.PROCEED: "Add",
    Decision.HOLD: "Hold",
    Decision.CUT: "Cut",
}


def decision_label(role: Role, decision: str) -> str:
    labels = RECOMMENDED_LABELS if role.is_recommended else PROPOSED_LABELS
    return labels.get(decision, decision)


def parse_pairs(values: list[str]) -> dict[str, str]:
    """``["mobile-engineer:hold", ...]`` from a query string or form; malformed ones are dropped."""
    decisions: dict[str, str] = {}
    for value in values[:MAX_SCENARIO_CHANGES]:
        slug, _, decision = str(value).partition(":")
        if slug and decision in Decision.values:
            decisions[slug] = decision
    return decisions


def effective(roles: list[Role], decisions: dict[str, str]) -> dict[str, str]:
    """The decisions that name a role of the plan and differ from its decision, in plan order."""
    return {
        role.slug: decisions[role.slug]
        for role in roles
        if role.slug in decisions and decisions[role.slug] != role.decision
    }


def query_string(decisions: dict[str, str], **extra) -> str:
    pairs = [("d", f"{slug}:{decision}") for slug, decision in decisions.items()]
    pairs += [(key, value) for key, value in extra.items() if value not in (None, "")]
    return urlencode(pairs)


@dataclass
class ScenarioChange:
    role: Role
    before: str
    after: str

    @property
    def before_label(self) -> str:
        return decision_label(self.role, self.before)

    @property
    def after_label(self) -> str:
        return decision_label(self.role, self.after)


@dataclass
class RowComparison:
    base: ProblemRow
    row: ProblemRow

    @property
    def changed(self) -> bool:
        return self.base.status != self.row.status


@dataclass
class Evaluation:
    """A scenario's answer next to the plan's."""

    plan: Plan
    base: PlanCoverage
    analysis: PlanCoverage
    decisions: dict[str, str]
    name: str = ""
    scenario: Scenario | None = None
    ignored: list[str] = field(default_factory=list)

    @cached_property
    def changes(self) -> list[ScenarioChange]:
        return [
            ScenarioChange(role, role.decision, self.decisions[role.slug])
            for role in self.base.roles
            if role.slug in self.decisions
        ]

    @cached_property
    def rows(self) -> list[RowComparison]:
        return [
            RowComparison(b, r) for b, r in zip(self.base.rows, self.analysis.rows, strict=True)
        ]

    @cached_property
    def uncovered(self) -> list[ProblemRow]:
        """Ranked problems the scenario leaves without a committed, confident hire."""
        return [row for row in self.analysis.ranked_rows if row.status != RowStatus.COVERED]

    @cached_property
    def newly_covered(self) -> list[ProblemRow]:
        return [c.row for c in self.rows if c.changed and c.row.status == RowStatus.COVERED]

    @cached_property
    def newly_uncovered(self) -> list[ProblemRow]:
        return [c.row for c in self.rows if c.changed and c.base.status == RowStatus.COVERED]

    def status_of(self, problem_id) -> ProblemRow:
        return self.analysis.row_for(problem_id)

    @cached_property
    def unsaved(self) -> bool:
        """Showing a saved scenario with changes not yet saved to it."""
        if self.scenario is None:
            return False
        return self.decisions != effective(self.base.roles, self.scenario.clean_decisions())

    @property
    def query(self) -> str:
        return query_string(self.decisions)

    def toggles(self, url: str, **extra) -> list[dict]:
        """For each role, its decision in the scenario and a link to each other decision."""
        out = []
        for role in self.base.roles:
            current = self.decisions.get(role.slug, role.decision)
            options = []
            for value in Decision.values:
                wanted = dict(self.decisions)
                if value == role.decision:
                    wanted.pop(role.slug, None)
                else:
                    wanted[role.slug] = value
                ordered = effective(self.base.roles, wanted)
                options.append(
                    {
                        "value": value,
                        "label": decision_label(role, value),
                        "url": f"{url}?{query_string(ordered, **extra)}",
                        "current": value == current,
                        "planned": value == role.decision,
                    }
                )
            out.append(
                {
                    "role": role,
                    "planned": decision_label(role, role.decision),
                    "current": current,
                    "changed": current != role.decision,
                    "options": options,
                }
            )
        return out


def evaluate(
    plan: Plan, decisions: dict[str, str], *, name: str = "", scenario: Scenario | None = None
) -> Evaluation:
    """The plan's analysis and the scenario's, side by side (one analysis, two inputs)."""
    base = cached_analysis(plan)
    wanted = effective(base.roles, decisions)
    ignored = [slug for slug in decisions if slug not in {r.slug for r in base.roles}]
    by_slug = {role.slug: role.pk for role in base.roles}
    analysis = (
        analyse_plan(plan, {by_slug[slug]: value for slug, value in wanted.items()})
        if wanted
        else base
    )
    return Evaluation(plan, base, analysis, wanted, name, scenario, ignored)


def evaluate_saved(plan: Plan, scenario: Scenario) -> Evaluation:
    return evaluate(plan, scenario.clean_decisions(), name=scenario.name, scenario=scenario)


# --- Saving and applying -----------------------------------------------------------


def save_scenario(plan: Plan, name: str, decisions: dict[str, str], user) -> Scenario:
    roles = list(plan.roles.in_plan_order())
    return Scenario.objects.create(
        plan=plan,
        name=name,
        decisions=effective(roles, decisions),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def update_scenario(
    scenario: Scenario, expected_version: int | None, name: str, decisions: dict[str, str]
) -> Scenario:
    """Rename it or change its decisions; raises StaleEdit if someone saved it meanwhile."""
    roles = list(scenario.plan.roles.in_plan_order())
    with transaction.atomic():
        scenario.version = claim_next_version(Scenario, expected_version, pk=scenario.pk)
        scenario.name = name
        scenario.decisions = effective(roles, decisions)
        scenario.updated_at = timezone.now()
        scenario.save()
    return scenario


def apply_scenario(scenario: Scenario, expected_revision: str, user) -> list[ScenarioChange]:
    """Give the plan's roles the scenario's decisions, all or nothing.

    ``expected_revision`` is the plan's revision the user saw the scenario
    against; if the plan changed since, raise StaleEdit so they look again.
    Each role's change is one version in its history, with the scenario named.
    """
    reason = f"Scenario “{scenario.name}” applied"
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=scenario.plan_id)
        if plan.revision != expected_revision:
            raise StaleEdit("The plan changed since the scenario was shown.")
        roles = list(Role.objects.select_for_update().filter(plan=plan).in_plan_order())
        wanted = effective(roles, scenario.clean_decisions())
        changes = []
        for role in roles:
            if role.slug in wanted:
                role.plan = plan
                changes.append(ScenarioChange(role, role.decision, wanted[role.slug]))
                update_role(role, role.version, reason, decision=wanted[role.slug])
        scenario.applied_at = timezone.now()
        scenario.applied_by = user if getattr(user, "is_authenticated", False) else None
        scenario.save(update_fields=["applied_at", "applied_by"])
    return changes
