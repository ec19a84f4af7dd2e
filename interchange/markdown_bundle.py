"""A whole plan as Markdown in one file: a zip of the proposal and one JD per role.

The seed format is several documents (``hiring-proposal-q1-2026.md`` and
``jd-senior-dashboard-engineer.md``); a plan's JD content lives only in the
JD files, so exporting the proposal alone and importing it loses every JD.
The bundle carries them together, so a plan goes out and comes back whole:
export -> import -> export gives the same files (tests/interchange/
test_markdown_bundle.py, and the plan's-year journey through the pages).

Reading a bundle is bounded before anything is decompressed: at most
``MAX_JDS`` + 1 Markdown files, each no larger than the reader accepts, and
the whole no larger than their sum (a zip bomb is refused by its directory).
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from interchange.forms import MAX_JDS
from interchange.markdown_reader import MAX_DOCUMENT_BYTES, MarkdownRefused
from interchange.markdown_writer import roles_with_jd, write_jd, write_proposal

JD_PREFIX = "jd-"
# A fixed timestamp: the same plan gives the same bytes, whenever it is exported.
_STAMP = (2000, 1, 1, 0, 0, 0)


def proposal_name(plan) -> str:
    return f"hiring-proposal-{plan.slug}.md"


def jd_name(role) -> str:
    return f"{JD_PREFIX}{role.slug}.md"


def plan_documents(plan) -> list[tuple[str, str]]:
    """(file name, Markdown) of the proposal, then of each role's JD in plan order."""
    return [(proposal_name(plan), write_proposal(plan))] + [
        (jd_name(role), write_jd(role)) for role in roles_with_jd(plan)
    ]


def write_bundle(plan) -> bytes:
    """The zip an admin downloads: the proposal and every JD, in the seed's file names."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in plan_documents(plan):
            info = zipfile.ZipInfo(name, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def read_bundle(raw: bytes, name: str = "plan.zip") -> tuple[tuple[str, bytes], list]:
    """((proposal name, bytes), [(JD name, bytes), ...]) from a bundle, or MarkdownRefused.

    Files named ``jd-*.md`` are job descriptions; the one other ``.md`` file is
    the proposal. Folders inside the zip are ignored (a zip made by hand from a
    folder has them); anything that is not Markdown is refused by name.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise MarkdownRefused(f"{name} is not a zip file.") from None
    files = [m for m in members if not m.is_dir()]
    if len(files) > MAX_JDS + 1:
        raise MarkdownRefused(f"{name} holds {len(files)} files; at most {MAX_JDS + 1}.")
    others = [m.filename for m in files if not m.filename.lower().endswith(".md")]
    if others:
        raise MarkdownRefused(
            f"{name} holds files that are not Markdown: {', '.join(sorted(others)[:5])}."
        )
    too_big = [m.filename for m in files if m.file_size > MAX_DOCUMENT_BYTES]
    if too_big:
        raise MarkdownRefused(
            f"{too_big[0]} in {name} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB."
        )
    proposals, jds = [], []
    for member in sorted(files, key=lambda m: m.filename):
        base = posixpath.basename(member.filename)
        try:
            with archive.open(member) as handle:
                # Never more than the directory promised (+1 byte to notice a lie).
                body = handle.read(MAX_DOCUMENT_BYTES + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
            raise MarkdownRefused(f"{member.filename} in {name} cannot be read.") from None
        if len(body) > MAX_DOCUMENT_BYTES:
            raise MarkdownRefused(f"{member.filename} in {name} is larger than it says.")
        (jds if base.lower().startswith(JD_PREFIX) else proposals).append((base, body))
    if len(proposals) != 1:
        found = ", ".join(n for n, _ in proposals) or "none"
        raise MarkdownRefused(
            f"{name} must hold one proposal and JDs named “{JD_PREFIX}….md”; "
            f"proposals found: {found}."
        )
    return proposals[0], jds
