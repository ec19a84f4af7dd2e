"""PDF documents: render HTML with WeasyPrint in a time-bounded worker, cache the bytes.

The HTTP side (downloads, conditional requests, export progress) is in
views.py; renders off the request path are in background.py.

A PDF is a pure function of its HTML, the print stylesheet and the templates,
and the HTML is a function of the plan's content. So the cache key is the
plan's revision (changed by every edit, see problems.signals) plus a
fingerprint of the templates and stylesheet; the same key is the ETag, and a
matching If-None-Match gets a 304 without rendering anything.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone

from core.hooks import appendix as registered_appendix
from core.lru import LRU
from core.markdown import DOCUMENT_SECONDS, markdown_budget
from coverage.analysis import analyse_plan
from coverage.costs import plan_costs
from coverage.outcomes import outcome_report
from documents import worker as pdf_worker
from documents.posting import posting_sections
from interviews.loops import build_kit, plan_process, role_loop
from problems.models import NextStep, OpenQuestion, Plan
from roles.jd.presentation import load_role_jd, plan_jd_states, proposal_breakdown
from roles.models import Role

logger = logging.getLogger("hiringplan.pdf")


class DocumentError(Exception):
    """The document could not be produced; the message is safe to show to the user."""


_executor: ProcessPoolExecutor | None = None
_executor_lock = threading.Lock()


def _get_executor() -> ProcessPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            # spawn, not fork: the web process has threads and open database
            # connections that a forked child must not inherit.
            _executor = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=pdf_worker.die_with_parent,
                initargs=(os.getpid(),),
            )
        return _executor


def _discard_executor(kill: bool) -> None:
    global _executor
    with _executor_lock:
        executor, _executor = _executor, None
    if executor is None:
        return
    if kill:
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
    executor.shutdown(wait=False, cancel_futures=True)


@lru_cache(maxsize=1)
def static_dirs() -> list[str]:
    """Folders the PDF may load static files from: ours, the apps', and collected files."""
    dirs = [str(path) for path in settings.STATICFILES_DIRS]
    for config in apps.get_app_configs():
        candidate = Path(config.path) / "static"
        if candidate.is_dir():
            dirs.append(str(candidate))
    if settings.STATIC_ROOT and Path(settings.STATIC_ROOT).is_dir():
        dirs.append(str(settings.STATIC_ROOT))
    return dirs


def render_pdf(html: str) -> bytes:
    """HTML to PDF bytes, refusing any URL but our static files, within the time bound."""
    if len(html.encode("utf-8")) > settings.PDF_MAX_HTML_BYTES:
        raise DocumentError(
            "This document is too large to export as a PDF. "
            "Shorten the longest sections and try again."
        )
    args = (html, settings.STATIC_URL, static_dirs(), settings.PDF_MAX_DATA_URL_BYTES)
    for attempt in (1, 2):
        future = _get_executor().submit(pdf_worker.render, *args)
        try:
            pdf, refused = future.result(timeout=settings.PDF_RENDER_TIMEOUT_SECONDS)
        except FutureTimeout:
            _discard_executor(kill=True)
            logger.error(
                "PDF render exceeded %ss; worker killed.", settings.PDF_RENDER_TIMEOUT_SECONDS
            )
            raise DocumentError(
                "Rendering this PDF took too long and was stopped. Try again later or shorten "
                "the document."
            ) from None
        except BrokenProcessPool:
            _discard_executor(kill=True)
            if attempt == 2:
                raise DocumentError("The PDF renderer stopped unexpectedly. Try again.") from None
            continue
        for url in refused:
            logger.warning("PDF render refused to fetch %s", url)
        return pdf
    raise AssertionError("unreachable")


def render_html_direct(html: str) -> bytes:
    """Render in this process without the worker or the cache (benchmarks' floor)."""
    pdf, _ = pdf_worker.render(
        html, settings.STATIC_URL, static_dirs(), settings.PDF_MAX_DATA_URL_BYTES
    )
    return pdf


