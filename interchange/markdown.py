"""The seed Markdown format: a proposal and job descriptions in, the same out.

``parse(proposal, jds)`` reads documents written like shared/seeds/ into plan
data (see interchange.plan_data). It is lenient about whitespace, emoji, heading
levels and table alignment, and it accounts for every line: a line it could
not place comes back in ``Parsed.unplaced`` with its line number.

``write_proposal(plan)`` and ``write_jd(role)`` write a plan back in the same
format. Facts the seed format has no words for (slugs, decisions, a hire's
level when the title does not say it) go on a ``**Details:**`` line, and the
coverage matrix gets its own table, so that importing an export reproduces the
plan exactly.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from coverage.analysis import cached_analysis
from coverage.costs import plan_costs
from problems.models import Disposition, InterviewProcessStatus
from roles.jd.completeness import plan_jd_states
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

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_LINES = 50_000
MAX_LINE_CHARS = 20_000

# Emoji and pictographs the seed uses as decoration (✅ ❓ ❌ ⚠️ 🔴 ...).
EMOJI = re.compile("[\u2600-\u26ff\u2700-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f\u200d]")
SEPARATOR = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
LABEL = re.compile(r"^\*\*(.+?)\*\*\s*:?\s*(.*)$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


class MarkdownRefused(Exception):
    """The document cannot be read at all (too large, not text)."""


def plain(text: str) -> str:
    """Without emoji decoration and surrounding whitespace."""
    return re.sub(r"\s{2,}", " ", EMOJI.sub("", text)).strip()


def unbold(text: str) -> str:
    text = text.strip()
    match = re.fullmatch(r"\*\*(.*)\*\*", text) or re.fullmatch(r"__(.*)__", text)
    return match.group(1).strip() if match else text


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", plain(text).lower()).strip()


# --- Document structure ---------------------------------------------------------------


@dataclass
class Line:
    no: int
    text: str
    placed: bool = False


@dataclass
class Section:
    title: str
    level: int
    line: Line | None
    body: list[Line] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    def body_text(self) -> str:
        return "".join(line.text.strip() for line in self.body if not line.placed)

    def all_lines(self):
        if self.line:
            yield self.line
        yield from self.body
        for child in self.children:
            yield from child.all_lines()


def read_sections(text: str, first_line: int = 1) -> tuple[Section, list[Line]]:
    lines = [Line(first_line + i, raw.rstrip("\r")) for i, raw in enumerate(text.split("\n"))]
    if len(lines) > MAX_LINES:
        raise MarkdownRefused(f"The document has {len(lines)} lines; at most {MAX_LINES}.")
    root = Section("", 0, None)
    stack = [root]
    for line in lines:
        if len(line.text) > MAX_LINE_CHARS:
            raise MarkdownRefused(f"Line {line.no} is longer than {MAX_LINE_CHARS} characters.")
        match = HEADING.match(line.text)
        if match:
            level = len(match.group(1))
            while stack[-1].level >= level:
                stack.pop()
            section = Section(match.group(2), level, line)
            stack[-1].children.append(section)
            stack.append(section)
        else:
            if not line.text.strip() or SEPARATOR.match(line.text):
                line.placed = True
            stack[-1].body.append(line)
    return root, lines


def at(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def cells(text: str) -> list[str]:
    inner = text.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    parts = re.split(r"(?<!\\)\|", inner)
    return [part.strip().replace("\\|", "|").replace("<br>", "\n") for part in parts]


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[Line, list[str]]]

    def column(self, *words: str) -> int | None:
        for i, name in enumerate(self.header):
            if any(w in norm(name) for w in words):
                return i
        return None


def tables(body: list[Line]) -> list[Table]:
    found, i = [], 0
    while i < len(body):
        if (
            body[i].text.strip().startswith("|")
            and i + 1 < len(body)
            and TABLE_RULE.match(body[i + 1].text)
        ):
            header = cells(body[i].text)
            body[i].placed = body[i + 1].placed = True
            rows, i = [], i + 2
            while i < len(body) and body[i].text.strip().startswith("|"):
                rows.append((body[i], cells(body[i].text)))
                i += 1
            found.append(Table(header, rows))
        else:
            i += 1
    return found


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
    number, unit = (int(a), b) if a.isdigit() else (int(b), a)
    months = number * 12 if unit.startswith("year") else number
    return months if months in Timeframe.values else None


def confidence_of(text: str) -> tuple[str, str]:
    """'✅ High - if focused on stability' -> ('high', 'if focused on stability')."""
    text = plain(text)
    match = re.match(r"^(high|medium|low|unclear|\?)\b\s*(?:[-—\u2013:]\s*)?(.*)$", text, re.I)
    if not match:
        for value, symbol in (("high", "●"), ("medium", "◐"), ("low", "○")):
            if text.startswith(symbol):
                return value, text[1:].strip(" -—\u2013")
        return "", text
    word = match.group(1).lower()
    return ("unclear" if word == "?" else word), match.group(2).strip()


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
    title = re.sub(r"^\d+[.)]\s*", "", plain(text))
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


def words_of(text: str) -> set[str]:
    return {w for w in norm(text).split() if w not in STOPWORDS}


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


# --- Parsing ----------------------------------------------------------------------------


@dataclass
class Parsed:
    data: dict
    unplaced: list[tuple[str, int, str]]  # (document, line number, text)
    notes: list[str]


class _Role:
    def __init__(self, fields: dict, origin: str, line: Line):
        self.fields = {"origin": origin, **fields}
        self.line = line
        self.problem_solved = ""
        self.criteria: list[dict] = []
        self.items: list[dict] = []
        self.landscape: list[dict] = []
        self.details: dict[str, str] = {}

    @property
    def title(self):
        return self.fields["title"]


class ProposalParser:
    def __init__(self):
        self.plan: dict = {}
        self.problems: list[dict] = []
        self.roles: list[_Role] = []
        self.first_rows: list[tuple[Line, list[str]]] = []
        self.summary_rows: list[tuple[Line, list[str]]] = []
        self.coverage: list[dict] | None = None
        self.stages: list[dict] = []
        self.focus: list[dict] = []
        self.questions: list[dict] = []
        self.steps: list[dict] = []
        self.explicit_problems = False
        self.notes: list[str] = []
        self.bands: list[dict] = []
        self.budget: dict | None = None

    # -- the proposal ------------------------------------------------------------------

    def read_proposal(self, root: Section):
        sections = list(self._flatten_top(root))
        for section in sections:
            if section.level and section.line is not None and not self.plan.get("title"):
                self.plan["title"] = plain(section.title)
                section.line.placed = True
                self._read_plan_header(section.body)
                continue
            self._read_section(section)

    def _flatten_top(self, root: Section):
        """The title section, then the proposal's sections at whatever heading level."""
        if root.body:
            self._read_plan_header(root.body)
        for child in root.children:
            if not self.plan.get("title"):
                yield Section(child.title, child.level, child.line, child.body, [])
                yield from child.children
            else:
                yield child

    def _read_plan_header(self, body: list[Line]):
        for line in body:
            if line.placed:
                continue
            label = LABEL.match(line.text.strip())
            if label and norm(label.group(1)).startswith(
                ("period", "starts on", "prepared on", "proposed by")
            ):
                found = details(line.text.strip())
                self._plan_details(found)
                line.placed = True

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
        if not section.line:
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
                section.line.placed = True
                handler(section)
                return

    def _core_question(self, section: Section):
        paragraphs = [line for line in section.body if not line.placed]
        question = next(
            (p for p in paragraphs if re.fullmatch(r"\*\*.+\*\*", p.text.strip())), None
        )
        if question:
            self.plan["core_question"] = unbold(question.text)
            question.placed = True
        intro = [p for p in paragraphs if p is not question]
        if intro:
            self.plan["introduction"] = "\n".join(p.text.strip() for p in intro)
            for p in intro:
                p.placed = True
        for child in section.children:
            self._read_section(child)

    def _problems(self, section: Section):
        for table in tables(section.body):
            rank_col = table.column("") if False else 0
            title = table.column("problem")
            impact = table.column("impact")
            cause = table.column("root cause", "cause")
            short = table.column("short")
            slug = table.column("slug")
            dealt, note, question, step = (table.column(norm(name)) for name in DISPOSITION_COLUMNS)
            self.explicit_problems = slug is not None
            for line, row in table.rows:
                rank_text = plain(at(row, rank_col)).lstrip("#")
                problem = {
                    "rank": int(rank_text) if rank_text.isdigit() else None,
                    "title": unbold(at(row, title)),
                    "impact": at(row, impact),
                    "root_cause": at(row, cause),
                }
                if short is not None:
                    problem["short_title"] = at(row, short)
                if slug is not None:
                    problem["slug"] = at(row, slug).strip("`")
                if dealt is not None:
                    said = plain(at(row, dealt))
                    problem["disposition"] = choice(Disposition.choices, said, Disposition.HIRING)
                    if said and norm(said) not in {
                        norm(label) for label in (*Disposition.labels, *Disposition.values)
                    }:
                        self.notes.append(
                            f"Problem “{problem['title']}”: “{said}” is not a way of dealing "
                            "with a problem; taken as solved by hiring."
                        )
                    problem["disposition_note"] = at(row, note)
                    for key, index in (
                        ("disposition_question", question),
                        ("disposition_step", step),
                    ):
                        number = plain(at(row, index)).lstrip("#")
                        problem[key] = int(number) if number.isdigit() else None
                self.problems.append(problem)
                line.placed = True
        for child in section.children:
            self._read_section(child)

    def _first_mapping(self, section: Section):
        match = re.match(r"^(.*?)['\u2019]s\b", plain(section.title))
        if match:
            self.plan["proposed_by"] = match.group(1).strip()
        for table in tables(section.body):
            self.first_rows.extend(table.rows)
        for child in section.children:
            if "gap" in norm(child.title):
                self._computed(child, "the app computes gaps from the coverage")
            else:
                self._read_section(child)

    def _computed(self, section: Section, why: str):
        lines = [ln for ln in section.all_lines() if not ln.placed]
        if lines:
            self.notes.append(
                f"Lines {lines[0].no}\u2013{lines[-1].no} (“{plain(section.title)}”) "
                f"were not imported: {why}."
            )
        for line in lines:
            line.placed = True

    def _costs(self, section: Section):
        """The band table and the budget; the rest of the section is computed by the app."""
        for line in section.body:
            label = LABEL.match(line.text.strip())
            if label and norm(label.group(1)).startswith("budget"):
                found = re.match(r"([A-Za-z]{3})\s+([\d,]+)", plain(label.group(2)).strip("`"))
                if found:
                    self.budget = {
                        "budget_currency": found.group(1).upper(),
                        "budget_amount": int(found.group(2).replace(",", "")),
                    }
                line.placed = True
        for child in section.children:
            if "band" not in norm(child.title):
                continue
            child.line.placed = True
            for table in tables(child.body):
                level, currency = table.column("level"), table.column("currency")
                low, high = table.column("minimum", "min"), table.column("maximum", "max")
                for line, row in table.rows:
                    found = choice(Level.choices, at(row, level))
                    if found is None:
                        self.notes.append(f"Band “{at(row, level)}” is not a known level.")
                        continue
                    self.bands.append(
                        {
                            "level": found,
                            "currency": at(row, currency),
                            "annual_min": at(row, low).replace(",", ""),
                            "annual_max": at(row, high).replace(",", ""),
                        }
                    )
                    line.placed = True
        self._computed(section, "the app computes costs and the timeline")

    def _breakdown(self, section: Section):
        self._hires(section, Origin.PROPOSED)

    def _recommended(self, section: Section):
        self._hires(section, Origin.RECOMMENDED)

    def _hires(self, section: Section, origin: str):
        for child in section.children:
            has_hire = any(
                LABEL.match(ln.text.strip())
                and "problem solved" in norm(LABEL.match(ln.text.strip()).group(1))
                for ln in child.body
            )
            if has_hire:
                self._hire(child, origin)
            else:
                # A grouping heading ("ABOVE THE FOLD"): its hires are below it.
                if child.line and not child.body_text():
                    child.line.placed = True
                    self.notes.append(
                        f"Line {child.line.no} (“{plain(child.title)}”) was not imported: "
                        "a heading that only groups hires."
                    )
                self._hires(child, origin)

    def _hire(self, section: Section, origin: str):
        role = _Role(parse_heading_title(section.title), origin, section.line)
        section.line.placed = True
        self.roles.append(role)
        body = section.body
        summary: list[str] = []
        i = 0
        list_target: str | None = "what_they_do"
        while i < len(body):
            line = body[i]
            text = line.text.strip()
            if line.placed or not text:
                i += 1
                continue
            label = LABEL.match(text)
            if text.startswith("|"):
                for table in tables(body[i:]):
                    self._criteria_table(role, table)
                    break
                i += 1
                continue
            if label:
                key, rest = norm(label.group(1)), label.group(2).strip()
                line.placed = True
                list_target = None
                if key.startswith("problem solved"):
                    role.problem_solved = rest
                elif key.startswith("interview focus"):
                    role.items += [
                        {"kind": ItemKind.INTERVIEW_FOCUS, "text": t} for t in split_top_level(rest)
                    ]
                elif key.startswith("status"):
                    self._status(role, rest)
                elif key.startswith("key mindset"):
                    role.fields["key_mindset"] = rest
                elif key.startswith("key difference"):
                    raw = re.sub(
                        r"^key difference( from)?\s*",
                        "",
                        plain(label.group(1)).rstrip(":"),
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
                    line.placed = False
                i += 1
                continue
            item = LIST_ITEM.match(line.text)
            if item and list_target:
                if list_target == "what_they_do":
                    role.items.append(
                        {"kind": ItemKind.WHAT_THEY_DO, "text": item.group(2).strip()}
                    )
                else:
                    existing = role.fields.get(list_target, "")
                    role.fields[list_target] = (existing + "\n" if existing else "") + text
                line.placed = True
                i += 1
                continue
            if not item:
                summary.append(text)
                line.placed = True
                list_target = "what_they_do"
            i += 1
        if summary:
            role.fields["proposal_summary"] = "\n\n".join(summary)
        for child in section.children:
            self._read_section(child)

    def _criteria_table(self, role: _Role, table: Table):
        when = table.column("timeframe", "when")
        what = table.column("success", "criteria", "target")
        if when is None or what is None:
            return
        for line, row in table.rows:
            months = timeframe_of(row[when]) if when < len(row) else None
            if months is None or what >= len(row) or not row[what]:
                line.placed = False
                continue
            role.criteria.append(
                {"timeframe": months, "metric": "", "target": row[what], "how_measured": ""}
            )
            line.placed = True

    def _status(self, role: _Role, text: str):
        words = norm(text)
        if "jd complete" in words:
            both = "internal" in words and "external" in words
            role.fields["jd_status"] = (
                JDStatus.COMPLETE_INTERNAL_EXTERNAL if both else JDStatus.COMPLETE
            )
        elif "draft" in words:
            role.fields["jd_status"] = JDStatus.DRAFT
        else:
            role.fields["jd_status"] = JDStatus.NOT_STARTED
        role.fields["interview_guide_complete"] = "interview guide complete" in words
        match = re.search(r"candidate\s*\(([^)]*)\)", plain(text), re.I)
        role.fields["candidate_name"] = match.group(1).strip() if match else ""

    def _summary(self, section: Section):
        for table in tables(section.body):
            self.summary_rows.extend(table.rows)
        for child in section.children:
            self._read_section(child)

    def _coverage(self, section: Section):
        self.coverage = []
        for table in tables(section.body):
            hire, problem = table.column("hire"), table.column("problem")
            conf, why = table.column("confidence"), table.column("rationale", "why")
            for line, row in table.rows:
                value, _ = (
                    confidence_of(row[conf]) if conf is not None and conf < len(row) else ("", "")
                )
                self.coverage.append(
                    {
                        "role": [row[hire].strip("`")],
                        "problem": [row[problem].strip("`")],
                        "confidence": value,
                        "rationale": row[why] if why is not None and why < len(row) else "",
                    }
                )
                line.placed = True

    def _process(self, section: Section):
        status = re.search(r"\(([^)]*)\)\s*$", plain(section.title))
        if status:
            self.plan["interview_process_status"] = choice(
                InterviewProcessStatus.choices, status.group(1), InterviewProcessStatus.DRAFT
            )
        self._stages(section.body)
        for child in section.children:
            name = norm(child.title)
            if "technical" in name or "specific" in name:
                child.line.placed = True
                self._focus(child)
            else:
                if "all roles" in name or "stages" in name or "loop" in name:
                    child.line.placed = True
                self._stages(child.body)
                for grandchild in child.children:
                    self._read_section(grandchild)

    def _stages(self, body: list[Line]):
        stage = None
        for line in body:
            if line.placed:
                continue
            match = re.match(
                r"^\s*\d+[.)]\s+\*\*(.+?)\*\*\s*\((\d+)\s*min\w*\)\s*(?:[-—\u2013:]\s*(.*))?$",
                line.text,
            )
            if match:
                stage = {
                    "position": len(self.stages) + 1,
                    "name": plain(match.group(1)),
                    "duration_minutes": int(match.group(2)),
                    "interviewer": "",
                    "focus": "",
                    "applies_to": "all",
                    "roles": [],
                }
                rest = (match.group(3) or "").strip()
                # "Samee or Haroun for senior roles": who interviews, and for which roles.
                scoped = re.match(r"^(.*?)\s+for\s+(\w+)\s+roles?$", rest, re.I)
                if scoped and scoped.group(2).lower() in ("senior", "engineering"):
                    stage["interviewer"] = scoped.group(1).strip()
                    stage["applies_to"] = scoped.group(2).lower()
                elif scoped and scoped.group(2).lower() == "technical":
                    # "Yousuf Algaburi for technical roles": kept word for word, and the
                    # stage applies to technical (engineering) roles only.
                    stage["interviewer"] = rest
                    stage["applies_to"] = "engineering"
                elif scoped:
                    stage["interviewer"] = rest
                else:
                    stage["focus"] = rest
                self.stages.append(stage)
                line.placed = True
                continue
            sub = re.match(r"^\s+[-*]\s+([A-Za-z ]+):\s*(.*)$", line.text)
            if sub and stage is not None:
                key, value = norm(sub.group(1)), sub.group(2).strip()
                if key == "interviewer":
                    stage["interviewer"] = value
                elif key == "focus":
                    stage["focus"] = value
                elif key == "applies to":
                    stage["applies_to"] = choice(
                        [
                            ("all", "all"),
                            ("engineering", "engineering"),
                            ("senior", "senior"),
                            ("selected", "selected"),
                        ],
                        value.split()[0] if value else "",
                        "all",
                    )
                elif key == "hires":
                    stage["roles"] = [[s.strip().strip("`")] for s in value.split(",") if s.strip()]
                else:
                    continue
                line.placed = True

    def _focus(self, section: Section):
        for table in tables(section.body):
            label, focus, hires = table.column("role"), table.column("focus"), table.column("hires")
            if label is None or focus is None:
                continue
            for line, row in table.rows:
                entry = {"position": len(self.focus) + 1, "label": row[label], "focus": row[focus]}
                if hires is not None and hires < len(row):
                    entry["roles"] = [
                        [s.strip().strip("`")] for s in row[hires].split(",") if s.strip()
                    ]
                self.focus.append(entry)
                line.placed = True

    def _questions(self, section: Section):
        match = re.search(r"\bfor\s+(.+)$", plain(section.title), re.I)
        asked_of = match.group(1).strip() if match else ""
        current = None
        for line in section.body:
            if line.placed:
                continue
            item = re.match(r"^\s*(\d+)[.)]\s+(.*)$", line.text)
            if item:
                current = self._question(int(item.group(1)), item.group(2).strip(), asked_of)
                if current:
                    line.placed = True
                continue
            sub = re.match(r"^\s+[-*]\s+([A-Za-z ]+):\s*(.*)$", line.text)
            if sub and current is not None:
                current["_guess"] = False
                key, value = norm(sub.group(1)), sub.group(2).strip().strip("`")
                if key == "hire":
                    current["role"] = [value] if value else None
                elif key == "problem":
                    current["problem"] = [value] if value else None
                elif key == "asked of":
                    current["addressed_to"] = value
                else:
                    continue
                line.placed = True

    def _question(self, number: int, text: str, asked_of: str) -> dict | None:
        resolved, resolution = False, ""
        struck = re.match(r"^~~(.*?)~~\s*(.*)$", text)
        if struck:
            text, after = struck.group(1).strip(), plain(struck.group(2))
            resolved = True
            resolution = re.sub(r"^resolved\s*[-—\u2013:]?\s*", "", after, flags=re.I).strip()
        match = re.match(r"^\*\*(.+?)\*\*\s*[-—\u2013:]?\s*(.*)$", text)
        topic, question = (plain(match.group(1)), match.group(2).strip()) if match else ("", text)
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
        for line in section.body:
            if line.placed:
                continue
            match = re.match(r"^\s*[-*+]\s+\[( |x|X)\]\s+(.*)$", line.text)
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
            line.placed = True

    # -- job descriptions --------------------------------------------------------------

    def read_jd(self, root: Section, document: str):
        top = root.children[0] if root.children else None
        if top is None:
            return
        top.line.placed = True
        found = parse_heading_title(top.title)
        role = self._find_role(found["title"])
        if role is None:
            role = _Role(found, Origin.PROPOSED, top.line)
            self.roles.append(role)
            self.notes.append(
                f"{document}: “{found['title']}” is not a hire in the proposal; it was added."
            )
        role.jd_seen = True
        for line in top.body:
            label = LABEL.match(line.text.strip())
            if label and norm(label.group(1)).startswith("details"):
                role.details.update(details(label.group(2)))
                line.placed = True
        sections = top.children or []
        for section in sections:
            self._jd_section(role, section)

    def _find_role(self, title: str) -> _Role | None:
        for role in self.roles:
            if norm(role.title) == norm(title):
                return role
        return None

    def _jd_section(self, role: _Role, section: Section):
        name = norm(section.title)
        section.line.placed = True
        if "problem" in name:
            self._labelled(
                role,
                section.body,
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
                section.body,
                names={
                    "key distinction": "key_distinction",
                    "tech stack": "tech_stack",
                },
            )
            if texts:
                role.fields["role_summary"] = "\n\n".join(texts)
        elif "responsibilit" in name:
            self._list(role, section.body, ItemKind.RESPONSIBILITY, "")
            for child in section.children:
                child.line.placed = True
                group = re.sub(r"^\d+[.)]\s*", "", plain(child.title))
                self._list(role, child.body, ItemKind.RESPONSIBILITY, group)
        elif "success" in name:
            for child in section.children:
                months = timeframe_of(child.title)
                if months is None:
                    continue
                child.line.placed = True
                for table in tables(child.body):
                    metric, target, how = (
                        table.column("metric"),
                        table.column("target"),
                        table.column("measure"),
                    )
                    for line, row in table.rows:
                        role.criteria.append(
                            {
                                "timeframe": months,
                                "metric": unbold(at(row, metric)),
                                "target": at(row, target),
                                "how_measured": at(row, how),
                            }
                        )
                        line.placed = True
        elif "requirement" in name or "must have" in name:
            kinds = {
                "must": ItemKind.MUST_HAVE,
                "nice": ItemKind.NICE_TO_HAVE,
                "mindset": ItemKind.MINDSET,
            }
            for child in [section, *section.children]:
                kind = next((k for w, k in kinds.items() if w in norm(child.title)), None)
                if kind:
                    child.line.placed = True
                    self._list(role, child.body, kind, "")
        elif "mindset" in name:
            self._list(role, section.body, ItemKind.MINDSET, "")
        elif "first 30" in name or "work on" in name:
            group, note = "", []
            for line in section.body:
                if line.placed:
                    continue
                text = line.text.strip()
                label = re.fullmatch(r"\*\*(.+?):\*\*|\*\*(.+?)\*\*:", text)
                item = LIST_ITEM.match(line.text)
                if label:
                    group = (label.group(1) or label.group(2)).strip()
                    line.placed = True
                elif item:
                    self._item(role, ItemKind.FIRST_30_DAYS, item.group(2).strip(), group)
                    line.placed = True
                else:
                    note.append(text)
                    line.placed = True
            if note:
                role.fields["first_30_days_note"] = "\n\n".join(note)
        elif "reporting" in name or "team" in name:
            self._reporting(role, section.body)
        elif "red flag" in name:
            self._list(role, section.body, ItemKind.RED_FLAG, "")
        elif "landscape" in name or any(
            line.text.strip().startswith("|") and norm(at(cells(line.text), 0)) == "area"
            for line in section.body
        ):
            role.fields["landscape_title"] = plain(section.title)
            for table in tables(section.body):
                covers, features = table.column("cover"), table.column("feature")
                for line, row in table.rows:
                    role.landscape.append(
                        {
                            "area": unbold(row[0]),
                            "covers": at(row, covers),
                            "typical_features": at(row, features),
                        }
                    )
                    line.placed = True
        elif "interview" in name:
            for line in section.body:
                if re.search(r"\]\([^)]*\)", line.text) or "interview guide" in line.text.lower():
                    line.placed = True  # points at the interview guide, which the app writes
        elif "compensation" in name:
            for line in section.body:
                if line.placed:
                    continue
                text = line.text.strip()
                item = re.match(r"^[-*+]\s+(level|location|range)\s*:\s*(.*)$", text, re.I)
                if item:
                    value = item.group(2).strip()
                    value = value[1:-1] if value.startswith("[") and value.endswith("]") else value
                    role.fields[f"compensation_{item.group(1).lower()}"] = value
                    line.placed = True
                elif text:
                    value = text.strip("*_ ")
                    value = value[1:-1] if value.startswith("[") and value.endswith("]") else value
                    role.fields["compensation_note"] = value
                    line.placed = True
        for child in section.children:
            if child.line.placed:
                continue
            self._jd_section(role, child)

    def _labelled(self, role: _Role, body: list[Line], names: dict, keep_others=True) -> list[str]:
        """Labelled paragraphs ('**Root Cause:** ...', or a label over a list) into fields.

        Lines after a label belong to it until the next label: a list item joins
        with a line break, a new paragraph with a blank line. Unlabelled
        paragraphs before any label are returned (``keep_others``) or left unplaced.
        """
        others: list[str] = []
        target, blank = None, False
        for line in body:
            text = line.text.strip()
            if not text:
                blank = True
                continue
            if line.placed:
                continue
            label = LABEL.match(text)
            key = norm(label.group(1)) if label else ""
            if label and key in names:
                target = names[key]
                role.fields[target] = label.group(2).strip()
                line.placed, blank = True, False
                continue
            if target:
                existing = role.fields.get(target, "")
                joiner = "\n\n" if blank and not LIST_ITEM.match(line.text) else "\n"
                role.fields[target] = (existing + joiner if existing else "") + text
                line.placed, blank = True, False
                continue
            if keep_others:
                if others and not blank:
                    others[-1] += "\n" + text
                else:
                    others.append(text)
                line.placed = True
            blank = False
        return others

    def _list(self, role: _Role, body: list[Line], kind: str, group: str):
        for line in body:
            if line.placed:
                continue
            item = LIST_ITEM.match(line.text)
            if item:
                self._item(role, kind, item.group(2).strip(), group)
                line.placed = True

    def _item(self, role: _Role, kind: str, text: str, group: str = ""):
        role.items.append({"kind": kind, "text": text, "group": group})

    def _reporting(self, role: _Role, body: list[Line]):
        target = None
        for line in body:
            if line.placed:
                continue
            item = LIST_ITEM.match(line.text)
            if not item:
                continue
            indent, text = len(item.group(1)), item.group(2).strip()
            label = LABEL.match(text)
            if label and indent == 0:
                key, rest = norm(label.group(1)), label.group(2).strip()
                target = None
                if key.startswith("reports to"):
                    role.fields["reports_to"] = rest
                elif key.startswith("works with"):
                    target = ItemKind.WORKS_WITH
                    for part in split_top_level(rest):
                        self._item(role, target, part)
                elif key.startswith("stakeholder"):
                    target = ItemKind.STAKEHOLDER
                    for part in split_top_level(rest):
                        self._item(role, target, part)
                else:
                    continue
                line.placed = True
            elif indent > 0 and target:
                self._item(role, target, text)
                line.placed = True

    # -- putting it together -----------------------------------------------------------

    def build(self) -> dict:
        taken_roles: set[str] = set()
        for position, role in enumerate(self._ordered_roles(), start=1):
            role.fields["position"] = position
            role.fields.setdefault("short_name", "")
            role.fields["slug"] = role.details.get("slug") or make_slug(role.title, taken_roles, 80)
            taken_roles.add(role.fields["slug"])
        self._match_tables()
        self._apply_details()
        problems = self._build_problems()
        coverage = self.coverage if self.coverage is not None else self._derive_coverage(problems)
        self._link_questions(problems)
        self._link_focus()
        data = {
            "plan": {k: v for k, v in self._plan_fields().items()},
            "problems.problem": problems,
            "roles.role": [self._role_fields(r) for r in self.roles],
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

    def _ordered_roles(self):
        self.roles.sort(key=lambda r: (r.fields["origin"] != Origin.PROPOSED,))
        return self.roles

    def _plan_fields(self) -> dict:
        plan = dict(self.plan)
        title = plan.get("title", "")
        if "period" not in plan:
            match = re.search(r"\b(Q[1-4]|H[12])\s+(\d{4})\b", title)
            plan["period"] = f"{match.group(1)} {match.group(2)}" if match else title[:60]
        if "starts_on" not in plan:
            match = re.fullmatch(r"(Q[1-4]|H[12])\s+(\d{4})", plan["period"])
            if match:
                part, year = match.group(1), int(match.group(2))
                month = (
                    (int(part[1]) - 1) * 3 + 1 if part[0] == "Q" else (1 if part[1] == "1" else 7)
                )
                plan["starts_on"] = datetime.date(year, month, 1).isoformat()
        plan.setdefault("interview_process_status", "draft")
        return plan

    def _match_tables(self):
        """Rows of the 'proposed hires' and 'summary' tables belong to hires by name."""
        proposed = [r for r in self.roles if r.fields["origin"] == Origin.PROPOSED]
        for rows, kind in ((self.first_rows, "first"), (self.summary_rows, "summary")):
            free = list(proposed)
            for line, row in rows:
                name = plain(row[0]) if row else ""
                headcount = re.search(r"\s+x(\d+)$", name)
                name = re.sub(r"\s+x\d+$", "", name)
                best = max(
                    free, key=lambda r: len(words_of(name) & words_of(r.title)), default=None
                )
                if best is None or not words_of(name) & words_of(best.title):
                    best = free[0] if free else None
                if best is None:
                    line.placed = False
                    continue
                free.remove(best)
                line.placed = True
                if headcount and "headcount" not in best.fields:
                    best.fields["headcount"] = int(headcount.group(1))
                if kind == "first":
                    best.first_name = name
                    best.fields["first_mapping"] = row[1] if len(row) > 1 else ""
                    value, note = confidence_of(row[2]) if len(row) > 2 else ("", "")
                    best.fields["first_confidence"] = value
                    best.fields["first_confidence_note"] = note
                else:
                    best.summary_name = name
                    best.fields["summary_problem"] = row[1] if len(row) > 1 else ""
                    best.summary_confidence = confidence_of(row[2])[0] if len(row) > 2 else ""
        for role in self.roles:
            first, summary = getattr(role, "first_name", ""), getattr(role, "summary_name", "")
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
        }
        choices = {
            "level": ("level", Level.choices),
            "function": ("function", Function.choices),
            "decision": ("decision", Decision.choices),
            # The report's labels, and those of exports written before it was a report.
            "jd status": ("jd_status", [*JDStatus.choices, *LEGACY_JD_STATUS_LABELS]),
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
                elif key == "headcount" and value.isdigit():
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
            text = role.problem_solved
            if not text or plain(text) in ("—", "-", "\u2013"):
                continue
            refs = list(re.finditer(r"#(\d+)\s*(?:[-—\u2013:]\s*)?([^#]*)", text))
            if refs:
                for ref in refs:
                    rank, said = int(ref.group(1)), ref.group(2).strip().rstrip(",").strip()
                    role.segments.append((rank, said))
                    problem = by_rank.get(rank)
                    if problem is None:
                        self.notes.append(
                            f"Hire “{role.title}” solves problem #{rank}, "
                            "which is not in the problems table."
                        )
                        continue
                    short = re.sub(r"\s*\([^)]*\)\s*$", "", said).strip()
                    if not self.explicit_problems and short and "short_title" not in problem:
                        problem["short_title"] = short[:80]
            else:
                role.fields.setdefault("problem_statement", text)
                if not self.explicit_problems:
                    problem = {
                        "rank": None,
                        "title": text[:200],
                        "short_title": role.fields.get("summary_problem", "")[:80],
                        "impact": "",
                        "root_cause": "",
                    }
                    problems.append(problem)
                    role.unranked = problem
        for problem in problems:
            problem.setdefault("short_title", problem["title"][:80] if problem.get("rank") else "")
            if not problem.get("slug"):
                problem["slug"] = make_slug(problem["short_title"] or problem["title"], taken, 60)
        return problems

    def _derive_coverage(self, problems: list[dict]) -> list[dict]:
        by_rank = {p["rank"]: p for p in problems if p.get("rank")}
        coverage = []
        for role in self.roles:
            confidence = getattr(role, "summary_confidence", "") or "high"
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
                        "confidence": confidence,
                        "rationale": rationale[:300],
                    }
                )
            unranked = getattr(role, "unranked", None)
            if unranked is not None:
                coverage.append(
                    {
                        "role": [role.fields["slug"]],
                        "problem": [unranked["slug"]],
                        "confidence": confidence,
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

    def _role_fields(self, role: _Role) -> dict:
        fields = dict(role.fields)
        return fields


def parse(
    proposal: str, jds: list[tuple[str, str]] = (), proposal_name: str = "proposal"
) -> Parsed:
    """Plan data from the proposal's text and (name, text) job descriptions."""
    parser = ProposalParser()
    root, lines = read_sections(proposal)
    parser.read_proposal(root)
    all_lines = [(proposal_name, lines)]
    for name, text in jds:
        jd_root, jd_lines = read_sections(text)
        parser.read_jd(jd_root, name)
        all_lines.append((name, jd_lines))
    data = parser.build()
    unplaced = [
        (name, line.no, line.text.strip())
        for name, doc_lines in all_lines
        for line in doc_lines
        if not line.placed and line.text.strip()
    ]
    return Parsed(data, unplaced, parser.notes)


def decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise MarkdownRefused(f"{name} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
    if b"\x00" in raw:
        raise MarkdownRefused(f"{name} is not a text document.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MarkdownRefused(f"{name} is not UTF-8 text.") from None


# --- Writing ----------------------------------------------------------------------------


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return out


def _details(pairs: list[tuple[str, object]]) -> str:
    return "**Details:** " + " · ".join(f"**{k}:** `{'' if v is None else v}`" for k, v in pairs)


TIMEFRAME_WORDS = {1: "1 month", 3: "3 months", 6: "6 months", 12: "1 year"}
JD_TIMEFRAME_WORDS = {1: "Month 1", 3: "Month 3", 6: "Month 6", 12: "1 Year"}


def _status_text(role) -> str:
    """The seed's status line, from the computed JD state (the report is in the details)."""
    jd = role.jd_state
    if jd.ready:
        both = role.jd_status == JDStatus.COMPLETE_INTERNAL_EXTERNAL
        parts = ["JD complete (internal + external)" if both else "JD complete"]
    elif jd.draft:
        parts = ["JD in draft"]
    else:
        parts = ["No JD yet"]
    if role.interview_guide_complete:
        parts.append("interview guide complete")
    if role.candidate_name:
        parts.append(f"candidate ({role.candidate_name}) identified")
    return ", ".join(parts)


def _role_details(role) -> str:
    return _details(
        [
            ("Slug", role.slug),
            ("Short name", role.short_name),
            ("Subtitle", role.subtitle),
            ("Level", role.level or "Not set"),
            ("Function", role.get_function_display()),
            ("Headcount", role.headcount),
            ("Decision", role.get_decision_display()),
            ("JD status", role.get_jd_status_display()),
            ("Interview guide", "complete" if role.interview_guide_complete else "not yet"),
            ("Candidate", role.candidate_name),
            ("First proposed as", role.first_proposed_as),
            ("First mapping", role.first_mapping),
            ("First confidence", role.first_confidence or "none"),
            ("First confidence note", role.first_confidence_note),
            ("Summary problem", role.summary_problem),
            ("Target start", role.target_start.strftime("%Y-%m") if role.target_start else ""),
            (
                "Band override",
                f"{role.band_override_currency} {role.band_override_min}-{role.band_override_max}"
                if role.has_band_override
                else "",
            ),
        ]
    )


DISPOSITION_COLUMNS = ["Dealt with", "Disposition note", "Owner question", "Owner step"]


def write_proposal(plan) -> str:
    """The plan as a proposal in the seed format (plus the details the seed leaves unsaid)."""
    problems = list(plan.problems.in_matrix_order())
    roles = list(
        plan.roles.in_plan_order().prefetch_related("criteria", "items", "coverages__problem")
    )
    plan_jd_states(plan, roles)  # the status lines and the summary matrix read role.jd_state
    out = [f"# {plan.title}", ""]
    out.append(
        f"**Period:** {plan.period} · **Starts on:** {plan.starts_on or ''} · "
        f"**Prepared on:** {plan.prepared_on or ''} · **Proposed by:** {plan.proposed_by}"
    )
    out += ["", "## The Core Question", "", f"**{plan.core_question}**", ""]
    if plan.introduction:
        out += [plan.introduction, ""]
    out += ["---", "", "## Current Problems (Ranked by Impact)", ""]
    header = ["#", "Problem", "Short title", "Slug", "Impact", "Root Cause"]
    rows = [
        [p.rank or "", p.title, p.short_title, p.slug, p.impact, p.root_cause] for p in problems
    ]
    # Leadership's call that a problem is not for hiring to solve: only when one was
    # made, so a plan without any keeps the seed's table exactly.
    if any(p.is_dealt_with_outside_hiring for p in problems):
        header += DISPOSITION_COLUMNS
        for row, p in zip(rows, problems, strict=True):
            row += [
                p.get_disposition_display(),
                p.disposition_note,
                p.disposition_question or "",
                p.disposition_step or "",
            ]
    out += _table(header, rows)
    by = plan.proposed_by
    proposed = [r for r in roles if r.origin == Origin.PROPOSED]
    recommended = [r for r in roles if r.origin == Origin.RECOMMENDED]
    out += ["", "---", "", f"## {by + chr(39) + 's ' if by else ''}Proposed Hires vs Problems", ""]
    out += _table(
        ["Hire", "Solves Which Problem?", "Confidence"],
        [
            [
                (r.first_proposed_as or r.short_name or r.title)
                + (f" x{r.headcount}" if r.headcount > 1 else ""),
                r.first_mapping,
                " - ".join(
                    x
                    for x in (
                        r.get_first_confidence_display() if r.first_confidence else "",
                        r.first_confidence_note,
                    )
                    if x
                ),
            ]
            for r in proposed
        ],
    )
    out += ["", "---", "", "## Proposed Hire Breakdown", ""]
    for number, role in enumerate(proposed, start=1):
        out += _hire(role, number)
    if recommended:
        out += ["## Missing Hires (Recommendations)", ""]
        for role in recommended:
            out += _hire(role, None)
    out += ["## Summary: Hire Confidence Matrix", ""]
    out += _table(
        ["Hire", "Problem", "Confidence", "Status"],
        [
            [
                r.short_name + (f" x{r.headcount}" if r.headcount > 1 else ""),
                r.summary_problem,
                _strongest(r),
                r.pipeline_summary,
            ]
            for r in proposed
        ],
    )
    out += ["", "---", "", "## Coverage", ""]
    coverage = [c for r in roles for c in r.coverages.all()]
    out += _table(
        ["Hire", "Problem", "Confidence", "Rationale"],
        [
            [f"`{c.role.slug}`", f"`{c.problem.slug}`", c.get_confidence_display(), c.rationale]
            for c in sorted(
                coverage,
                key=lambda c: (c.role.origin, c.role.position, c.role.slug, c.problem.slug),
            )
        ],
    )
    out += [
        "",
        "---",
        "",
        f"## Interview Process ({plan.get_interview_process_status_display()})",
        "",
    ]
    for stage in plan.interview_stages.prefetch_related("roles"):
        out += _stage(stage)
    focus = list(plan.technical_focus.prefetch_related("roles"))
    if focus:
        out += ["", "### Role-Specific Technical", ""]
        out += _table(
            ["Role", "Technical Focus", "Hires"],
            [[f.label, f.focus, ", ".join(sorted(r.slug for r in f.roles.all()))] for f in focus],
        )
    questions = list(plan.open_questions.select_related("role", "problem").order_by("position"))
    asked = max(
        {q.addressed_to for q in questions},
        key=lambda a: sum(q.addressed_to == a for q in questions),
        default="",
    )
    out += ["", "---", "", f"## Open Questions{' for ' + asked if asked else ''}", ""]
    for q in questions:
        line = f"**{q.topic}** - {q.question}" if q.topic else q.question
        if q.resolved:
            line = f"~~{line}~~ ✅ Resolved — {q.resolution}"
        out.append(f"{q.position}. {line}")
        out.append(f"   - Asked of: {q.addressed_to}")
        if q.role:
            out.append(f"   - Hire: `{q.role.slug}`")
        if q.problem:
            out.append(f"   - Problem: `{q.problem.slug}`")
    out += _costs_section(plan)
    out += ["", "---", "", "## Next Steps", ""]
    for step in plan.next_steps.order_by("position"):
        extra = "; ".join(
            x
            for x in (
                f"owner: {step.owner}" if step.owner else "",
                f"due: {step.due.isoformat()}" if step.due else "",
            )
            if x
        )
        out.append(
            f"- [{'x' if step.done else ' '}] {step.text}" + (f" ({extra})" if extra else "")
        )
    return "\n".join(out).rstrip() + "\n"


def _costs_section(plan) -> list[str]:
    """Bands and budget (imported back), then the app's cost and timeline (computed)."""
    costs = plan_costs(plan, cached_analysis(plan))
    out = ["", "---", "", "## When and at What Cost", ""]
    settings = costs.compensation
    if settings is not None and settings.budget_amount is not None:
        out += [f"**Budget:** `{settings.budget_currency} {settings.budget_amount}` per year", ""]
    out += ["### Compensation Bands", ""]
    out += _table(
        ["Level", "Currency", "Minimum", "Maximum"],
        [[b.get_level_display(), b.currency, b.annual_min, b.annual_max] for b in costs.bands],
    )
    out += ["", "### Plan Total (computed)", "", f"**Plan total:** {costs.total} per year"]
    if costs.total.unknown:
        names = ", ".join(r.display_short_name for r in costs.total.unknown)
        out += ["", f"Unknown, not zero: no band for {names}."]
    if costs.budget:
        out += ["", f"**{costs.budget.label}.** {costs.budget.explanation}"]
        if costs.budget.cuts:
            cuts = ", ".join(c.role_cost.role.display_short_name for c in costs.budget.cuts)
            out += ["", f"To fit, cut: {cuts}."]
    out += ["", "### Cost per Problem (computed)", ""]
    out.append(
        "Each counting hire's cost is shared across the problems it solves by confidence "
        "(High 3, Medium 2, Low 1, Unclear 0)."
    )
    out.append("")
    rows = [
        [pc.problem.label, str(pc.cost), pc.first_hire.start_label if pc.first_hire else "—"]
        for pc in costs.problem_costs
    ]
    if not costs.unattributed.is_nothing:
        rows.append(["Not attributed to a problem", str(costs.unattributed), ""])
    out += _table(["Problem", "Annual cost", "First hire starts"], rows)
    out += ["", "### Cost per Hire (computed)", ""]
    out += _table(
        ["Hire", "Band (per person)", "Annual cost", "Counts", "Starts"],
        [
            [
                rc.role.display_short_name,
                f"{rc.band or 'Unknown'} ({rc.band_source_label})",
                str(rc.cost) if rc.band else "Unknown",
                "Yes" if rc.counts else "No",
                f"{rc.start_label} ({rc.start_rule})",
            ]
            for rc in costs.role_costs
        ],
    )
    out += ["", "### Timeline (computed)", ""]
    out += [f"- {pc.statement}" for pc in costs.problem_costs]
    return out


def _strongest(role) -> str:
    levels = sorted(role.coverages.all(), key=lambda c: -c.level.strength)
    return f"✅ {levels[0].get_confidence_display()}" if levels else ""


def _hire(role, number) -> list[str]:
    heading = f"{number}. {role.title}" if number else role.title
    if role.subtitle:
        heading += f" ({role.subtitle})"
    out = [f"#### {heading}" if number else f"### {heading}", _role_details(role)]
    refs = [c for c in role.coverages.all() if c.problem.rank]
    if role.problem_statement:
        solved = role.problem_statement.split("\n")[0]
    else:
        solved = ", ".join(
            f"#{c.problem.rank} - {c.problem.short_title or c.problem.title}" for c in refs
        )
    out.append(f"**Problem Solved:** {solved or '—'}")
    out.append("")
    if role.proposal_summary:
        out += [role.proposal_summary, ""]
    items = list(role.items.all())
    if role.key_mindset:
        out += [f"**Key mindset:** {role.key_mindset}", ""]
    if role.key_difference or role.key_difference_from:
        out += [f"**Key difference from {role.key_difference_from}:** {role.key_difference}", ""]
    if role.inherits:
        out += [f"**What they inherit:** {role.inherits}", ""]
    if (
        role.current_state
        and "\n" not in role.current_state
        and role.origin == Origin.PROPOSED
        and not _has_jd(role)
    ):
        out += [f"**Current state:** {role.current_state}", ""]
    doing = [i for i in items if i.kind == ItemKind.WHAT_THEY_DO]
    if doing:
        out += ["**What they do:**", *[f"- {i.text}" for i in doing], ""]
    headlines = [c for c in role.criteria.all() if not c.metric]
    if headlines:
        out += _table(
            ["Timeframe", "Success Criteria"],
            [[f"**{TIMEFRAME_WORDS[c.timeframe]}**", c.target] for c in headlines],
        )
        out.append("")
    focus = [i for i in items if i.kind == ItemKind.INTERVIEW_FOCUS]
    if focus:
        out += [f"**Interview Focus:** {', '.join(i.text for i in focus)}", ""]
    if role.origin == Origin.PROPOSED:
        out += [f"**Status:** ✅ {_status_text(role)}", ""]
    elif role.why_now:
        out += [f"**Why:** {role.why_now}", ""]
    out += ["---", ""]
    return out


def _stage(stage) -> list[str]:
    head = f"{stage.position}. **{stage.name}** ({stage.duration_minutes} min)"
    simple_focus = (
        stage.focus
        and "\n" not in stage.focus
        and not re.search(r"\s+for\s+\w+\s+roles?$", stage.focus, re.I)
    )
    if not stage.interviewer and stage.applies_to == "all" and (simple_focus or not stage.focus):
        return [head + (f" - {stage.focus}" if stage.focus else "")]
    if (
        stage.applies_to == "engineering"
        and not stage.focus
        and re.search(r"\s+for\s+technical\s+roles?$", stage.interviewer, re.I)
    ):
        return [f"{head} - {stage.interviewer}"]
    if stage.applies_to in ("senior", "engineering") and stage.interviewer and not stage.focus:
        return [f"{head} - {stage.interviewer} for {stage.applies_to} roles"]
    out = [head]
    if stage.focus:
        out.append(f"   - Focus: {stage.focus}")
    if stage.interviewer:
        out.append(f"   - Interviewer: {stage.interviewer}")
    out.append(f"   - Applies to: {stage.applies_to}")
    if stage.applies_to == "selected":
        out.append(f"   - Hires: {', '.join(sorted(r.slug for r in stage.roles.all()))}")
    return out


JD_FIELDS = (
    "problem_statement",
    "root_cause",
    "current_state",
    "why_now",
    "role_summary",
    "key_distinction",
    "tech_stack",
    "reports_to",
    "landscape_title",
    "first_30_days_note",
    "compensation_note",
    "compensation_level",
    "compensation_location",
    "compensation_range",
)
JD_KINDS = {
    ItemKind.RESPONSIBILITY,
    ItemKind.MUST_HAVE,
    ItemKind.NICE_TO_HAVE,
    ItemKind.MINDSET,
    ItemKind.FIRST_30_DAYS,
    ItemKind.WORKS_WITH,
    ItemKind.STAKEHOLDER,
    ItemKind.RED_FLAG,
}


def _has_jd(role) -> bool:
    return (
        any(getattr(role, name) for name in JD_FIELDS)
        or any(i.kind in JD_KINDS for i in role.items.all())
        or any(c.metric for c in role.criteria.all())
        or role.landscape.exists()
    )


def roles_with_jd(plan) -> list:
    return [
        r for r in plan.roles.in_plan_order().prefetch_related("items", "criteria") if _has_jd(r)
    ]


def _labelled_text(label: str, value: str) -> list[str]:
    if not value:
        return []
    lines = value.split("\n")
    if lines[0].startswith(("- ", "* ")):
        return [f"**{label}:**", *lines, ""]
    return [f"**{label}:** {lines[0]}", *lines[1:], ""]


def write_jd(role) -> str:
    """The role's job description in the seed format."""
    items = list(role.items.all())
    kind = lambda k: [i for i in items if i.kind == k]  # noqa: E731
    out = [f"# {role.title}", "", _role_details(role), "", "## Problem This Role Solves", ""]
    out += _labelled_text("Problem", role.problem_statement)
    out += _labelled_text("Root Cause", role.root_cause)
    out += _labelled_text("Current state", role.current_state)
    out += _labelled_text("Why now", role.why_now)
    out += ["---", "", "## Role Summary", ""]
    if role.role_summary:
        out += [role.role_summary, ""]
    out += _labelled_text("Key distinction", role.key_distinction)
    out += _labelled_text("Tech stack", role.tech_stack)
    out += ["---", "", "## Responsibilities", ""]
    groups: list[str] = []
    for item in kind(ItemKind.RESPONSIBILITY):
        if item.group not in groups:
            groups.append(item.group)
    for item in kind(ItemKind.RESPONSIBILITY):
        if not item.group:
            out.append(f"- {item.text}")
    for number, group in enumerate([g for g in groups if g], start=1):
        out += ["", f"### {number}. {group}"]
        out += [f"- {i.text}" for i in kind(ItemKind.RESPONSIBILITY) if i.group == group]
    out += ["", "---", "", "## Success Criteria", ""]
    metrics = [c for c in role.criteria.all() if c.metric]
    for months in Timeframe.values:
        rows = [c for c in metrics if c.timeframe == months]
        if rows:
            out += [f"### {JD_TIMEFRAME_WORDS[months]}"]
            out += _table(
                ["Metric", "Target", "How to Measure"],
                [[c.metric, c.target, c.how_measured] for c in rows],
            )
            out.append("")
    out += ["---", "", "## Requirements", ""]
    for title, k in (
        ("Must Have", ItemKind.MUST_HAVE),
        ("Nice to Have", ItemKind.NICE_TO_HAVE),
        ("Mindset", ItemKind.MINDSET),
    ):
        out += [f"### {title}", *[f"- {i.text}" for i in kind(k)], ""]
    out += ["---", "", "## What They'll Work On (First 30 Days)", ""]
    current = None
    for item in kind(ItemKind.FIRST_30_DAYS):
        if item.group != current:
            current = item.group
            if current:
                out += ["", f"**{current}:**"]
        out.append(f"- {item.text}")
    if role.first_30_days_note:
        out += ["", role.first_30_days_note]
    out += ["", "---", "", "## Reporting & Team", ""]
    if role.reports_to:
        out.append(f"- **Reports to:** {role.reports_to}")
    if kind(ItemKind.WORKS_WITH):
        out += ["- **Works with:**", *[f"  - {i.text}" for i in kind(ItemKind.WORKS_WITH)]]
    if kind(ItemKind.STAKEHOLDER):
        out.append(f"- **Stakeholders:** {', '.join(i.text for i in kind(ItemKind.STAKEHOLDER))}")
    landscape = list(role.landscape.all())
    if landscape:
        out += ["", "---", "", f"## {role.landscape_title or 'Landscape'}", ""]
        out += _table(
            ["Area", "What It Covers", "Typical Features"],
            [[f"**{a.area}**", a.covers, a.typical_features] for a in landscape],
        )
    out += ["", "---", "", "## Red Flags (Don't Hire If...)", ""]
    out += [f"- {i.text}" for i in kind(ItemKind.RED_FLAG)]
    out += ["", "---", "", "## Compensation", ""]
    if role.compensation_note:
        out += [f"*{role.compensation_note}*", ""]
    for label, value in (
        ("Level", role.compensation_level),
        ("Location", role.compensation_location),
        ("Range", role.compensation_range),
    ):
        if value:
            out.append(f"- {label}: {value}")
    return "\n".join(out).rstrip() + "\n"
