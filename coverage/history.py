"""How a matrix cell came to be: the mapping as first proposed, and every change since.

"As first proposed" comes from the role's first-proposed fields (the author's
original list: "#1 (onboarding), #3 (monitoring)", or "?" with an unclear
confidence). The trail comes from the coverage rows' history (django-simple-history
records every save and delete, with who and when).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from coverage.models import Coverage
from roles.models import CONFIDENCE_LABELS, CONFIDENCE_SYMBOLS, Confidence

_RANK_REF = re.compile(r"#\s*(\d+)")


@dataclass(frozen=True)
class FirstProposal:
    """What the original list said about one cell."""

    mapping: str  # the role's whole first mapping, e.g. "#1, #2 (Tier 2 for LLM issues)"
    confidence: str  # a Confidence value, "" for "not mapped to this problem", None if unknown
    note: str

    @property
    def symbol(self) -> str:
        if self.confidence is None:
            return ""
        return CONFIDENCE_SYMBOLS.get(self.confidence, "—")

    @property
    def label(self) -> str:
        if self.confidence is None:
            return "not known"
        return CONFIDENCE_LABELS.get(self.confidence, "None")

    @property
    def unplaced(self) -> bool:
        """'?': the hire was proposed without saying which problem it solves."""
        return not _RANK_REF.search(self.mapping)

    def differs_from(self, coverage: Coverage | None) -> bool:
        if self.confidence is None:
            return False
        if self.unplaced and coverage is None:
            return False  # "?" named no problem, so an empty cell is no change
        return self.confidence != (coverage.confidence if coverage else "")


def _first_rule(role):
    """How the role's first mapping places cells: (ranks, confidence outside them) or None."""
    mapping = role.first_mapping.strip()
    if not mapping and not role.first_confidence:
        return None
    ranks = frozenset(int(n) for n in _RANK_REF.findall(mapping))
    if ranks:
        return mapping, ranks, ""
    if mapping in ("", "?"):
        # "?": the author did not know which problem the hire solves.
        unclear = Confidence.UNCLEAR if role.first_confidence == Confidence.UNCLEAR else None
        return mapping or "?", ranks, unclear
    return mapping, ranks, None  # free text ("New revenue line"): not placed on a row


def _first_answers(role, rule) -> tuple[frozenset, FirstProposal, FirstProposal]:
    """A first mapping says one thing of the problems it names (by rank) and one of
    the rest: (named ranks, answer for those, answer for the others)."""
    mapping, ranks, otherwise = rule
    note = role.first_confidence_note
    return (
        ranks,
        FirstProposal(mapping, role.first_confidence, note),
        FirstProposal(mapping, otherwise, note),
    )


def first_proposal(role, problem) -> FirstProposal | None:
    """The cell as the original list had it; None for hires not in that list."""
    rule = _first_rule(role)
    if rule is None:
        return None
    ranks, named, others = _first_answers(role, rule)
    return named if problem.rank in ranks else others


def changed_cells(plan) -> dict[tuple[int, int], int]:
    """(role id, problem id) -> number of recorded changes after the first, in one query."""
    rows = (
        Coverage.history.filter(role__plan=plan)
        .values_list("role_id", "problem_id")
        .annotate(n=Count("history_id"))
        .order_by()
    )
    return {(role_id, problem_id): n - 1 for role_id, problem_id, n in rows if n > 1}


def edited_roles(plan) -> set[int]:
    """Roles whose cells someone changed in the app (a loaded plan records no one), in one
    query: the summary of the proposal no longer describes their mapping."""
    return set(
        Coverage.history.filter(role__plan=plan, history_user__isnull=False)
        .order_by()
        .values_list("role_id", flat=True)
        .distinct()
    )


def changed_cell(role_id, problem_id) -> dict[tuple[int, int], int]:
    """:func:`changed_cells` for one cell (what an in-place edit needs), in one small query."""
    n = Coverage.history.filter(role_id=role_id, problem_id=problem_id).count()
    return {(role_id, problem_id): n - 1} if n > 1 else {}


def cell_marks(plan, columns, rows, changes=None) -> dict[tuple[int, int], tuple[str, str]]:
    """Small notes for cells that differ from the first proposal or were changed since.

    (role id, problem id) -> (text, longer description). One query (none if
    ``changes`` is given), then a lookup per cell.
    """
    if changes is None:
        changes = changed_cells(plan)
    by_key = {(c.role_id, c.problem_id): c for row in rows for c in row.coverages}
    marks = {}

    def add(key, first, n):
        parts, text = [], ""
        if first is not None and first.differs_from(by_key.get(key)):
            text = f"was {first.symbol}"
            parts.append(f"First proposed: {first.label} ({first.mapping})")
        if n:
            text = text or f"↺ {n}"
            parts.append(f"{n} change{'s' if n != 1 else ''} since")
        if text:
            marks[key] = (text, "; ".join(parts) + ". See the history.")

    problems = [(row.problem.pk, row.problem.rank) for row in rows]
    for column in columns:
        role = column.role
        role_id, rule = role.pk, _first_rule(role)
        if rule is None:
            for problem_id, _ in problems:
                key = (role_id, problem_id)
                if key in changes:
                    add(key, None, changes[key])
            continue
        ranks, named, others = _first_answers(role, rule)  # two per role, not one per cell
        for problem_id, rank in problems:
            key = (role_id, problem_id)
            add(key, named if rank in ranks else others, changes.get(key, 0))
    return marks


@dataclass(frozen=True)
class CellChange:
    when: datetime
    who: str
    before: str  # "High (rationale)" or "None"
    after: str
    kind: str  # "created", "changed", "removed"


def _state(record) -> str:
    if record is None or record.history_type == "-":
        return "None"
    text = CONFIDENCE_LABELS.get(record.confidence, record.confidence)
    return f"{text} ({record.rationale})" if record.rationale else text


def cell_trail(role, problem) -> list[CellChange]:
    """Every recorded change of the cell, oldest first."""
    records = list(
        Coverage.history.filter(role_id=role.pk, problem_id=problem.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    trail, previous = [], None
    for record in records:
        kind = {"+": "created", "~": "changed", "-": "removed"}[record.history_type]
        user = record.history_user
        who = (user.get_full_name() or user.get_username()) if user else "loaded from the plan"
        before, after = _state(previous), _state(record)
        if previous is None and kind != "created":
            before = "not recorded"  # history began after the cell existed
        if kind == "changed" and before == after:
            previous = record
            continue  # saved without a visible change (e.g. only the version moved)
        trail.append(CellChange(record.history_date, who, before, after, kind))
        previous = record
    return trail