@lru_cache(maxsize=1)
def layout_fingerprint() -> str:
    """Changes when the print stylesheet or document templates change (a deploy)."""
    digest = hashlib.sha256()
    for static_path in ("css/print.css",):
        for folder in static_dirs():
            candidate = Path(folder) / static_path
            if candidate.is_file():
                digest.update(candidate.read_bytes())
                break
    # Documents include page templates (JD sections, the loop), so all of them count.
    for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- The documents -----------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A kind of PDF: its template, what it shows, and its download name."""

    template: str
    context: Callable[[Plan, Role | None], dict]
    filename: Callable[[Plan, Role | None], str]
    per_role: bool
    # What its export button says while it renders ("Preparing the Kits PDF…").
    label: str
    # What the document is about: the PDF's /Subject and the page's meta description.
    subject: Callable[[Plan, Role | None], str]
    # Who it is from as the reader sees it: the plan's people for internal documents,
    # the organisation (the plan) for what candidates read.
    candidate_facing: bool = False
    # An optional chapter another app provides (core.hooks), e.g. "discussion".
    appendix: str = ""


# WeasyPrint lays out a table cell in about a millisecond; past this many cells
# the proposal lists each problem's hires instead of drawing the full grid
# (which at 100 problems x 300 roles would take most of a minute).
MAX_PRINTED_GRID_CELLS = 1500

# How many hire columns fit across a landscape A4 page beside the problem and
# status columns (print.css gives them 42 mm and 24 mm; each hire gets 19 mm
# of the 265 mm between the margins). Wider plans print in blocks of columns,
# each repeating the problem and status columns.
HIRES_PER_MATRIX_BLOCK = 10


@dataclass(frozen=True)
class MatrixBlock:
    """Some of the matrix's hire columns, with every problem row."""

    first: int  # 1-based number of the first hire in the block
    columns: list
    rows: list

    @property
    def last(self) -> int:
        return self.first + len(self.columns) - 1


def matrix_blocks(analysis, per_block: int = HIRES_PER_MATRIX_BLOCK) -> list[MatrixBlock]:
    columns = analysis.columns
    return [
        MatrixBlock(
            start + 1,
            columns[start : start + per_block],
            analysis.matrix_rows(columns[start : start + per_block]),
        )
        for start in range(0, max(len(columns), 1), per_block)
    ]


@dataclass(frozen=True)
class NumberedHire:
    """A hire of the breakdown with its number: its place among the plan's proposed hires.

    Numbers come from the order, not the stored position, so they run 1, 2, 3...
    whatever positions roles were given when added or moved.
    """

    number: int | None
    hire: object
    jd: object

    def __getattr__(self, name):
        return getattr(self.hire, name)

    @property
    def problems_solved(self) -> list[str]:
        """'#1 - Onboarding bottleneck (integrations are the main stopper)': each mapped
        problem once, with the why; a why that already names the problem replaces its name."""
        return [solved_label(coverage) for coverage in self.hire.coverages]


def solved_label(coverage) -> str:
    problem = coverage.problem
    name = problem.short_title or problem.title
    rationale = (coverage.rationale or "").strip()
    names = {n.strip().casefold() for n in (problem.short_title, problem.title) if n.strip()}
    if rationale and any(rationale.casefold().startswith(n) for n in names):
        text = rationale  # "Onboarding bottleneck (integrations ...)", not the name twice
    elif rationale:
        text = f"{name} ({rationale})"
    else:
        text = name
    return f"#{problem.rank} - {text}" if problem.rank else text


def split_gaps(analysis) -> tuple[list, list]:
    """(the board's gaps, the appendix's): a bookkeeping kind with no blocking gap (a
    collapsed group of the gaps page) goes to the appendix; the board keeps the rest,
    worst first."""
    collapsed = {group.kind for group in analysis.gap_groups if group.collapsed}
    board = [gap for gap in analysis.gaps if gap.kind not in collapsed]
    appendix = [gap for gap in analysis.gaps if gap.kind in collapsed]
    return board, appendix


def _proposal_context(plan, _role):
    analysis = analyse_plan(plan)
    grid = len(analysis.problems) * len(analysis.columns) <= MAX_PRINTED_GRID_CELLS
    states = plan_jd_states(plan, analysis.roles)
    proposed, recommended = [], []
    for hire in proposal_breakdown(plan, analysis):
        if hire.role.is_recommended:
            recommended.append(NumberedHire(None, hire, states[hire.role.pk]))
        else:
            proposed.append(NumberedHire(len(proposed) + 1, hire, states[hire.role.pk]))
    board_gaps, appendix_gaps = split_gaps(analysis)
    return {
        "plan": plan,
        "analysis": analysis,
        "board_gaps": board_gaps,
        "appendix_groups": [group for group in analysis.gap_groups if group.collapsed],
        "appendix_gap_count": len(appendix_gaps),
        "columns": analysis.columns,
        "grid": grid,
        "blocks": matrix_blocks(analysis) if grid else [],
        "rows": analysis.rows,
        "proposed_hires": proposed,
        "recommended_hires": recommended,
        "summary": [(column, states[column.role.pk]) for column in analysis.proposed_columns],
        "process": plan_process(plan, analysis.roles),
        "questions": OpenQuestion.objects.filter(plan=plan).unresolved_first(),
        "next_steps": NextStep.objects.filter(plan=plan),
        "costs": plan_costs(plan, analysis),
    }


