"""Is a role's JD complete? One computed answer, read by every page, gap, timeline and export.

Completeness comes from the JD's sections (the registry, roles/jd/sections.py):
a JD is *complete* when no required section lacks anything. The status a
recruiter sets on a role (``Role.jd_status``) is only a *report* about a JD
kept outside the app (the seed proposal reports seven JDs complete and holds
the text of one). So:

* **Complete**: every required section is written in the plan.
* **Reported complete**: not complete here, but the recruiter reports the JD
  complete outside the app. It counts as ready (the pipeline, the timeline,
  the gaps), and every page says its text is not in this plan.
* **Draft**: begun here (a required section the proposal does not already
  state is written), or reported as a draft.
* **Not started**: neither.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from dataclasses import dataclass

from django.db import router

from core.loading import CompiledQuery, build_instances
from core.lru import LRU
from roles.jd.sections import ROW_MODELS, SECTIONS
from roles.models import JD_COMPLETE_STATUSES, JDItem, JDStatus, Role, SuccessCriterion

REPORTED_ELSEWHERE = "Reported complete; the text is not in this plan"


@dataclass(frozen=True)
class JDState:
    """What a role's JD honestly is: computed from its sections, with the recruiter's report."""

    role: Role
    missing: tuple[str, ...]
    # A section the proposal does not already state is written (see Section.in_proposal).
    begun: bool = False

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def reported_complete(self) -> bool:
        """The recruiter's report, whatever the plan holds."""
        return self.role.jd_status in JD_COMPLETE_STATUSES

    @property
    def text_elsewhere(self) -> bool:
        """Reported complete, but this plan does not hold the complete text."""
        return self.reported_complete and not self.complete

    @property
    def ready(self) -> bool:
        """Complete here, or reported complete outside the app: ready to hire with."""
        return self.complete or self.text_elsewhere

    @property
    def draft(self) -> bool:
        return not self.ready and (self.begun or self.role.jd_status == JDStatus.DRAFT)

    @property
    def key(self) -> str:
        """'complete', 'reported', 'draft' or 'not_started': a stable name for the state."""
        if self.complete:
            return "complete"
        if self.text_elsewhere:
            return "reported"
        return "draft" if self.draft else "not_started"

    @property
    def label(self) -> str:
        return {
            "complete": (
                "Complete (internal + external)"
                if self.role.jd_status == JDStatus.COMPLETE_INTERNAL_EXTERNAL
                else "Complete"
            ),
            "reported": REPORTED_ELSEWHERE,
            "draft": "Draft",
            "not_started": "Not started",
        }[self.key]

    @property
    def sentence(self) -> str:
        """The role page's status line."""
        if self.key == "complete":
            if self.role.jd_status == JDStatus.COMPLETE_INTERNAL_EXTERNAL:
                return "The JD is complete, internal and external."
            return "The JD is complete."
        if self.key == "reported":
            return f"JD: {REPORTED_ELSEWHERE}."
        return "The JD is a draft." if self.key == "draft" else "The JD is not started."

    @property
    def reported_words(self) -> str:
        """'complete', 'complete (internal + external)': what the recruiter reports."""
        if self.role.jd_status == JDStatus.COMPLETE_INTERNAL_EXTERNAL:
            return "complete (internal + external)"
        return {JDStatus.COMPLETE: "complete", JDStatus.DRAFT: "a draft"}.get(
            self.role.jd_status, "not started"
        )

    @property
    def gap_words(self) -> str:
        """How the gaps name an incomplete JD: 'a draft', 'not started'."""
        return "a draft" if self.draft else "not started"

    @property
    def pipeline_summary(self) -> str:
        """The status column of the seed's hire confidence matrix."""
        guide = self.role.interview_guide_complete
        if self.ready:
            text = "JD + Interview ready" if guide else "JD ready"
            return f"{text} (JD reported)" if self.text_elsewhere else text
        return "JD in draft" if self.draft else "No JD yet"


def section_rows(rows_by_model: dict, sections=SECTIONS) -> list[tuple]:
    """(section, its rows) for each of ``sections``, given the role's rows of every row
    model: what ``section.rows.select`` picks, with each model's rows grouped by kind once
    instead of scanned once per section (the analysis does this for every role)."""
    by_kind = {}
    for model in _KIND_MODELS:
        groups = defaultdict(list)
        for row in rows_by_model[model]:
            groups[row.kind].append(row)
        by_kind[model] = groups
    return [
        (
            section,
            (
                by_kind[section.rows.model].get(section.rows.kind, [])
                if section.rows.kind is not None
                else rows_by_model[section.rows.model]
            )
            if section.rows
            else [],
        )
        for section in sections
    ]


# Only required sections can lack anything or begin a JD (Section.missing, begins_jd).
_REQUIRED = tuple(section for section in SECTIONS if section.required)
_FACT_MODELS = tuple(dict.fromkeys(s.rows.model for s in _REQUIRED if s.rows is not None))
# Section.begins_jd of each required section, read once rather than once per role.
_BEGINS_JD = tuple(section.begins_jd for section in _REQUIRED)
# Row models some section selects by kind (JDItem): section_rows groups them by kind.
_KIND_MODELS = tuple(
    dict.fromkeys(s.rows.model for s in SECTIONS if s.rows is not None and s.rows.kind is not None)
)


