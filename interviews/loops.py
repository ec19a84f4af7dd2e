"""Interview loops and kits: which stages each role goes through, what each stage asks,
and the one traceability rule that decides whether a role's kit is complete."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from core.loading import CompiledQuery
from interviews.models import InterviewStage, Question, StageChoice, TechnicalFocus
from roles.models import ASSESSABLE_KINDS, MUST_ASSESS_KINDS, ItemKind, JDItem, Role


@dataclass(frozen=True)
class FocusMember:
    """A role a technical-focus row applies to (just what the tables show)."""

    pk: int
    title: str
    slug: str


@dataclass(frozen=True, slots=True)  # one per stage of every role's loop
class StageDecision:
    """Whether a role goes through a stage, and whether a recruiter chose that explicitly."""

    stage: InterviewStage
    included: bool
    by_rule: bool  # what the stage's rule alone says
    chosen: bool  # a StageChoice overrides the rule for this role


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
    decisions: list[StageDecision] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(stage.duration_minutes for stage in self.stages)

    @property
    def stage_names(self) -> str:
        return " → ".join(stage.name for stage in self.stages)

    @property
    def skipped(self) -> list[StageDecision]:
        return [d for d in self.decisions if not d.included]

    def stage(self, stage_id) -> InterviewStage | None:
        return next((s for s in self.stages if s.id == stage_id), None)


# The loops' queries, compiled once per process (core/loading.py): a role's page and the
# coverage analysis of every new revision run them.
_STAGES = CompiledQuery(
    lambda plan_id: InterviewStage.objects.filter(plan=plan_id).order_by("position", "pk")
)
_STAGE_ROLES = CompiledQuery(
    lambda plan_id: InterviewStage.roles.through.objects.filter(
        interviewstage__plan=plan_id
    ).values_list("interviewstage_id", "role_id", "role__title")
)
_FOCUS_ROWS = CompiledQuery(
    lambda plan_id: TechnicalFocus.objects.filter(plan=plan_id).order_by("position", "pk")
)
_FOCUS_MEMBERS = CompiledQuery(
    lambda plan_id: TechnicalFocus.roles.through.objects.filter(
        technicalfocus__plan=plan_id
    ).values_list("technicalfocus_id", "role_id", "role__title", "role__slug")
)
_CHOICES = CompiledQuery(
    lambda plan_id: StageChoice.objects.filter(stage__plan=plan_id).values_list(
        "stage_id", "role_id", "included"
    )
)


def _load(plan):
    stages = _STAGES.instances(plan.id)
    selected = defaultdict(set)
    names = defaultdict(list)
    for stage_id, role_id, title in _STAGE_ROLES.rows(plan.id):
        selected[stage_id].add(role_id)
        names[stage_id].append(title)
    for stage in stages:
        stage.selected_role_ids = selected[stage.id]
        stage.selected_role_names = sorted(names[stage.id])
    focus_rows = _FOCUS_ROWS.instances(plan.id)
    members = defaultdict(list)
    for focus_id, role_id, title, slug in _FOCUS_MEMBERS.rows(plan.id):
        members[focus_id].append(FocusMember(role_id, title, slug))
    for row in focus_rows:
        row.members = sorted(members[row.id], key=lambda m: m.title)
        row.member_ids = frozenset(m.pk for m in row.members)
    choices = {
        (stage_id, role_id): included for stage_id, role_id, included in _CHOICES.rows(plan.id)
    }
    return stages, focus_rows, choices


def _loop_for(role, stages, focus_rows, choices) -> RoleLoop:
    decisions = []
    role_id = role.id
    for stage in stages:
        rule = stage.applies_to_role(role, stage.selected_role_ids)
        choice = choices.get((stage.id, role_id))
        included = rule if choice is None else choice
        decisions.append(StageDecision(stage, included, rule, choice is not None))
    return RoleLoop(
        role,
        [d.stage for d in decisions if d.included],
        [f for f in focus_rows if role_id in f.member_ids],
        decisions,
    )


def role_loop(plan, role: Role) -> RoleLoop:
    return _loop_for(role, *_load(plan))


def plan_process(plan, roles: list[Role]) -> PlanProcess:
    stages, focus_rows, choices = _load(plan)
    return PlanProcess(
        stages, focus_rows, [_loop_for(role, stages, focus_rows, choices) for role in roles]
    )


# --- Interview kits and the one traceability rule ---------------------------------------


def question_counts(question: Question, loop: RoleLoop) -> bool:
    """THE rule for whether a question is evidence the kit can rely on.

    It must be reviewed (not a draft), have all four rubric levels described,
    and be asked in a stage the role actually goes through (a question for the
    Final of a mid-level role is never asked).
    """
    return (
        not question.draft
        and question.rubric_complete
        and loop.stage(question.stage_id) is not None
    )


@dataclass(slots=True)  # one per assessable JD item of every role the analysis reads
class KitItem:
    """One of the role's assessable items and the counting questions that probe it."""

    item: JDItem
    # Lists; an item no question probes shares one empty tuple instead (most items, until
    # the guides are written: _assemble makes one of these per assessable item of a plan).
    questions: Sequence[Question] = field(default_factory=list)
    drafts: Sequence[Question] = field(default_factory=list)  # probing, but not counting yet

    @property
    def must_be_probed(self) -> bool:
        return self.item.kind in MUST_ASSESS_KINDS

    @property
    def is_gap(self) -> bool:
        return self.must_be_probed and not self.questions

    def stages(self) -> list[InterviewStage]:
        return self._stages(self.questions)

    def draft_stages(self) -> list[InterviewStage]:
        """Stages where only drafts (or incomplete rubrics) probe the item so far."""
        counted = {q.stage_id for q in self.questions}
        return [s for s in self._stages(self.drafts) if s.id not in counted]

    @staticmethod
    def _stages(questions) -> list[InterviewStage]:
        seen = {}
        for q in questions:
            seen.setdefault(q.stage.id, q.stage)
        return sorted(seen.values(), key=lambda s: s.position)