def _proposal_with_discussion_context(plan, role):
    """The proposal, and the plan's unresolved comment threads as its last appendix."""
    context = {**_proposal_context(plan, role), **appendix_of("discussion").context(plan)}
    context["with_discussion"] = True
    return context


def appendix_of(name: str):
    found = registered_appendix(name)
    if found is None:
        raise DocumentError("This document's appendix is not available.")
    return found


def _jd_context(plan, role):
    return {"plan": plan, "role": role, "jd": load_role_jd(role), "loop": role_loop(plan, role)}


def _posting_context(plan, role):
    jd = load_role_jd(role)
    return {
        "plan": plan,
        "role": role,
        "jd": jd,
        # Not the internal sections, nor rows marked internal only (documents/posting.py).
        "posting_sections": posting_sections(jd),
    }


def _kit_context(plan, role):
    """The interview guide and the interviewers' kits both print the role's kit.

    The guide's traceability grid has a row only for an item a counting question
    probes (``traced``); the others (``untraced``) print as one line per kind, not as
    rows of empty cells. Both are (kind label, items) pairs in the kit's order.
    """
    kit = build_kit(plan, role)
    traced, untraced = [], []
    for kind, items in kit.by_kind:
        probed = [k for k in items if k.stages()]
        if probed:
            traced.append((kind, probed))
        rest = [k for k in items if not k.stages()]
        if rest:
            untraced.append((kind, rest))
    return {"plan": plan, "role": role, "kit": kit, "traced": traced, "untraced": untraced}


def _outcomes_context(plan, _role):
    """The board's quarterly review: per problem, its hires, their criteria and the check-ins.

    Check-ins are about people's performance: Leadership's document only (documents.views).
    """
    analysis = analyse_plan(plan)
    today = timezone.localdate()
    return {
        "plan": plan,
        "analysis": analysis,
        "today": today,
        "report": outcome_report(analysis, today),
        "started": analysis.anyone_started(today),
    }


def _proposal_subject(plan, _role):
    return f"{plan.title}: the problems, the proposed hires and whether they solve them"


DOCUMENTS = {
    "proposal": Document(
        "documents/proposal.html",
        _proposal_context,
        lambda plan, _role: f"{plan.slug}-hiring-proposal.pdf",
        per_role=False,
        label="Proposal PDF",
        subject=_proposal_subject,
    ),
    # The same, with the unresolved comment threads ("Open discussion"); off by default.
    "proposal_discussion": Document(
        "documents/proposal.html",
        _proposal_with_discussion_context,
        lambda plan, _role: f"{plan.slug}-hiring-proposal-with-discussion.pdf",
        per_role=False,
        label="Proposal PDF",
        subject=_proposal_subject,
        appendix="discussion",
    ),
    "jd": Document(
        "documents/jd.html",
        _jd_context,
        lambda _plan, role: f"{role.slug}-jd.pdf",
        per_role=True,
        label="JD PDF",
        subject=lambda plan, role: f"Internal job description for {role.title} ({plan.title})",
    ),
    "posting": Document(
        "documents/posting.html",
        _posting_context,
        lambda _plan, role: f"{role.slug}-posting.pdf",
        per_role=True,
        label="Posting PDF",
        subject=lambda _plan, role: f"Job posting: {role.title}",
        candidate_facing=True,
    ),
    "guide": Document(
        "documents/guide.html",
        _kit_context,
        lambda _plan, role: f"{role.slug}-interview-guide.pdf",
        per_role=True,
        label="Interview guide PDF",
        subject=lambda plan, role: f"Interview guide for {role.title} ({plan.title})",
    ),
    "outcomes": Document(
        "documents/outcomes.html",
        _outcomes_context,
        lambda plan, _role: f"{plan.slug}-outcomes.pdf",
        per_role=False,
        label="Outcomes report PDF",
        subject=lambda plan, _role: (
            f"{plan.title}: are the problems being solved? Hires, criteria and check-ins"
        ),
    ),
    # The interviewers' kits: one section per stage, each starting on a new page.
    "kit": Document(
        "documents/kit.html",
        _kit_context,
        lambda _plan, role: f"{role.slug}-interview-kits.pdf",
        per_role=True,
        label="Interview kits PDF",
        subject=lambda plan, role: f"Interviewers' kits for {role.title} ({plan.title})",
    ),
}


KIND_KEYWORDS = {
    "proposal": "hiring proposal",
    "proposal_discussion": "hiring proposal",
    "jd": "job description",
    "posting": "job posting",
    "guide": "interview guide",
    "kit": "interview kit",
    "outcomes": "outcomes report",
}