def jd_facts(role: Role, rows_by_model: dict) -> tuple[tuple[str, ...], bool]:
    """(what the role's JD lacks, whether it is begun): :func:`jd_missing` and
    :func:`jd_begun` in one pass over the sections."""
    missing, begun = [], False
    for (section, rows), begins_jd in zip(
        section_rows(rows_by_model, _REQUIRED), _BEGINS_JD, strict=True
    ):
        has_content = section.has_content(role, rows)  # (what missing and begun both ask)
        missing.extend(section.missing(role, rows, has_content))
        if has_content and begins_jd:
            begun = True
    return tuple(missing), begun


def jd_missing(role: Role, rows_by_model: dict) -> list[str]:
    """What the role's JD lacks, given its rows of every row model."""
    return list(jd_facts(role, rows_by_model)[0])


def jd_begun(role: Role, rows_by_model: dict) -> bool:
    """Whether some of the JD's own writing is in the plan (beyond what the proposal states)."""
    return jd_facts(role, rows_by_model)[1]


def state_of(role: Role, rows_by_model: dict) -> JDState:
    """The role's JD state from its rows; also kept on the role (``Role.jd_state``)."""
    state = JDState(role, *jd_facts(role, rows_by_model))
    role._jd_state = state
    return state


def role_jd_state(role: Role) -> JDState:
    """One role's JD state, in one query per row model."""
    return state_of(role, {model: list(model.objects.filter(role=role)) for model in ROW_MODELS})


# What each role's JD lacks and whether it is begun, per plan revision (a revision
# never changes, so neither does this): scenarios analyse one revision many times.
_recent = LRU(maxsize=16)


def forget_jd_states() -> None:
    _recent.clear()


# The analysis loads every role's rows of these models for each new revision, and reads
# only a few fields of each (completeness: kind, timeframe; the kits: id, kind,
# position): plain named tuples of those columns, one object a row instead of an
# instance, its __dict__ and its state. The success criteria keep every column, so that
# the few roles with hires get instances of them for their outcomes (criteria_instances).
JDItemRow = namedtuple("JDItemRow", ["id", "role_id", "kind", "position"])
SuccessCriterionRow = namedtuple(
    "SuccessCriterionRow", [f.attname for f in SuccessCriterion._meta.concrete_fields]
)
_ROW_TYPES = {JDItem: JDItemRow, SuccessCriterion: SuccessCriterionRow}
# One compiled query per row model (core/loading.py), each model's own Meta.ordering, as
# ``model.objects.filter(...).values_list(...)`` has it.
_ROWS_OF_PLAN = {
    model: CompiledQuery(
        lambda plan_id, model=model: model.objects.filter(role__plan=plan_id).values_list(
            *_ROW_TYPES[model]._fields
        )
    )
    for model in _FACT_MODELS
}


def load_jd_rows(plan) -> dict:
    """{row model: {role id: rows}} of every role of the plan, one query per row model that
    completeness reads (a model only optional sections hold, the landscape, is left out).
    The rows are named tuples (JDItemRow, SuccessCriterionRow) with the fields
    completeness, the kits and the criteria gaps read."""
    rows = {}
    for model in _FACT_MODELS:
        by_role = rows[model] = defaultdict(list)
        make = _ROW_TYPES[model]._make
        role_index = _ROW_TYPES[model]._fields.index("role_id")
        for row in _ROWS_OF_PLAN[model].rows(plan.id):
            by_role[row[role_index]].append(make(row))
    return rows


def criteria_instances(rows: list) -> list[SuccessCriterion]:
    """SuccessCriterion instances of SuccessCriterionRow rows from :func:`load_jd_rows`, as
    ``SuccessCriterion.objects.filter(...)`` would have loaded them."""
    if not rows:
        return []
    return build_instances(SuccessCriterion, router.db_for_read(SuccessCriterion), rows)


def plan_jd_states(plan, roles, rows: dict | None = None) -> dict[int, JDState]:
    """Every role's JD state, in one query per row model (none if this revision's are
    known, or if ``rows`` from :func:`load_jd_rows` are given); each role keeps its own."""
    key = (plan.pk, plan.revision)
    facts = _recent.get(key)
    if facts is None or any(role.id not in facts for role in roles):
        if rows is None:
            rows = load_jd_rows(plan)
        facts = {}
        for role in roles:
            role_id = role.id  # (not the pk property, read five times per role)
            facts[role_id] = jd_facts(role, {model: rows[model][role_id] for model in _FACT_MODELS})
        _recent.set(key, facts)
    states = {}
    for role in roles:
        role_id = role.id
        missing, begun = facts[role_id]
        states[role_id] = role._jd_state = JDState(role, missing, begun)
    return states