@dataclass
class StageKit:
    """What one stage of the role's loop asks: the interviewer's kit."""

    stage: InterviewStage
    questions: list[Question]
    loop: RoleLoop

    @property
    def minutes(self) -> int:
        return sum(q.minutes for q in self.questions)

    @property
    def over_budget(self) -> bool:
        return self.minutes > self.stage.duration_minutes

    @property
    def red_flags(self) -> list[JDItem]:
        """The red flags this stage's questions probe: a checklist on the scorecard."""
        seen = {}
        for q in self.questions:
            for item in getattr(q, "probe_items", []):
                if item.kind == ItemKind.RED_FLAG:
                    seen.setdefault(item.id, item)
        return sorted(seen.values(), key=lambda i: i.position)

    @property
    def over_by(self) -> int:
        return self.minutes - self.stage.duration_minutes

    @property
    def spare_minutes(self) -> int:
        return self.stage.duration_minutes - self.minutes

    @cached_property
    def counting(self) -> list[Question]:
        return [q for q in self.questions if question_counts(q, self.loop)]

    @property
    def has_questions(self) -> bool:
        return bool(self.counting)


@dataclass
class Kit:
    loop: RoleLoop
    items: list[KitItem]
    stage_kits: list[StageKit]
    stray: list[Question]  # questions for stages the role no longer goes through

    @property
    def role(self) -> Role:
        return self.loop.role

    @property
    def by_kind(self) -> list[tuple[str, list[KitItem]]]:
        return [
            (ItemKind(kind).label, [k for k in self.items if k.item.kind == kind])
            for kind in ASSESSABLE_KINDS
            if any(k.item.kind == kind for k in self.items)
        ]

    # A kit is built whole by _assemble and not changed afterwards, so what the gaps,
    # the overview and the guide ask of it several times is worked out once.
    @cached_property
    def gaps(self) -> list[KitItem]:
        return [k for k in self.items if k.is_gap]

    @cached_property
    def empty_stages(self) -> list[StageKit]:
        return [sk for sk in self.stage_kits if not sk.has_questions]

    @property
    def over_budget(self) -> list[StageKit]:
        return [sk for sk in self.stage_kits if sk.over_budget]

    @property
    def drafts(self) -> list[Question]:
        return [q for sk in self.stage_kits for q in sk.questions if q.draft]

    @property
    def incomplete_rubrics(self) -> list[Question]:
        return [q for sk in self.stage_kits for q in sk.questions if not q.rubric_complete]

    @property
    def complete(self) -> bool:
        """Computed "guide complete": every must-have and red flag is probed by a
        counting question, and every stage of the loop has at least one."""
        return bool(self.loop.stages) and not self.gaps and not self.empty_stages

    @property
    def reasons(self) -> list[str]:
        """Why the kit is not complete, in words (empty when it is)."""
        reasons = []
        if not self.loop.stages:
            reasons.append("no interview stage applies to this role")
        must = sum(1 for k in self.gaps if k.item.kind == ItemKind.MUST_HAVE)
        flags = len(self.gaps) - must
        if must:
            reasons.append(f"{must} must-have{'s' if must != 1 else ''} not probed")
        if flags:
            reasons.append(f"{flags} red flag{'s' if flags != 1 else ''} not probed")
        bare = [sk.stage.name for sk in self.empty_stages if not sk.questions]
        pending = [sk.stage.name for sk in self.empty_stages if sk.questions]
        if bare:
            reasons.append(f"no questions yet in: {', '.join(bare)}")
        if pending:
            reasons.append("only drafts or incomplete rubrics in: " + ", ".join(pending))
        return reasons

    def stage_kit(self, stage_id) -> StageKit | None:
        return next((sk for sk in self.stage_kits if sk.stage.id == stage_id), None)

    def probes(self, item_id, stage_id) -> bool:
        """Whether a counting question of that stage probes the item (traceability grid)."""
        return any(
            q.stage_id == stage_id for k in self.items if k.item.id == item_id for q in k.questions
        )


