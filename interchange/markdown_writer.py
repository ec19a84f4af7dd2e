"""Plan -> Markdown in the seed format: the proposal and each role's job description.

The writer says every fact the seed format has words for the way the seed says
it, and puts the facts it has no words for (slugs, decisions, a hire's level
when the title does not say it) on a ``**Details:**`` line, with the coverage
matrix in a table of its own, so that importing an export (markdown_reader,
markdown_mapper) gives the plan back and exporting that again gives the same
bytes. Where the seed's short form would read back as something else (a stage
whose focus ends "for senior roles", a list item with a comma) the writer uses
the explicit form.
"""

from __future__ import annotations

from coverage.analysis import cached_analysis
from coverage.costs import plan_costs
from interchange.markdown_mapper import (
    DISPOSITION_COLUMNS,
    JD_STATUS_FIELD,
    parse_heading_title,
    read_stage_rest,
    split_top_level,
)
from roles.jd.completeness import plan_jd_states
from roles.models import ItemKind, JDStatus, Origin, Timeframe

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
        both = getattr(role, JD_STATUS_FIELD) == JDStatus.COMPLETE_INTERNAL_EXTERNAL
        parts = ["✅ JD complete (internal + external)" if both else "✅ JD complete"]
    elif jd.draft:
        parts = ["⏳ JD in draft"]
    else:
        parts = ["No JD yet"]
    if role.interview_guide_complete:
        parts.append("interview guide complete")
    if role.candidate_name:
        parts.append(f"candidate ({role.candidate_name}) identified")
    return ", ".join(parts)


def _role_details(role) -> str:
    heading = role.title + (f" ({role.subtitle})" if role.subtitle else "")
    # The title, when the heading would read back as another one ("Foo (x2)").
    title = [("Title", role.title)] if parse_heading_title(heading)["title"] != role.title else []
    return _details(
        [
            *title,
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
    summarised = [r for r in roles if r.summary_problem]
    if summarised:
        # Only the hires the summary names (an import keeps what the document said).
        out += ["## Summary: Hire Confidence Matrix", ""]
        out += _table(
            ["Hire", "Problem", "Confidence", "Status"],
            [
                [
                    (r.short_name or r.title) + (f" x{r.headcount}" if r.headcount > 1 else ""),
                    r.summary_problem,
                    _strongest(r),
                    r.pipeline_summary,
                ]
                for r in summarised
            ],
        )
        out += ["", "---", ""]
    out += ["## Coverage", ""]
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


def _is_list(text: str) -> bool:
    return all(line.startswith("- ") and line[2:].strip() for line in text.split("\n"))


def _joins(items) -> bool:
    """Whether the items can be written as one comma-separated line and read back."""
    return all(split_top_level(i.text) == [i.text] for i in items)


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
    if role.current_state and _is_list(role.current_state):
        out += ["**Current state:**", *role.current_state.split("\n"), ""]
    elif role.current_state and "\n" not in role.current_state:
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
    if focus and _joins(focus):
        out += [f"**Interview Focus:** {', '.join(i.text for i in focus)}", ""]
    elif focus:
        out += ["**Interview Focus:**", *[f"- {i.text}" for i in focus], ""]
    if role.origin == Origin.PROPOSED:
        out += [f"**Status:** {_status_text(role)}", ""]
    elif role.why_now:
        out += [f"**Why:** {role.why_now}", ""]
    out += ["---", ""]
    return out


def _stage(stage) -> list[str]:
    head = f"{stage.position}. **{stage.name}** ({stage.duration_minutes} min)"
    wanted = {
        "interviewer": stage.interviewer,
        "focus": stage.focus,
        "applies_to": stage.applies_to,
    }
    # The seed's short forms, each used only when it reads back as this stage.
    scope = {"engineering": " for engineering roles", "senior": " for senior roles"}.get(
        stage.applies_to, ""
    )
    for rest in (
        stage.focus if stage.applies_to == "all" and not stage.interviewer else None,
        stage.interviewer if not stage.focus else None,
        (stage.interviewer or stage.focus) + scope if scope else None,
    ):
        rest = rest.strip() if rest is not None else None
        if rest is not None and "\n" not in rest and read_stage_rest(rest) == wanted:
            return [head + (f" - {rest}" if rest else "")]
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
    stakeholders = kind(ItemKind.STAKEHOLDER)
    if stakeholders and _joins(stakeholders):
        out.append(f"- **Stakeholders:** {', '.join(i.text for i in stakeholders)}")
    elif stakeholders:
        out += ["- **Stakeholders:**", *[f"  - {i.text}" for i in stakeholders]]
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
