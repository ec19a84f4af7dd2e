"""The seed format's rules in one place: a tree of sections (markdown_reader) -> plan data.

``map_documents(proposal, jds)`` turns the proposal's tree and the job
descriptions' trees into plan data (see interchange.plan_data) and a report:
what each hire, problem and stage was read from (line numbers), the
disagreements between the places a document states the same fact, and notes.

The rules, each once:

* **Hires.** Every hire the proposal names is one role, wherever it is named:
  the proposed-hires table, the breakdown, the recommendations, the summary.
  Names are merged by their words ("Senior Pam Core" is "Senior Pam Core
  Engineer"); a name that matches no hire is a hire of its own, never dropped
  and never given to another hire by position.
* **Confidence** of a hire for a problem comes from the first place that states
  it: the proposed-hires table (for the problems its row names), then the
  summary table, then a ``**Confidence:**`` line in the breakdown. Where two
  places disagree the first is kept and the disagreement reported. Nothing
  stated anywhere is reported, and taken as High (what the seed means by it).
  A hire whose mapping is ``?`` maps to nothing: the gap it is.
* **Status lines** are read part by part; a part not understood is reported.
* **Stages**: "for engineering / technical / senior roles" says who goes
  through a stage; the text before it is the interviewer when it is names
  ("Samee or Haroun"), else the focus.
* **Nothing invented**: a table row or section the document has no hire or
  place for stays unplaced and is listed, with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from core.forms import is_digits
from interchange.markdown_reader import (
    EMOJI,
    Document,
    ListBlock,
    Paragraph,
    Section,
    Table,
    inline,
    norm,
    plain,
    unbold,
)
from interviews.models import AppliesTo
from problems.models import Disposition, InterviewProcessStatus, period_start
from roles.models import (
    Confidence,
    Decision,
    Function,
    ItemKind,
    JDStatus,
    Level,
    Origin,
    Timeframe,
)

# The role field a status line's JD words go into: the JD's *reported* status (what the
# author says of a JD kept outside the app; completeness is computed, roles/jd/completeness).
JD_STATUS_FIELD = "jd_status"

DISPOSITION_COLUMNS = ["Dealt with", "Disposition note", "Owner question", "Owner step"]
DASHES = "-—\u2013:"


# --- Words of the seed format --------------------------------------------------------------


def at(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on commas outside parentheses: 'a (b, c), d' -> ['a (b, c)', 'd']."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == sep and depth <= 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def details(text: str) -> dict[str, str]:
    """'**Slug:** `x` · **Level:** Senior' -> {'slug': 'x', 'level': 'Senior'}."""
    found = {}
    for part in re.split(r"\s+·\s+", text):
        match = re.match(r"^\*\*(.+?):?\*\*:?\s*(.*)$", part.strip())
        if match:
            value = match.group(2).strip()
            value = value[1:-1] if value.startswith("`") and value.endswith("`") else value
            found[norm(match.group(1))] = value
    return found


def timeframe_of(text: str) -> int | None:
    words = norm(unbold(text))
    match = re.search(r"(\d+)\s*(month|months|year|years|mo)\b", words) or re.search(
        r"\b(month|year)\s*(\d+)\b", words
    )
    if not match:
        return None
    a, b = match.groups()
    # a and b are \d+ (which int() reads, Unicode digits too) and a unit word, either order.
    number, unit = (int(a), b) if a.isdigit() else (int(b), a)
    months = number * 12 if unit.startswith("year") else number
    return months if months in Timeframe.values else None


CONFIDENCE_WORDS = {
    "high": Confidence.HIGH,
    "medium": Confidence.MEDIUM,
    "med": Confidence.MEDIUM,
    "low": Confidence.LOW,
    "unclear": Confidence.UNCLEAR,
    "unknown": Confidence.UNCLEAR,
}
CONFIDENCE_EMOJI = {
    "✅": "high",
    "⚠": "medium",
    "❓": "unclear",
    "●": "high",
    "◐": "medium",
    "○": "low",
}


def confidence_of(text: str) -> tuple[str | None, str]:
    """'⚠️ Medium - depends on data' -> ('medium', 'depends on data'); None if not understood.

    The word decides (High, Medium, Low, Unclear, ?); an emoji alone (✅ ⚠️ ❓)
    decides only when no word is written. An empty text is ('', '').
    """
    raw = text.strip()
    if not raw:
        return "", ""
    words = plain(raw)
    match = re.match(
        r"^(high|medium|med|low|unclear|unknown|\?)(?![\w])\s*(?:[-—\u2013:]\s*)?(.*)$",
        words,
        re.I | re.S,
    )
    if match:
        word = match.group(1).lower()
        return CONFIDENCE_WORDS.get(word, Confidence.UNCLEAR), match.group(2).strip()
    for symbol, value in CONFIDENCE_EMOJI.items():
        if raw.startswith(symbol):
            return value, words.lstrip("●◐○").strip(" " + DASHES)
    return None, words


def undecorated(text: str) -> str:
    """Without the emoji an author puts in front ("✅ Resolved"); the rest as written."""
    return re.sub("^(?:" + EMOJI.pattern + r"|\s)+", "", text).strip()


LEGACY_JD_STATUS_LABELS = [
    (JDStatus.NOT_STARTED, "Not started"),
    (JDStatus.DRAFT, "Draft"),
    (JDStatus.COMPLETE, "Complete"),
    (JDStatus.COMPLETE_INTERNAL_EXTERNAL, "Complete (internal + external)"),
]


def choice(choices, text: str, default=None):
    wanted = norm(text)
    for value, label in choices:
        if wanted in (norm(str(value)), norm(str(label))):
            return value
    return default


LEVEL_WORDS = {
    "senior": Level.SENIOR,
    "mid or senior": Level.MID_OR_SENIOR,
    "mid level": Level.MID,
    "mid": Level.MID,
    "junior": Level.JUNIOR,
}


def parse_heading_title(text: str) -> dict:
    """'2. Senior Operations Engineer (AI-Powered Support Automation)' -> fields."""
    # Decoration before the number ("✅ 1. ...") goes; the title's own words stay.
    title = re.sub(r"^(?:[\W_]*?\s)?\d+[.)]\s+", "", text.strip(), count=1)
    title = re.sub(r"^" + EMOJI.pattern + r"+\s*", "", title).strip()
    found: dict = {}
    while True:
        match = re.search(r"\s*\(([^()]*)\)\s*$", title)
        if not match:
            break
        inner = match.group(1).strip()
        words = norm(inner)
        if re.fullmatch(r"x\s*\d+", words):
            found["headcount"] = int(re.sub(r"\D", "", words))
        elif words in LEVEL_WORDS:
            found["level"] = LEVEL_WORDS[words]
        elif words.startswith("ops"):
            found["function"] = Function.OPERATIONS
        elif words.startswith("eng"):
            found["function"] = Function.ENGINEERING
        else:
            found["subtitle"] = inner
        title = title[: match.start()].strip()
    found["title"] = title
    if "level" not in found:
        lowered = title.lower()
        for prefix, level in (
            ("senior ", "senior"),
            ("mid-level ", "mid"),
            ("mid ", "mid"),
            ("junior ", "junior"),
        ):
            if lowered.startswith(prefix):
                found["level"] = level
                break
    return found


def make_slug(text: str, taken: set[str], limit: int = 60) -> str:
    base = slugify(text)[:limit].strip("-") or "item"
    if len(slugify(text)) > limit and "-" in base:
        base = base.rsplit("-", 1)[0]
    slug, n = base, 2
    while slug in taken:
        slug = f"{base[: limit - 4]}-{n}"
        n += 1
    taken.add(slug)
    return slug


STOPWORDS = {
    "the",
    "a",
    "an",
    "of",
    "for",
    "and",
    "x2",
    "x3",
    "hire",
    "hires",
    "engineer",
    "engineers",
    "role",
    "roles",
    "product",
    "level",
    "to",
    "in",
    "on",
}
LEVEL_NAME_WORDS = {"senior", "mid", "junior", "lead", "staff", "principal"}


def words_of(text: str) -> set[str]:
    return {w for w in norm(text).split() if w not in STOPWORDS}


def name_words(text: str) -> set[str]:
    """The words that name a hire ("Mid Dashboard" -> {"dashboard"})."""
    return words_of(re.sub(r"\s+x\d+$", "", plain(text))) - LEVEL_NAME_WORDS


# Status lines: each comma-separated part is one of these (words in order).
JD_STATUS_WORDS = [
    (r"\bjd (is )?complete\b.*\binternal\b.*\bexternal\b", JDStatus.COMPLETE_INTERNAL_EXTERNAL),
    (r"\bjd (is )?(complete|ready|done)\b", JDStatus.COMPLETE),
    (r"\bjd (is )?(in progress|being written|started|underway)\b", JDStatus.DRAFT),
    (r"\bjd (is )?(in )?draft\b|\bdraft jd\b", JDStatus.DRAFT),
    (
        r"\bno jd( yet)?\b|\bjd (is )?not started\b|^not started$|\bjd (is )?missing\b",
        JDStatus.NOT_STARTED,
    ),
]
STATUS_SUMMARY_WORDS = {
    "jd interview ready": (JDStatus.COMPLETE, True),
    "jd ready": (JDStatus.COMPLETE, False),
    "jd in draft": (JDStatus.DRAFT, False),
    "jd in progress": (JDStatus.DRAFT, False),
    "no jd yet": (JDStatus.NOT_STARTED, False),
}


def read_status(text: str) -> tuple[dict, list[str]]:
    """'✅ JD complete, interview guide complete, candidate (Yousof) identified' -> fields.

    Returns the fields the line states and the parts it could not read.
    """
    found: dict = {}
    unknown: list[str] = []
    for part in split_top_level(plain(text)):
        words = norm(part)
        candidate = re.search(r"candidate\s*\(([^)]*)\)", part, re.I)
        if candidate:
            found["candidate_name"] = candidate.group(1).strip()
            continue
        if re.fullmatch(r"(interview )?guide (is )?(complete|ready|done)", words):
            found["interview_guide_complete"] = True
            continue
        if re.fullmatch(r"(no )?(interview )?guide (not started|not yet|in progress|yet)?", words):
            found["interview_guide_complete"] = False
            continue
        for pattern, value in JD_STATUS_WORDS:
            if re.search(pattern, words):
                found[JD_STATUS_FIELD] = value
                break
        else:
            summary = STATUS_SUMMARY_WORDS.get(words)
            if summary:
                found[JD_STATUS_FIELD], guide = summary
                found["interview_guide_complete"] = guide
            else:
                unknown.append(part)
    return found, unknown


# The stage rule: "Samee or Haroun for senior roles".
SCOPE_WORDS = {"engineering": "engineering", "technical": "engineering", "senior": "senior"}
NAME_JOINERS = {"or", "and", "&", "/", "+", "with", "van", "de", "der", "von", "al", "el", "bin"}


def looks_like_names(text: str) -> bool:
    """'Samee or Haroun', 'Yousuf Algaburi': every word a capitalised name or a joiner."""
    words = [w for w in re.split(r"[\s,]+", text.strip()) if w]
    if not words or any(not re.match(r"^[\w'.-]+$", w) for w in words):
        return False
    return all(w.lower() in NAME_JOINERS or w[0].isupper() for w in words) and any(
        w[0].isupper() for w in words
    )


def read_stage_rest(rest: str) -> dict:
    """What follows a stage's dash: focus, or who interviews, and which roles go through it."""
    stage = {"interviewer": "", "focus": "", "applies_to": AppliesTo.ALL}
    scoped = re.match(r"^(?:(.*?)\s+)?for\s+(\w+)\s+roles?$", rest, re.I | re.S)
    scope = SCOPE_WORDS.get(scoped.group(2).lower()) if scoped else None
    if scope is None:
        stage["focus"] = rest
        return stage
    stage["applies_to"] = scope
    before = (scoped.group(1) or "").strip()
    if not looks_like_names(before):
        stage["focus"] = before
    elif scoped.group(2).lower() == "technical":
        stage["interviewer"] = rest  # the seed's words, kept whole
    else:
        stage["interviewer"] = before
    return stage