_KIND_ORDER = {kind: i for i, kind in enumerate(ASSESSABLE_KINDS)}


def _kit_order(item: JDItem) -> tuple:
    return _KIND_ORDER[item.kind], item.position


def _assemble(loop: RoleLoop, items: list[JDItem], questions: list[Question]) -> Kit:
    items = sorted(items, key=_kit_order)
    probing = defaultdict(lambda: ([], []))  # {item id: (counting questions, drafts)}
    for q in questions:
        counts = question_counts(q, loop)
        for item_id in q.probe_ids:
            probing[item_id][0 if counts else 1].append(q)
    # (item.id, not the pk property: about 35 ns a read instead of 160, for every item)
    kit_items = {
        item.id: KitItem(item, *probing[item.id]) if item.id in probing else KitItem(item, (), ())
        for item in items
    }
    by_stage = defaultdict(list)
    for q in questions:
        by_stage[q.stage_id].append(q)
    stage_kits = [StageKit(stage, by_stage[stage.id], loop) for stage in loop.stages]
    in_loop = {stage.id for stage in loop.stages}
    stray = [q for q in questions if q.stage_id not in in_loop]
    return Kit(loop, list(kit_items.values()), stage_kits, stray)


def _questions(**lookup) -> list[Question]:
    questions = list(
        Question.objects.filter(**lookup)
        .select_related("stage")
        .order_by("stage__position", "position", "pk")
    )
    probe_ids = defaultdict(list)
    probes_by_question = defaultdict(list)
    through = Question.probes.through.objects.filter(
        question__in=[q.id for q in questions]
    ).select_related("jditem")
    for row in through:
        probe_ids[row.question_id].append(row.jditem_id)
        probes_by_question[row.question_id].append(row.jditem)
    for q in questions:
        q.probe_ids = probe_ids[q.id]
        q.probe_items = sorted(
            probes_by_question[q.id], key=lambda i: (ASSESSABLE_KINDS.index(i.kind), i.position)
        )
    return questions


def build_kit(plan, role: Role) -> Kit:
    """The role's loop, its questions per stage and the traceability of its items."""
    loop = role_loop(plan, role)
    items = list(role.items.filter(kind__in=ASSESSABLE_KINDS))
    return _assemble(loop, items, _questions(role=role))


def plan_kits(plan, roles: list[Role], jd_items: dict | None = None) -> dict[int, Kit]:
    """Every role's kit in a fixed number of queries (gaps, the overview, the proposal).

    ``jd_items`` ({role id: its JD items of every kind, in JDItem order}), when the
    caller loaded them already, saves loading them again (the analysis does).
    """
    loops = {loop.role.id: loop for loop in plan_process(plan, roles).loops}
    items = defaultdict(list)
    if jd_items is None:
        for item in JDItem.objects.filter(role__plan=plan, kind__in=ASSESSABLE_KINDS):
            items[item.role_id].append(item)
    else:
        assessable = frozenset(ASSESSABLE_KINDS)
        for role in roles:
            items[role.id] = [i for i in jd_items.get(role.id, ()) if i.kind in assessable]
    questions = defaultdict(list)
    for q in _questions(role__plan=plan):
        questions[q.role_id].append(q)
    return {
        role.id: _assemble(loops[role.id], items[role.id], questions[role.id]) for role in roles
    }


def unassessed_items(plan, roles: list[Role]) -> dict[int, list[JDItem]]:
    """Per role id, the must-haves and red flags no counting question probes."""
    return {
        role_id: [k.item for k in kit.gaps]
        for role_id, kit in plan_kits(plan, roles).items()
        if kit.gaps
    }
