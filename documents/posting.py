"""The candidate-facing posting: what it shows, and the names of people it would make public.

The posting is the JD without its internal sections (the registry's ``internal``)
and without the rows a hiring manager marked internal only. Before it is
exported, the preview flags every name of a person the plan knows that the
posting still mentions: candidates, the plan's proposer, interviewers and the
people in the roles' reporting lines (reports to, works with, stakeholders).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviews.models import InterviewStage
from roles.jd.presentation import RoleJD, SectionView
from roles.models import ItemKind, JDItem

# Words that make a phrase a group or a title rather than a person ("Pam Core team",
# "Sales", "Head of Engineering"): such a phrase names nobody.
GROUP_WORDS = frozenset(
    """team teams sales support product products engineering engineer engineers ops
    operations customers customer marketing finance leadership design data hr legal
    management board founders founder everyone company the our head lead manager
    director cto ceo coo cfo pm qa cs it security platform backend frontend mobile
    dashboard core technical senior junior mid roles role""".split()  # noqa: SIM905
)
_APOSTROPHES = "'\u2019"
_PERSON = re.compile(r"^[A-Z][\w'\u2019-]+(?: [A-Z][\w'\u2019-]+){0,2}$")
_SPLIT = re.compile(r",|;|/|&|\band\b|\bor\b|\bfor\b|\bwith\b|\bvia\b|\bthen\b|\u2014|\u2013")


def names_in(text: str) -> list[str]:
    """The people a short phrase names: 'Samee or Haroun' -> Samee, Haroun;
    'Agustin (Dashboard Engineer)' -> Agustin; 'Pam Core team' -> nobody."""
    text = re.sub(r"\([^)]*\)", " ", text or "")
    names = []
    for chunk in _SPLIT.split(text):
        chunk = " ".join(chunk.split())
        if not _PERSON.match(chunk):
            continue
        words = chunk.split()
        if any(word.lower().strip(_APOSTROPHES) in GROUP_WORDS for word in words):
            continue
        names.extend(word for word in words if len(word) > 1)
    return names


@dataclass
class KnownName:
    name: str
    # How the plan knows them: "interviewer (Final)", "candidate for ...".
    sources: list[str] = field(default_factory=list)

    @property
    def as_(self) -> str:
        return "; ".join(self.sources)


def known_names(plan) -> dict[str, KnownName]:
    """Every person's name the plan knows, with where it knows it from."""
    known: dict[str, KnownName] = {}

    def add(text, as_):
        for name in names_in(text):
            sources = known.setdefault(name, KnownName(name)).sources
            if as_ not in sources:
                sources.append(as_)

    roles = list(plan.roles.all())
    for role in roles:
        if role.candidate_name:
            add(role.candidate_name, f"candidate for {role.title}")
    add(plan.proposed_by, "who proposed the plan")
    for stage in InterviewStage.objects.filter(plan=plan):
        add(stage.interviewer, f"interviewer ({stage.name})")
    titles = {role.pk: role.title for role in roles}
    for role in roles:
        add(role.reports_to, f"whom {role.title} reports to")
    lines = JDItem.objects.filter(
        role__plan=plan, kind__in=[ItemKind.WORKS_WITH, ItemKind.STAKEHOLDER]
    ).order_by("role_id", "kind", "position")
    for item in lines:
        relation = "works with" if item.kind == ItemKind.WORKS_WITH else "a stakeholder of"
        add(item.text, f"who {relation} {titles[item.role_id]}")
    return known


@dataclass(frozen=True)
class NameFlag:
    """A known person's name the posting mentions."""

    name: str
    as_: str
    section: str  # the posting section's title
    text: str  # the row or field that mentions it
    section_key: str


def posting_sections(jd: RoleJD) -> list[SectionView]:
    """The posting's sections: not internal ones, and without rows marked internal only."""
    return [
        SectionView(
            view.section,
            view.role,
            [row for row in view.rows if not getattr(row, "internal_only", False)],
        )
        for view in jd.sections.values()
        if not view.section.internal
    ]


def _texts(view: SectionView):
    for value in view.fields:
        if isinstance(value.value, str) and value.value:
            yield value.value
    spec = view.section.rows
    for row in view.rows:
        values = (getattr(row, name) for name in spec.fields)
        yield " · ".join(value for value in values if isinstance(value, str) and value)


def name_flags(plan, role, sections: list[SectionView]) -> list[NameFlag]:
    """Names of people the plan knows that ``sections`` (the posting) mention."""
    known = known_names(plan)
    if not known:
        return []
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(n) for n in sorted(known, key=len, reverse=True)) + r")\b"
    )
    flags = []
    for view in sections:
        for text in _texts(view):
            for name in dict.fromkeys(pattern.findall(text)):
                flags.append(NameFlag(name, known[name].as_, view.section.title, text, view.key))
    return flags