def _w3c(moment) -> str:
    """A time as the W3C date format WeasyPrint reads from dcterms meta tags (UTC, seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def document_metadata(plan, kind: str, role: Role | None = None) -> dict:
    """The PDF's author, subject, keywords and dates (info dictionary and XMP).

    documents/base.html writes them as <meta> tags, which WeasyPrint reads.
    """
    spec = DOCUMENTS[kind]
    author = plan.title if spec.candidate_facing else (plan.proposed_by or plan.title)
    keywords = [plan.title, plan.period]
    if role is not None:
        keywords += [role.title, role.get_function_display()]
        if role.level:
            keywords.append(role.get_level_display())
    keywords.append(KIND_KEYWORDS[kind])
    return {
        "author": author,
        "subject": spec.subject(plan, role),
        # Commas separate keywords, so none may hold one.
        "keywords": ", ".join(dict.fromkeys(k.replace(",", " ") for k in keywords if k)),
        # A role's documents carry the role's dates, not the plan's, so an edit elsewhere
        # in the plan leaves their HTML, and so their cache key, unchanged (#29.4).
        "created": _w3c((role or plan).created_at),
        "modified": _w3c((role or plan).updated_at),
    }


# A role's documents are keyed on what they show (the HTML), computed once per plan
# revision and process: an edit elsewhere in the plan leaves their key, and their
# cached PDF, as they were.
_content_digests = LRU(maxsize=1024)
_recent_html = LRU(maxsize=8)


def forget_document_keys() -> None:
    _content_digests.clear()
    _recent_html.clear()


def document_html(plan, kind: str, role: Role | None = None) -> str:
    """The document's HTML: its template with its context and metadata."""
    spec = DOCUMENTS[kind]
    with markdown_budget(DOCUMENT_SECONDS):
        context = {**spec.context(plan, role), "document_meta": document_metadata(plan, kind, role)}
        return render_to_string(spec.template, context)


def _content(plan, kind: str, role: Role | None, today: str) -> str:
    spec = DOCUMENTS[kind]
    if not spec.per_role:
        if spec.appendix:
            # Comments leave the revision as it is; the appendix's stamp moves with them.
            stamp = appendix_of(spec.appendix).stamp(plan)
            return plan.revision + "-" + hashlib.sha256(stamp.encode()).hexdigest()[:16]
        return plan.revision  # the proposal shows the whole plan
    memo = (plan.pk, plan.revision, kind, role.pk, today)
    digest = _content_digests.get(memo)
    if digest is None:
        html = document_html(plan, kind, role)
        digest = hashlib.sha256(html.encode()).hexdigest()[:32]
        _content_digests.set(memo, digest)
        _recent_html.set(digest, html)  # the render that usually follows needs it
    return digest


def document_key(plan, kind: str, role: Role | None) -> str:
    """Cache key and ETag seed: changes whenever the document's content can change.

    The proposal's is the plan's revision (with the "Open discussion" appendix, also
    a stamp of the plan's threads, which change without the revision); a JD's,
    posting's, guide's or kit's is a digest of its HTML, so it changes exactly when
    what it shows changes (its role's content and the plan fields it prints), not at
    every edit of the plan.
    """
    # Today's date is part of it: documents flag overdue next steps.
    today = timezone.localdate().isoformat()
    subject = role.pk if role is not None else "-"
    content = _content(plan, kind, role, today)
    return f"pdf:{kind}:{plan.pk}:{subject}:{content}:{today}:{layout_fingerprint()}"


def _latest_key(plan, kind: str, role: Role | None) -> str:
    return f"pdf-latest:{kind}:{plan.pk}:{role.pk if role is not None else '-'}"


def last_rendered(plan, kind: str, role: Role | None) -> dict | None:
    """The newest PDF of this document rendered so far, whatever its content:
    {"key", "rendered_at" (aware datetime), "revision"}, or None."""
    latest = caches["documents"].get(_latest_key(plan, kind, role))
    if latest is None or not caches["documents"].has_key(latest["key"]):
        return None
    return latest


def build_document(plan, kind: str, role: Role | None = None) -> bytes:
    """Render a document to PDF and cache it under its current key.

    Rendered without a request, so the bytes are the same whether a web
    request or a background task produced them.
    """
    key = document_key(plan, kind, role)
    digest = key.split(":")[4]
    html = _recent_html.get(digest) if DOCUMENTS[kind].per_role else None
    if html is None:
        html = document_html(plan, kind, role)
    pdf = render_pdf(html)
    caches["documents"].set(key, pdf)
    caches["documents"].set(
        _latest_key(plan, kind, role),
        {"key": key, "rendered_at": timezone.now(), "revision": plan.revision},
    )
    return pdf