# --- The report -------------------------------------------------------------------------


@dataclass
class Placement:
    """Something the import will create, and the lines it was read from."""

    kind: str  # "hire", "problem", "stage"
    name: str
    lines: list[tuple[str, int]]  # (document, line number)

    def where(self) -> str:
        by_doc: dict[str, list[int]] = {}
        for doc, no in self.lines:
            by_doc.setdefault(doc, []).append(no)
        parts = []
        for doc, nos in by_doc.items():
            numbers = ", ".join(str(n) for n in sorted(set(nos)))
            parts.append(f"{doc}, line{'s' if len(set(nos)) > 1 else ''} {numbers}")
        return "; ".join(parts)


@dataclass
class Disagreement:
    subject: str  # "Confidence of “Senior Pam Core Engineer” for #2"
    kept: str  # "Medium (proposed-hires table, line 18)"
    other: str  # "High (summary table, line 40)"

    def sentence(self) -> str:
        return f"{self.subject}: kept {self.kept}; the document also says {self.other}."


@dataclass
class Parsed:
    data: dict
    unplaced: list[tuple[str, int, str]]  # (document, line number, text)
    notes: list[str]
    placements: list[Placement] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)

    def report(self) -> dict:
        """Plain data for the preview page (kept with a pending import)."""
        return {
            "unplaced": self.unplaced,
            "notes": self.notes,
            "placements": [
                {"kind": p.kind, "name": p.name, "where": p.where()} for p in self.placements
            ],
            "disagreements": [d.sentence() for d in self.disagreements],
        }


# --- Mapping --------------------------------------------------------------------------


