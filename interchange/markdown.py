"""The seed Markdown format, in and out: reader -> mapper for an import, writer for an export.

* ``markdown_reader``: Markdown -> a tree of sections, tables, lists and
  paragraphs with line numbers (markdown-it-py's token stream).
* ``markdown_mapper``: the tree -> plan data, and a report of where each hire,
  problem and stage was read from, what was not placed and what disagrees;
  every rule of the seed format is there.
* ``markdown_writer``: a plan -> the proposal and its JDs in the seed format.

``parse(proposal, jds)`` is the import in one call.
"""

from __future__ import annotations

from interchange.markdown_mapper import Parsed, map_documents
from interchange.markdown_reader import MAX_DOCUMENT_BYTES, MarkdownRefused, read
from interchange.markdown_writer import roles_with_jd, write_jd, write_proposal

__all__ = [
    "MarkdownRefused",
    "Parsed",
    "decode",
    "parse",
    "roles_with_jd",
    "write_jd",
    "write_proposal",
]


def parse(
    proposal: str, jds: list[tuple[str, str]] = (), proposal_name: str = "proposal"
) -> Parsed:
    """Plan data (and the report) from the proposal's text and (name, text) job descriptions."""
    return map_documents(read(proposal, proposal_name), [read(text, name) for name, text in jds])


def decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise MarkdownRefused(f"{name} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
    if b"\x00" in raw:
        raise MarkdownRefused(f"{name} is not a text document.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MarkdownRefused(f"{name} is not UTF-8 text.") from None
