"""Interview loops: which stages each role goes through, and what each stage assesses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from interviews.models import InterviewStage, StageAssessment, TechnicalFocus
from roles.models import ASSESSABLE_KINDS, MUST_ASSESS_KINDS, ItemKind, JDItem, Role


@dataclass(frozen=True)
class FocusMember:
    """A role a technical-focus row applies to (just what the tables show)."""

    pk: int
    title: str
    slug: str


@dataclass
class PlanProcess:
    stages: list[InterviewStage]
    focus_rows: list[TechnicalFocus]
    loops: list[RoleLoop]


@dataclass
class RoleLoop:
    role: Role
    stages: list[InterviewStage]
    technical_focus: list[TechnicalFocus]

    @property
    def minutes(self) -> int:
        return sum(stage.duration_minutes for stage in self.stages)

    @property
    def stage_names(self) -> str:
        return " → ".join(stage.name for stage in self.stages)

    def stage(self, stage_id) -> InterviewStage | None:
        return next((s for s in self.stages if s.pk == stage_id), None)


def _load(plan):
    stages = list(InterviewStage.objects.filter(plan=plan).order_by("position", "pk"))
    selected = defaultdict(set)
    names = defaultdict(list)
    for stage_id, role_id, title in InterviewStage.roles.through.objects.filter(
        interviewstage__plan=plan
    ).values_list("interviewstage_id", "role_id", "role__title"):
        selected[stage_id].add(role_id)
        names[stage_id].append(title)
    for stage in stages:
        stage.selected_role_ids = selected[stage.pk]
        stage.selected_role_names = sorted(names[stage.pk])
    focus_rows = list(TechnicalFocus.objects.filter(plan=plan).order_by("position", "pk"))
    members = defaultdict(list)
    for focus_id, role_id, title, slug in TechnicalFocus.roles.through.objects.filter(
        technicalfocus__plan=plan
    ).values_list("technicalfocus_id", "role_id", "role__title", "role__slug"):
        members[focus_id].append(FocusMember(role_id, title, slug))
    for row in focus_rows:
        row.members = sorted(members[row.pk], key=lambda m: m.title)
    return stages, focus_rows


def _loop_for(role, stages, focus_rows) -> RoleLoop:
    return RoleLoop(
        role,
        [s for s in stages if s.applies_to_role(role, s.selected_role_ids)],
        [f for f in focus_rows if any(m.pk == role.pk for m in f.members)],
    )


def role_loop(plan, role: Role) -> RoleLoop:
    stages, focus_rows = _load(plan)
    return _loop_for(role, stages, focus_rows)


def plan_process(plan, roles: list[Role]) -> PlanProcess:
    stages, focus_rows = _load(plan)
    return PlanProcess(stages, focus_rows, [_loop_for(role, stages, focus_rows) for role in roles])


# --- Interview guide ------------------------------------------------------------------


@dataclass
class GuideItem:
    item: JDItem
    stages: list[InterviewStage] = field(default_factory=list)

    @property
    def must_be_assessed(self) -> bool:
        return self.item.kind in MUST_ASSESS_KINDS

    @property
    def is_gap(self) -> bool:
        return self.must_be_assessed and not self.stages


@dataclass
class StagePlan:
    stage: InterviewStage
    items: list[JDItem]


@dataclass
class Guide:
    loop: RoleLoop
    items: list[GuideItem]

    @property
    def by_kind(self) -> list[tuple[str, list[GuideItem]]]:
        return [
            (ItemKind(kind).label, [g for g in self.items if g.item.kind == kind])
            for kind in ASSESSABLE_KINDS
            if any(g.item.kind == kind for g in self.items)
        ]

    @property
    def stage_plans(self) -> list[StagePlan]:
        return [
            StagePlan(stage, [g.item for g in self.items if stage in g.stages])
            for stage in self.loop.stages
        ]

    @property
    def gaps(self) -> list[GuideItem]:
        return [g for g in self.items if g.is_gap]

    def assigned(self, item_id, stage_id) -> bool:
        return any(
            g.item.pk == item_id and any(s.pk == stage_id for s in g.stages) for g in self.items
        )


# --- Traceability: the one rule for "this requirement is assessed" --------------------


def assessed_in_loop(pairs, role_of_item: dict, loops: dict) -> dict[int, list[InterviewStage]]:
    """Per item id, the stages that assess it *within its role's own loop*.

    ``pairs`` are (stage id, item id) assessments; ``loops`` maps role id to its
    RoleLoop. An assessment by a stage outside the loop (the Final for a
    mid-level role) does not count: that stage never happens for this role.
    """
    stages_by_item = defaultdict(list)
    for stage_id, item_id in pairs:
        loop = loops.get(role_of_item.get(item_id))
        stage = loop.stage(stage_id) if loop is not None else None
        if stage is not None:
            stages_by_item[item_id].append(stage)
    return stages_by_item


def unassessed_items(plan, roles: list[Role]) -> dict[int, list[JDItem]]:
    """Per role id, the must-haves and red flags that no stage of its own loop assesses."""
    items = list(JDItem.objects.filter(role__plan=plan, kind__in=MUST_ASSESS_KINDS))
    if not items:
        return {}
    loops = {loop.role.pk: loop for loop in plan_process(plan, roles).loops}
    pairs = StageAssessment.objects.filter(stage__plan=plan).values_list("stage_id", "item_id")
    assessed = assessed_in_loop(pairs, {item.pk: item.role_id for item in items}, loops)
    missing = defaultdict(list)
    for item in items:
        if not assessed.get(item.pk):
            missing[item.role_id].append(item)
    return missing


def build_guide(plan, role: Role) -> Guide:
    """The role's loop, its assessable items and which stage of the loop assesses each.

    Assignments to stages outside the role's loop (e.g. the Final for a
    mid-level role) do not count: that stage never happens for this role.
    """
    loop = role_loop(plan, role)
    items = list(role.items.filter(kind__in=ASSESSABLE_KINDS).order_by("kind", "position"))
    pairs = StageAssessment.objects.filter(item__role=role).values_list("stage_id", "item_id")
    stages_by_item = assessed_in_loop(pairs, {i.pk: role.pk for i in items}, {role.pk: loop})
    order = {kind: i for i, kind in enumerate(ASSESSABLE_KINDS)}
    items.sort(key=lambda i: (order[i.kind], i.position))
    guide_items = [
        GuideItem(item, sorted(stages_by_item[item.pk], key=lambda s: s.position)) for item in items
    ]
    return Guide(loop, guide_items)