class _Role:
    def __init__(self, fields: dict, origin: str, where: tuple[str, int] | None):
        self.fields = {"origin": origin, **fields}
        self.lines: list[tuple[str, int]] = [where] if where else []
        self.problem_solved = ""
        self.problem_line: int | None = None
        self.criteria: list[dict] = []
        self.items: list[dict] = []
        self.landscape: list[dict] = []
        self.details: dict[str, str] = {}
        self.first: dict | None = None  # the proposed-hires row
        self.summary: dict | None = None  # the summary row
        self.stated_confidence: tuple[str, int] | None = None  # breakdown's Confidence line
        self.status_seen = False
        self.in_breakdown = False

    @property
    def title(self):
        return self.fields["title"]


class Mapper:
    def __init__(self, proposal: Document):
        self.doc = proposal.name
        self.plan: dict = {}
        self.problems: list[dict] = []
        self.problem_lines: dict[int, list[tuple[str, int]]] = {}
        self.roles: list[_Role] = []
        self.first_rows: list = []
        self.summary_rows: list = []
        self.coverage: list[dict] | None = None
        self.stages: list[dict] = []
        self.stage_lines: list[list[tuple[str, int]]] = []
        self.focus: list[dict] = []
        self.questions: list[dict] = []
        self.steps: list[dict] = []
        self.explicit_problems = False
        self.notes: list[str] = []
        self.disagreements: list[Disagreement] = []
        self.bands: list[dict] = []
        self.budget: dict | None = None

    # -- the proposal ------------------------------------------------------------------

    def read_proposal(self, root: Section):
        for section in self._flatten_top(root):
            if section.level and section.node is not None and not self.plan.get("title"):
                self.plan["title"] = undecorated(section.title)
                section.node.placed = True
                self._read_plan_header(section)
                continue
            self._read_section(section)

    def _flatten_top(self, root: Section):
        """The title section, then the proposal's sections at whatever heading level."""
        self._read_plan_header(root)
        for child in root.children:
            if not self.plan.get("title"):
                yield Section(child.title, child.level, child.node, child.blocks, [])
                yield from child.children
            else:
                yield child

    def _read_plan_header(self, section: Section):
        for paragraph in section.paragraphs():
            for node, text in paragraph.pairs():
                label = inline(text).label
                if label and norm(label).startswith(
                    ("period", "starts on", "prepared on", "proposed by")
                ):
                    self._plan_details(details(text))
                    node.placed = True

    def _plan_details(self, found: dict):
        for key, name in (("period", "period"), ("proposed by", "proposed_by")):
            if key in found:
                self.plan[name] = found[key]
        for key, name in (("starts on", "starts_on"), ("prepared on", "prepared_on")):
            if key in found:
                self.plan[name] = found[key] or None
        if "interview process" in found:
            self.plan["interview_process_status"] = choice(
                InterviewProcessStatus.choices, found["interview process"], "draft"
            )

    def _read_section(self, section: Section):
        name = norm(section.title)
        if not section.node:
            return
        handlers = [
            (("core question",), self._core_question),
            (("hires vs", "proposed hires"), self._first_mapping),
            (("breakdown",), self._breakdown),
            (("missing hires", "recommend"), self._recommended),
            (("summary", "confidence matrix"), self._summary),
            (("coverage",), self._coverage),
            (("at what cost",), self._costs),
            (("interview process",), self._process),
            (("open questions",), self._questions),
            (("next steps",), self._steps),
            (("problem",), self._problems),
        ]
        for words, handler in handlers:
            if any(w in name for w in words):
                section.node.placed = True
                handler(section)
                return

    def _core_question(self, section: Section):
        paragraphs = section.paragraphs()
        question = next((p for p in paragraphs if re.fullmatch(r"\*\*.+\*\*", p.text)), None)
        if question:
            self.plan["core_question"] = unbold(question.text)
            for node in question.lines:
                node.placed = True
        intro = [p for p in paragraphs if p is not question]
        if intro:
            self.plan["introduction"] = "\n\n".join(p.text for p in intro)
            for p in intro:
                for node in p.lines:
                    node.placed = True
        for child in section.children:
            self._read_section(child)

    def _problems(self, section: Section):
        for table in section.tables():
            title = table.column("problem")
            impact = table.column("impact")
            cause = table.column("root cause", "cause")
            short = table.column("short")
            slug = table.column("slug")
            dealt, note, question, step = (table.column(norm(name)) for name in DISPOSITION_COLUMNS)
            self.explicit_problems = slug is not None
            table.place_head()
            for row in table.rows:
                cells = row.cells
                rank_text = plain(at(cells, 0)).lstrip("#")
                problem = {
                    "rank": int(rank_text) if is_digits(rank_text) else None,
                    "title": unbold(at(cells, title)),
                    "impact": at(cells, impact),
                    "root_cause": at(cells, cause),
                }
                if short is not None:
                    problem["short_title"] = at(cells, short)
                if slug is not None:
                    problem["slug"] = at(cells, slug).strip("`")
                if dealt is not None:
                    said = plain(at(cells, dealt))
                    problem["disposition"] = choice(Disposition.choices, said, Disposition.HIRING)
                    if said and norm(said) not in {
                        norm(label) for label in (*Disposition.labels, *Disposition.values)
                    }:
                        self.notes.append(
                            f"Problem “{problem['title']}”: “{said}” is not a way of dealing "
                            "with a problem; taken as solved by hiring."
                        )
                    problem["disposition_note"] = at(cells, note)
                    for key, index in (
                        ("disposition_question", question),
                        ("disposition_step", step),
                    ):
                        number = plain(at(cells, index)).lstrip("#")
                        problem[key] = int(number) if is_digits(number) else None
                self.problems.append(problem)
                problem["_lines"] = [(self.doc, row.node.no)]
                row.node.placed = True
        for child in section.children:
            self._read_section(child)

    def _first_mapping(self, section: Section):
        match = re.match(r"^(.*?)['\u2019]s\b", plain(section.title))
        if match:
            self.plan["proposed_by"] = match.group(1).strip()
        for table in section.tables():
            table.place_head()
            self.first_rows.extend(table.rows)
        for child in section.children:
            if "gap" in norm(child.title):
                self._computed(child, "the app computes gaps from the coverage")
            else:
                self._read_section(child)

    def _computed(self, section: Section, why: str):
        nodes = [n for n in section.nodes() if not n.placed]
        if nodes:
            self.notes.append(
                f"Lines {nodes[0].no}\u2013{nodes[-1].no} (“{plain(section.title)}”) "
                f"were not imported: {why}."
            )
        for node in nodes:
            node.placed = True

    def _costs(self, section: Section):
        """The band table and the budget; the rest of the section is computed by the app."""
        for paragraph in section.paragraphs():
            for node, text in paragraph.pairs():
                parts = inline(text)
                if parts.label and norm(parts.label).startswith("budget"):
                    found = re.match(r"`?([A-Za-z]{3})\s+([\d,]+)", plain(parts.rest))
                    if found:
                        self.budget = {
                            "budget_currency": found.group(1).upper(),
                            "budget_amount": int(found.group(2).replace(",", "")),
                        }
                    node.placed = True
        for child in section.children:
            if "band" not in norm(child.title):
                continue
            child.node.placed = True
            for table in child.tables():
                table.place_head()
                level, currency = table.column("level"), table.column("currency")
                low, high = table.column("minimum", "min"), table.column("maximum", "max")
                for row in table.rows:
                    found = choice(Level.choices, at(row.cells, level))
                    if found is None:
                        self.notes.append(f"Band “{at(row.cells, level)}” is not a known level.")
                        continue
                    self.bands.append(
                        {
                            "level": found,
                            "currency": at(row.cells, currency),
                            "annual_min": at(row.cells, low).replace(",", ""),
                            "annual_max": at(row.cells, high).replace(",", ""),
                        }
                    )
                    row.node.placed = True
        self._computed(section, "the app computes costs and the timeline")

    def _breakdown(self, section: Section):
        self._hires(section, Origin.PROPOSED)

    def _recommended(self, section: Section):
        self._hires(section, Origin.RECOMMENDED)

    def _hires(self, section: Section, origin: str):
        for child in section.children:
            has_hire = any(
                (label := inline(text).label) and "problem solved" in norm(label)
                for p in child.paragraphs()
                for text in p.texts
            )
            if has_hire:
                self._hire(child, origin)
            else:
                # A grouping heading ("ABOVE THE FOLD"): its hires are below it.
                if child.node and not child.blocks:
                    child.node.placed = True
                    self.notes.append(
                        f"Line {child.node.no} (“{plain(child.title)}”) was not imported: "
                        "a heading that only groups hires."
                    )
                self._hires(child, origin)

    def _hire(self, section: Section, origin: str):
        role = _Role(parse_heading_title(section.title), origin, (self.doc, section.node.no))
        role.in_breakdown = True
        section.node.placed = True
        self.roles.append(role)
        summary: list[str] = []
        list_target: str | None = "what_they_do"
        for block in section.blocks:
            if isinstance(block, Table):
                self._criteria_table(role, block)
                continue
            if isinstance(block, ListBlock):
                for item in block.items:
                    if list_target == "what_they_do":
                        self._item(role, ItemKind.WHAT_THEY_DO, item.text)
                    elif list_target == "interview_focus":
                        self._item(role, ItemKind.INTERVIEW_FOCUS, item.text)
                    elif list_target:
                        existing = role.fields.get(list_target, "")
                        text = "- " + item.text
                        role.fields[list_target] = (existing + "\n" if existing else "") + text
                    else:
                        continue
                    item.place()
                continue
            if not isinstance(block, Paragraph):
                continue
            free: list[str] = []
            for node, text in block.pairs():
                parts = inline(text)
                if parts.label is None:
                    free.append(text)
                    node.placed = True
                    list_target = "what_they_do"
                    continue
                key, rest = norm(parts.label), parts.rest.lstrip(":").strip()
                node.placed = True
                list_target = None
                if key.startswith("problem solved"):
                    role.problem_solved = rest
                    role.problem_line = node.no
                elif key.startswith("interview focus"):
                    if rest:
                        for text in split_top_level(rest):
                            self._item(role, ItemKind.INTERVIEW_FOCUS, text)
                    else:
                        list_target = "interview_focus"
                elif key.startswith("status"):
                    self._status(role, rest, node.no)
                elif key.startswith("confidence"):
                    value, _note = confidence_of(rest)
                    if value is None:
                        self.notes.append(
                            f"Line {node.no}: “{rest}” is not a confidence; not imported."
                        )
                    else:
                        role.stated_confidence = (value, node.no)
                elif key.startswith("key mindset"):
                    role.fields["key_mindset"] = rest
                elif key.startswith("key difference"):
                    raw = re.sub(
                        r"^key difference( from)?\s*",
                        "",
                        undecorated(parts.label).rstrip(":"),
                        flags=re.I,
                    )
                    role.fields["key_difference_from"] = raw.strip()
                    role.fields["key_difference"] = rest
                elif key.startswith("what they inherit"):
                    role.fields["inherits"] = rest
                elif key.startswith("what they do"):
                    list_target = "what_they_do"
                elif key.startswith("current state"):
                    if rest:
                        role.fields["current_state"] = rest
                    else:
                        list_target = "current_state"
                elif key.startswith("why"):
                    role.fields["why_now"] = rest
                elif key.startswith("details"):
                    role.details = details(rest)
                else:
                    node.placed = False
            if free:
                summary.append("\n".join(free))
        if summary:
            role.fields["proposal_summary"] = "\n\n".join(summary)
        for child in section.children:
            self._read_section(child)

    def _criteria_table(self, role: _Role, table: Table):
        when = table.column("timeframe", "when")
        what = table.column("success", "criteria", "target")
        if when is None or what is None:
            return
        table.place_head()
        for row in table.rows:
            months = timeframe_of(at(row.cells, when))
            target = at(row.cells, what)
            if months is None or not target:
                continue
            role.criteria.append(
                {"timeframe": months, "metric": "", "target": target, "how_measured": ""}
            )
            row.node.placed = True

    def _status(self, role: _Role, text: str, line: int):
        found, unknown = read_status(text)
        role.status_seen = True
        role.fields.update(found)
        for part in unknown:
            self.notes.append(
                f"Hire “{role.title}”, line {line}: the status “{part}” is not one the app "
                "knows (JD complete, in progress, draft, no JD yet; guide complete; candidate "
                "identified); it was not imported."
            )

    def _summary(self, section: Section):
        for table in section.tables():
            table.place_head()
            self.summary_rows.extend(table.rows)
        for child in section.children:
            self._read_section(child)

    def _coverage(self, section: Section):
        self.coverage = []
        for table in section.tables():
            table.place_head()
            hire, problem = table.column("hire"), table.column("problem")
            conf, why = table.column("confidence"), table.column("rationale", "why")
            for row in table.rows:
                value, _ = confidence_of(at(row.cells, conf))
                if value is None:
                    self.notes.append(
                        f"Line {row.node.no}: “{at(row.cells, conf)}” is not a confidence."
                    )
                    continue
                self.coverage.append(
                    {
                        "role": [at(row.cells, hire).strip("`")],
                        "problem": [at(row.cells, problem).strip("`")],
                        "confidence": value,
                        "rationale": at(row.cells, why),
                    }
                )
                row.node.placed = True

    def _process(self, section: Section):
        status = re.search(r"\(([^)]*)\)\s*$", plain(section.title))
        if status:
            self.plan["interview_process_status"] = choice(
                InterviewProcessStatus.choices, status.group(1), InterviewProcessStatus.DRAFT
            )
        self._stages(section)
        for child in section.children:
            name = norm(child.title)
            if "technical" in name or "specific" in name:
                child.node.placed = True
                self._focus(child)
            else:
                if "all roles" in name or "stages" in name or "loop" in name:
                    child.node.placed = True
                self._stages(child)
                for grandchild in child.children:
                    self._read_section(grandchild)

    def _stages(self, section: Section):
        for item in section.items():
            if item.number is None:
                continue
            match = re.match(
                r"^\*\*(.+?)\*\*\s*\((\d+)\s*min\w*\)\s*(?:[-—\u2013:]\s*(.*))?$", item.text, re.S
            )
            if not match:
                continue
            stage = {
                "position": len(self.stages) + 1,
                "name": match.group(1).strip(),
                "duration_minutes": int(match.group(2)),
                **read_stage_rest((match.group(3) or "").strip()),
                "roles": [],
            }
            self.stages.append(stage)
            lines = [(self.doc, item.node.no)]
            item.place()
            for sub in (i for block in item.sublists for i in block.items):
                found = re.match(r"^([A-Za-z ]+):\s*(.*)$", sub.text, re.S)
                if not found:
                    continue
                key, value = norm(found.group(1)), found.group(2).strip()
                if key == "interviewer":
                    stage["interviewer"] = value
                elif key == "focus":
                    stage["focus"] = value
                elif key == "applies to":
                    stage["applies_to"] = choice(
                        [(v, v) for v in AppliesTo.values],
                        value.split()[0] if value else "",
                        AppliesTo.ALL,
                    )
                elif key == "hires":
                    stage["roles"] = [[s.strip().strip("`")] for s in value.split(",") if s.strip()]
                else:
                    continue
                sub.place()
                lines.append((self.doc, sub.node.no))
            self.stage_lines.append(lines)

    def _focus(self, section: Section):
        for table in section.tables():
            label, focus, hires = table.column("role"), table.column("focus"), table.column("hires")
            if label is None or focus is None:
                continue
            table.place_head()
            for row in table.rows:
                entry = {
                    "position": len(self.focus) + 1,
                    "label": at(row.cells, label),
                    "focus": at(row.cells, focus),
                }
                if hires is not None:
                    entry["roles"] = [
                        [s.strip().strip("`")] for s in at(row.cells, hires).split(",") if s.strip()
                    ]
                self.focus.append(entry)
                row.node.placed = True

    def _questions(self, section: Section):
        match = re.search(r"\bfor\s+(.+)$", undecorated(section.title), re.I)
        asked_of = match.group(1).strip() if match else ""
        for item in section.items():
            if item.number is None:
                continue
            current = self._question(item.number, item.text, asked_of)
            if not current:
                continue
            item.place()
            for sub in (i for block in item.sublists for i in block.items):
                found = re.match(r"^([A-Za-z ]+):\s*(.*)$", sub.text, re.S)
                if not found:
                    continue
                current["_guess"] = False
                key, value = norm(found.group(1)), found.group(2).strip().strip("`")
                if key == "hire":
                    current["role"] = [value] if value else None
                elif key == "problem":
                    current["problem"] = [value] if value else None
                elif key == "asked of":
                    current["addressed_to"] = value
                else:
                    continue
                sub.place()

    def _question(self, number: int, text: str, asked_of: str) -> dict | None:
        resolved, resolution = False, ""
        parts = inline(text)
        if parts.struck is not None:
            text, after = parts.struck, undecorated(parts.after_struck)
            resolved = True
            resolution = re.sub(r"^resolved\b\s*[-—\u2013:]?\s*", "", after, flags=re.I).strip()
        head = inline(text)
        if head.label is not None:
            topic = head.label
            question = re.sub(r"^[-—\u2013:]\s*", "", head.rest).strip()
        else:
            topic, question = "", text
        if not question:
            return None
        entry = {
            "position": number,
            "topic": topic,
            "question": question,
            "addressed_to": asked_of,
            "resolved": resolved,
            "resolution": resolution or ("Resolved" if resolved else ""),
            "role": None,
            "problem": None,
            "_guess": True,
        }
        self.questions.append(entry)
        return entry

    def _steps(self, section: Section):
        for item in section.items():
            match = re.match(r"^\[( |x|X)\]\s+(.*)$", item.text, re.S)
            if not match:
                continue
            text, owner, due = match.group(2).strip(), "", None
            extra = re.search(r"\s*\((owner:[^)]*|due:[^)]*)\)\s*$", text)
            if extra:
                found = dict(
                    (k.strip().lower(), v.strip())
                    for k, _, v in (p.partition(":") for p in extra.group(1).split(";"))
                )
                owner, due = found.get("owner", ""), found.get("due") or None
                text = text[: extra.start()].strip()
            self.steps.append(
                {
                    "position": len(self.steps) + 1,
                    "text": text,
                    "owner": owner,
                    "due": due,
                    "done": match.group(1).lower() == "x",
                }
            )
            item.place()

    # -- job descriptions --------------------------------------------------------------

    def read_jd(self, document: Document):
        root = document.root
        top = root.children[0] if root.children else None
        if top is None:
            return
        top.node.placed = True
        found = parse_heading_title(top.title)
        own = {}
        for paragraph in top.paragraphs():
            for text in paragraph.texts:
                parts = inline(text)
                if parts.label and norm(parts.label).startswith("details"):
                    own.update(details(parts.rest))
        role = next(
            (r for r in self.roles if own.get("slug") and r.details.get("slug") == own["slug"]),
            None,
        )
        role = role or self._find_role(own.get("title") or found["title"])
        if role is None:
            role = _Role(found, Origin.PROPOSED, (document.name, top.node.no))
            role.in_breakdown = True
            self.roles.append(role)
            self.notes.append(
                f"{document.name}: “{found['title']}” is not a hire in the proposal; it was added."
            )
        else:
            role.lines.append((document.name, top.node.no))
        for paragraph in top.paragraphs():
            for node, text in paragraph.pairs():
                parts = inline(text)
                if parts.label and norm(parts.label).startswith("details"):
                    role.details.update(details(parts.rest))
                    node.placed = True
        for section in top.children:
            self._jd_section(role, section)

    def _find_role(self, title: str) -> _Role | None:
        for role in self.roles:
            if norm(role.title) == norm(title):
                return role
        return None

    def _jd_section(self, role: _Role, section: Section):
        name = norm(section.title)
        section.node.placed = True
        if "problem" in name:
            self._labelled(
                role,
                section,
                keep_others=False,
                names={
                    "problem": "problem_statement",
                    "root cause": "root_cause",
                    "current state": "current_state",
                    "why now": "why_now",
                },
            )
        elif "summary" in name:
            texts = self._labelled(
                role,
                section,
                names={"key distinction": "key_distinction", "tech stack": "tech_stack"},
            )
            if texts:
                role.fields["role_summary"] = "\n\n".join(texts)
        elif "responsibilit" in name:
            self._list(role, section, ItemKind.RESPONSIBILITY, "")
            for child in section.children:
                child.node.placed = True
                group = re.sub(r"^\d+[.)]\s*", "", undecorated(child.title))
                self._list(role, child, ItemKind.RESPONSIBILITY, group)
        elif "success" in name:
            for child in section.children:
                months = timeframe_of(child.title)
                if months is None:
                    continue
                child.node.placed = True
                for table in child.tables():
                    table.place_head()
                    metric, target, how = (
                        table.column("metric"),
                        table.column("target"),
                        table.column("measure"),
                    )
                    for row in table.rows:
                        role.criteria.append(
                            {
                                "timeframe": months,
                                "metric": unbold(at(row.cells, metric)),
                                "target": at(row.cells, target),
                                "how_measured": at(row.cells, how),
                            }
                        )
                        row.node.placed = True
        elif "requirement" in name or "must have" in name:
            kinds = {
                "must": ItemKind.MUST_HAVE,
                "nice": ItemKind.NICE_TO_HAVE,
                "mindset": ItemKind.MINDSET,
            }
            for child in [section, *section.children]:
                kind = next((k for w, k in kinds.items() if w in norm(child.title)), None)
                if kind:
                    child.node.placed = True
                    self._list(role, child, kind, "")
        elif "mindset" in name:
            self._list(role, section, ItemKind.MINDSET, "")
        elif "first 30" in name or "work on" in name:
            group, note = "", []
            for block in section.blocks:
                if isinstance(block, ListBlock):
                    for item in block.items:
                        self._item(role, ItemKind.FIRST_30_DAYS, item.text, group)
                        item.place()
                elif isinstance(block, Paragraph):
                    label = inline(block.text)
                    if label.label and not label.rest and label.label.endswith(":"):
                        group = label.label.rstrip(":").strip()
                    elif label.label and label.rest == ":":
                        group = label.label.strip()
                    else:
                        note.append(block.text)
                    for node in block.lines:
                        node.placed = True
            if note:
                role.fields["first_30_days_note"] = "\n\n".join(note)
        elif "reporting" in name or "team" in name:
            self._reporting(role, section)
        elif "red flag" in name:
            self._list(role, section, ItemKind.RED_FLAG, "")
        elif "landscape" in name or any(norm(at(t.header, 0)) == "area" for t in section.tables()):
            role.fields["landscape_title"] = undecorated(section.title)
            for table in section.tables():
                table.place_head()
                covers, features = table.column("cover"), table.column("feature")
                for row in table.rows:
                    role.landscape.append(
                        {
                            "area": unbold(at(row.cells, 0)),
                            "covers": at(row.cells, covers),
                            "typical_features": at(row.cells, features),
                        }
                    )
                    row.node.placed = True
        elif "interview" in name:
            for paragraph in section.paragraphs():
                for node, text in paragraph.pairs():
                    if re.search(r"\]\([^)]*\)", text) or "interview guide" in text.lower():
                        node.placed = True  # points at the interview guide, which the app writes
        elif "compensation" in name:
            for block in section.blocks:
                if isinstance(block, ListBlock):
                    for item in block.items:
                        found = re.match(r"^(level|location|range)\s*:\s*(.*)$", item.text, re.I)
                        if found:
                            value = found.group(2).strip()
                            if value.startswith("[") and value.endswith("]"):
                                value = value[1:-1]
                            role.fields[f"compensation_{found.group(1).lower()}"] = value
                            item.place()
                elif isinstance(block, Paragraph):
                    value = block.text.strip("*_ ")
                    value = value[1:-1] if value.startswith("[") and value.endswith("]") else value
                    role.fields["compensation_note"] = value
                    for node in block.lines:
                        node.placed = True
        else:
            section.node.placed = False  # a section the JD format has no place for
        for child in section.children:
            if child.node.placed:
                continue
            self._jd_section(role, child)

    def _labelled(self, role: _Role, section: Section, names: dict, keep_others=True) -> list[str]:
        """Labelled paragraphs ('**Root Cause:** ...', or a label over a list) into fields.

        Blocks after a label belong to it until the next label: a list's items join
        with a line break, a new paragraph with a blank line. Unlabelled paragraphs
        before any label are returned (``keep_others``) or left unplaced.
        """
        others: list[str] = []
        target = None
        for block in section.blocks:
            if isinstance(block, ListBlock):
                if target:
                    text = "\n".join("- " + item.text for item in block.items)
                    existing = role.fields.get(target, "")
                    role.fields[target] = (existing + "\n" if existing else "") + text
                    for item in block.items:
                        item.place()
                continue
            if not isinstance(block, Paragraph):
                continue
            parts = inline(block.texts[0])
            key = norm(parts.label) if parts.label else ""
            if key in names:
                target = names[key]
                rest = [parts.rest.lstrip(":").strip(), *block.texts[1:]]
                role.fields[target] = "\n".join(rest).strip("\n")
            elif target:
                existing = role.fields.get(target, "")
                role.fields[target] = (existing + "\n\n" if existing else "") + block.text
            elif keep_others:
                others.append(block.text)
            else:
                continue
            for node in block.lines:
                node.placed = True
        return others

    def _list(self, role: _Role, section: Section, kind: str, group: str):
        for item in section.items():
            self._item(role, kind, item.text, group)
            item.place()

    def _item(self, role: _Role, kind: str, text: str, group: str = ""):
        role.items.append({"kind": kind, "text": text, "group": group})

    def _reporting(self, role: _Role, section: Section):
        for item in section.items():
            parts = inline(item.text)
            if not parts.label:
                continue
            key, rest = norm(parts.label), parts.rest.lstrip(":").strip()
            target = None
            if key.startswith("reports to"):
                role.fields["reports_to"] = rest
            elif key.startswith("works with"):
                target = ItemKind.WORKS_WITH
            elif key.startswith("stakeholder"):
                target = ItemKind.STAKEHOLDER
            else:
                continue
            item.place()
            if target:
                for part in split_top_level(rest):
                    self._item(role, target, part)
                for sub in (i for block in item.sublists for i in block.items):
                    self._item(role, target, sub.text)
                    sub.place()

    # -- putting it together -----------------------------------------------------------

    def build(self) -> dict:
        self._match_tables()
        self._order_roles()
        taken_roles: set[str] = set()
        for position, role in enumerate(self.roles, start=1):
            role.fields["position"] = position
            role.fields["slug"] = role.details.get("slug") or make_slug(role.title, taken_roles, 80)
            taken_roles.add(role.fields["slug"])
        self._apply_details()
        problems = self._build_problems()
        coverage = self.coverage if self.coverage is not None else self._derive_coverage(problems)
        self._link_questions(problems)
        self._link_focus()
        self.placements = self._placements(problems)
        for problem in problems:
            problem.pop("_lines", None)
        data = {
            "plan": self._plan_fields(),
            "problems.problem": problems,
            "roles.role": [dict(r.fields) for r in self.roles],
            "coverage.coverage": coverage,
            "roles.successcriterion": [],
            "roles.jditem": [],
            "roles.landscapearea": [],
            "interviews.interviewstage": self.stages,
            "interviews.technicalfocus": [{**f, "roles": f.get("roles", [])} for f in self.focus],
            "interviews.stagechoice": [],
            "interviews.question": [],
            "problems.openquestion": [
                {k: v for k, v in q.items() if not k.startswith("_")} for q in self.questions
            ],
            "problems.nextstep": self.steps,
            "roles.compensationband": self.bands,
            "roles.plancompensation": [self.budget] if self.budget else [],
        }
        for role in self.roles:
            slug = [role.fields["slug"]]
            for position, row in enumerate(role.criteria):
                data["roles.successcriterion"].append({"role": slug, "position": position, **row})
            counters: dict[str, int] = {}
            for row in role.items:
                position = counters.get(row["kind"], 0)
                counters[row["kind"]] = position + 1
                data["roles.jditem"].append(
                    {
                        "role": slug,
                        "kind": row["kind"],
                        "position": position,
                        "group": row.get("group", ""),
                        "text": row["text"],
                    }
                )
            for position, row in enumerate(role.landscape):
                data["roles.landscapearea"].append({"role": slug, "position": position, **row})
        return data

    def _order_roles(self):
        """Proposed hires first, then recommended ones; each in the order the document gives
        them (the breakdown's order, then hires named only in a table, in table order)."""

        def key(role):
            return (role.fields["origin"] != Origin.PROPOSED, not role.in_breakdown)

        self.roles.sort(key=key)  # stable: document order within each group

    def _plan_fields(self) -> dict:
        plan = dict(self.plan)
        title = plan.get("title", "")
        if "period" not in plan:
            match = re.search(r"\b(Q[1-4]|H[12])\s+(\d{4})\b", title)
            plan["period"] = f"{match.group(1)} {match.group(2)}" if match else title[:60]
        if "starts_on" not in plan:
            start = period_start(plan["period"])
            if start is not None:
                plan["starts_on"] = start.isoformat()
        plan.setdefault("interview_process_status", "draft")
        return plan

    @staticmethod
    def _names(role: _Role) -> set[str]:
        """The names a hire goes by: its title, and the names its details line gives."""
        names = [
            role.title,
            role.details.get("short name", ""),
            role.details.get("first proposed as", ""),
        ]
        return {norm(n) for n in names if norm(n)} | {n.strip() for n in names if n.strip()}

    def _match(self, name: str, candidates: list[_Role]) -> _Role | None:
        """The hire a table names: the most words in common, fewest left over; None if none."""
        wanted = name_words(name)
        if not wanted:
            return None
        best, best_score = None, (0, 0.0)
        for role in candidates:
            have = set().union(*(name_words(n) for n in self._names(role)))
            common = wanted & have
            if not common:
                continue
            score = (len(common), len(common) / len(wanted | have))
            if score > best_score:
                best, best_score = role, score
        return best

    def _match_tables(self):
        """Rows of the proposed-hires and summary tables belong to hires by name; a row that
        names no hire of the document is a hire of its own."""
        for rows, kind in ((self.first_rows, "first"), (self.summary_rows, "summary")):
            taken: set[int] = set()
            chosen: dict[int, _Role] = {}
            named = [(row, at(row.cells, 0)) for row in rows]
            named = [(row, raw, re.sub(r"\s+x\d+$", "", raw).strip()) for row, raw in named if raw]
            for exact in (True, False):
                for row, raw, name in named:
                    if id(row) in chosen:
                        continue
                    free = [r for r in self.roles if id(r) not in taken]
                    if exact:
                        wanted = {norm(name), norm(raw), name, raw} - {""}
                        role = next((r for r in free if wanted & self._names(r)), None)
                    else:
                        role = self._match(name, free)
                    if role is not None:
                        chosen[id(row)] = role
                        taken.add(id(role))
            for row, raw, name in named:
                cells = row.cells
                headcount = re.search(r"\s+x(\d+)$", raw)
                role = chosen.get(id(row))
                if role is None:
                    role = _Role(parse_heading_title(name), Origin.PROPOSED, None)
                    self.roles.append(role)
                    self.notes.append(
                        f"Line {row.node.no}: “{name}” has no section of its own; "
                        "it is imported as a hire from the table."
                    )
                role.lines.append((self.doc, row.node.no))
                row.node.placed = True
                if headcount and "headcount" not in role.fields:
                    role.fields["headcount"] = int(headcount.group(1))
                if kind == "first":
                    value, note = confidence_of(at(cells, 2))
                    if value is None:
                        self.notes.append(
                            f"Line {row.node.no}: “{at(cells, 2)}” is not a confidence; "
                            f"“{name}” keeps none as first proposed."
                        )
                        value = ""
                    role.first = {"name": name, "line": row.node.no, "value": value}
                    role.fields["first_mapping"] = at(cells, 1)
                    role.fields["first_confidence"] = value
                    role.fields["first_confidence_note"] = note
                else:
                    value, _note = confidence_of(at(cells, 2))
                    if value is None:
                        self.notes.append(
                            f"Line {row.node.no}: “{at(cells, 2)}” is not a confidence."
                        )
                        value = ""
                    role.summary = {"name": name, "line": row.node.no, "value": value}
                    role.fields["summary_problem"] = at(cells, 1)
                    status = at(cells, 3)
                    if status and not role.status_seen:
                        found, unknown = read_status(status)
                        role.fields.update(found)
                        for part in unknown:
                            self.notes.append(
                                f"Line {row.node.no}: the status “{part}” is not one the app "
                                "knows; it was not imported."
                            )
        for role in self.roles:
            first = role.first["name"] if role.first else ""
            summary = role.summary["name"] if role.summary else ""
            role.fields["short_name"] = summary or first or role.title
            role.fields["first_proposed_as"] = (
                first if first and summary and first != summary else ""
            )

    def _apply_details(self):
        simple = {
            "short name": "short_name",
            "first proposed as": "first_proposed_as",
            "first mapping": "first_mapping",
            "first confidence note": "first_confidence_note",
            "summary problem": "summary_problem",
            "candidate": "candidate_name",
            "subtitle": "subtitle",
            "title": "title",
        }
        choices = {
            "level": ("level", Level.choices),
            "function": ("function", Function.choices),
            "decision": ("decision", Decision.choices),
            # The report's labels, and those of exports written before it was a report.
            "jd status": (JD_STATUS_FIELD, [*JDStatus.choices, *LEGACY_JD_STATUS_LABELS]),
            "origin": ("origin", Origin.choices),
            "first confidence": ("first_confidence", [*Confidence.choices, ("", "none")]),
        }
        for role in self.roles:
            for key, value in role.details.items():
                if key in simple:
                    role.fields[simple[key]] = value
                elif key in choices:
                    name, options = choices[key]
                    found = choice(options, value)
                    if found is None:
                        self.notes.append(f"Hire “{role.title}”: “{value}” is not a known {key}.")
                    else:
                        role.fields[name] = found
                elif key == "headcount" and is_digits(value):
                    role.fields["headcount"] = int(value)
                elif key == "interview guide":
                    role.fields["interview_guide_complete"] = norm(value) in (
                        "complete",
                        "yes",
                        "done",
                    )
                elif key == "target start":
                    role.fields["target_start"] = f"{value}-01" if value else None
                elif key == "band override":
                    found = re.match(r"([A-Za-z]{3})\s+([\d,]+)\s*[-\u2013]\s*([\d,]+)", value)
                    if found:
                        role.fields["band_override_currency"] = found.group(1).upper()
                        role.fields["band_override_min"] = int(found.group(2).replace(",", ""))
                        role.fields["band_override_max"] = int(found.group(3).replace(",", ""))
                    elif value:
                        self.notes.append(f"Hire “{role.title}”: band override “{value}” unclear.")
                elif key == "position":
                    pass
                elif key != "slug":
                    self.notes.append(f"Hire “{role.title}”: detail “{key}” is not known.")

    def _build_problems(self) -> list[dict]:
        problems = self.problems
        taken = {p["slug"] for p in problems if p.get("slug")}
        by_rank = {p["rank"]: p for p in problems if p.get("rank")}
        for role in self.roles:
            role.segments = []
            role.first_ranks = []
            if role.first and role.first["value"] != "":
                role.first_ranks = [
                    int(n) for n in re.findall(r"#(\d+)", role.fields["first_mapping"])
                ]
            text = role.problem_solved
            if not text or plain(text) in ("—", "-", "\u2013", "?"):
                # Only the proposed-hires table says what it solves.
                for rank in role.first_ranks:
                    role.segments.append((rank, ""))
                continue
            refs = list(re.finditer(r"#(\d+)\s*(?:[-—\u2013:]\s*)?([^#]*)", text))
            if refs:
                for ref in refs:
                    rank, said = int(ref.group(1)), ref.group(2).strip().rstrip(",").strip()
                    role.segments.append((rank, said))
                    problem = by_rank.get(rank)
                    if problem is None:
                        continue
                    problem.setdefault("_lines", []).append((self.doc, role.problem_line))
                    short = re.sub(r"\s*\([^)]*\)\s*$", "", said).strip()
                    if not self.explicit_problems and short and "short_title" not in problem:
                        problem["short_title"] = short[:80]
                for rank in role.first_ranks:
                    if rank not in [r for r, _ in role.segments]:
                        role.segments.append((rank, ""))
            else:
                role.fields.setdefault("problem_statement", text)
                if not self.explicit_problems:
                    problem = {
                        "rank": None,
                        "title": text[:200],
                        "short_title": role.fields.get("summary_problem", "")[:80],
                        "impact": "",
                        "root_cause": "",
                        "_lines": [(self.doc, role.problem_line)],
                    }
                    problems.append(problem)
                    role.unranked = problem
        for role in self.roles:
            for rank, _ in role.segments:
                if rank not in by_rank:
                    self.notes.append(
                        f"Hire “{role.title}” solves problem #{rank}, "
                        "which is not in the problems table."
                    )
        for problem in problems:
            problem.setdefault("short_title", problem["title"][:80] if problem.get("rank") else "")
            if not problem.get("slug"):
                problem["slug"] = make_slug(problem["short_title"] or problem["title"], taken, 60)
        return problems

    def _confidence(self, role: _Role, problem: dict, ranked: bool) -> str:
        """The first place that states the hire's confidence for the problem; the others
        that disagree are reported."""
        stated: list[tuple[str, str]] = []  # (value, where)
        first = role.first
        if first and first["value"]:
            applies = (
                problem.get("rank") in role.first_ranks
                if role.first_ranks
                else (not ranked and plain(role.fields.get("first_mapping", "")) not in ("", "?"))
            )
            if applies:
                stated.append((first["value"], f"the proposed-hires table, line {first['line']}"))
        if role.summary and role.summary["value"]:
            stated.append(
                (role.summary["value"], f"the summary table, line {role.summary['line']}")
            )
        if role.stated_confidence:
            value, line = role.stated_confidence
            stated.append((value, f"the breakdown, line {line}"))
        label = f"#{problem['rank']}" if problem.get("rank") else f"“{problem['title'][:60]}”"
        if not stated:
            self.notes.append(
                f"Hire “{role.title}” for {label}: no confidence is written; taken as High."
            )
            return Confidence.HIGH
        kept, where = stated[0]
        for value, other in stated[1:]:
            if value != kept:
                self.disagreements.append(
                    Disagreement(
                        f"Confidence of “{role.title}” for {label}",
                        f"{value_label(kept)} ({where})",
                        f"{value_label(value)} ({other})",
                    )
                )
        return kept

    def _derive_coverage(self, problems: list[dict]) -> list[dict]:
        by_rank = {p["rank"]: p for p in problems if p.get("rank")}
        coverage = []
        for role in self.roles:
            seen = set()
            for rank, said in getattr(role, "segments", []):
                problem = by_rank.get(rank)
                if problem is None or problem["slug"] in seen:
                    continue
                seen.add(problem["slug"])
                rationale = said if said and said != problem.get("short_title") else ""
                coverage.append(
                    {
                        "role": [role.fields["slug"]],
                        "problem": [problem["slug"]],
                        "confidence": self._confidence(role, problem, True),
                        "rationale": rationale[:300],
                    }
                )
            unranked = getattr(role, "unranked", None)
            if unranked is not None:
                coverage.append(
                    {
                        "role": [role.fields["slug"]],
                        "problem": [unranked["slug"]],
                        "confidence": self._confidence(role, unranked, False),
                        "rationale": "",
                    }
                )
        return coverage

    def _link_questions(self, problems: list[dict]):
        ranked = [p for p in problems if p.get("rank")]
        for question in self.questions:
            if not question.pop("_guess", False) or question["role"] or question["problem"]:
                continue
            topic = words_of(question["topic"])
            roles = [r for r in self.roles if topic and topic <= words_of(r.title)]
            if len(roles) != 1:
                roles = [
                    r
                    for r in self.roles
                    if norm(r.title) and norm(r.title) in norm(question["question"])
                ]
            if len(roles) == 1:
                question["role"] = [roles[0].fields["slug"]]
            found = [
                p
                for p in ranked
                if topic and topic <= words_of(p["title"] + " " + p.get("short_title", ""))
            ]
            if len(found) == 1:
                question["problem"] = [found[0]["slug"]]

    def _link_focus(self):
        for entry in self.focus:
            if "roles" in entry:
                continue
            matched = []
            for part in re.split(r"\s*/\s*", entry["label"]):
                wanted = words_of(part)
                for role in self.roles:
                    if (
                        wanted
                        and wanted <= words_of(role.title)
                        and [role.fields["slug"]] not in matched
                    ):
                        matched.append([role.fields["slug"]])
            entry["roles"] = matched

    def _placements(self, problems: list[dict]) -> list[Placement]:
        found = []
        for problem in problems:
            label = (
                f"#{problem['rank']} {problem['title']}"
                if problem.get("rank")
                else problem["title"]
            )
            found.append(Placement("problem", label, problem.get("_lines", [])))
        for role in self.roles:
            found.append(Placement("hire", role.title, role.lines))
        for stage, lines in zip(self.stages, self.stage_lines, strict=False):
            found.append(Placement("stage", stage["name"], lines))
        return found


def value_label(value: str) -> str:
    return dict(Confidence.choices).get(value, value or "none")


def map_documents(proposal: Document, jds: list[Document] = ()) -> Parsed:
    """Plan data and the report from the proposal's and the JDs' trees."""
    mapper = Mapper(proposal)
    mapper.read_proposal(proposal.root)
    for jd in jds:
        mapper.read_jd(jd)
    data = mapper.build()
    unplaced = [row for document in (proposal, *jds) for row in document.unplaced()]
    return Parsed(data, unplaced, mapper.notes, mapper.placements, mapper.disagreements)
