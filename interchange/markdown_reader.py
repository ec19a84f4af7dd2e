"""Markdown -> a tree of sections, tables, lists and paragraphs, with line numbers.

The reader knows Markdown, not the seed format: markdown-it-py's token stream
(CommonMark, tables and strike-through enabled) gives the blocks, and each
block's ``map`` gives its source lines. Every source line the mapper may place
is a ``Node``; the mapper marks what it uses (``placed``) and ``unplaced()``
returns the rest with their numbers. ``inline()`` reads the emphasis of one
line with the same parser (a leading bold label, struck-through text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from core.forms import is_digits

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_LINES = 50_000
MAX_LINE_CHARS = 20_000

_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


# Emoji and pictographs used as decoration (✅ ❓ ❌ ⚠️ 🔴 ...).
EMOJI = re.compile("[\u2600-\u26ff\u2700-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f\u200d]")


def plain(text: str) -> str:
    """Without emoji decoration and surrounding whitespace."""
    return re.sub(r"\s{2,}", " ", EMOJI.sub("", text)).strip()


def norm(text: str) -> str:
    """Lowercase words only: for comparing names and labels."""
    return re.sub(r"[^a-z0-9]+", " ", plain(text).lower()).strip()


def unbold(text: str) -> str:
    text = text.strip()
    match = re.fullmatch(r"\*\*(.*)\*\*", text) or re.fullmatch(r"__(.*)__", text)
    return match.group(1).strip() if match else text


class MarkdownRefused(Exception):
    """The document cannot be read at all (too large, not text)."""


@dataclass
class Node:
    """One source line: its number (from 1), its text, and whether the mapper used it."""

    no: int
    text: str
    placed: bool = False


@dataclass
class Paragraph:
    lines: list[Node]
    texts: list[str]  # each line's inline source (without list markers and indentation)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def pairs(self) -> list[tuple[Node, str]]:
        return list(zip(self.lines, self.texts, strict=True))

    def place(self) -> None:
        for node in self.lines:
            node.placed = True


@dataclass
class Row:
    node: Node
    cells: list[str]


@dataclass
class Table:
    header: list[str]
    head: list[Node]  # the header line and the delimiter line
    rows: list[Row]

    def column(self, *words: str) -> int | None:
        for i, name in enumerate(self.header):
            if any(w in norm(name) for w in words):
                return i
        return None

    def place_head(self) -> None:
        for node in self.head:
            node.placed = True


@dataclass
class Item:
    """A list item: its first paragraph (``text``, one Node per line) and what it holds."""

    lines: list[Node]
    texts: list[str]
    number: int | None  # an ordered list's number
    blocks: list = field(default_factory=list)  # nested lists and paragraphs

    @property
    def node(self) -> Node:
        return self.lines[0]

    @property
    def text(self) -> str:
        return "\n".join(self.texts).strip()

    @property
    def sublists(self) -> list[ListBlock]:
        return [b for b in self.blocks if isinstance(b, ListBlock)]

    def place(self) -> None:
        for node in self.lines:
            node.placed = True


@dataclass
class ListBlock:
    ordered: bool
    items: list[Item]


@dataclass
class Other:
    """A block the seed format has no use for (code, quotes, HTML): its lines only."""

    lines: list[Node]


@dataclass
class Section:
    title: str
    level: int
    node: Node | None
    blocks: list = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    def nodes(self):
        """Every line of the section and its subsections."""
        if self.node:
            yield self.node
        for block in self.blocks:
            yield from block_nodes(block)
        for child in self.children:
            yield from child.nodes()

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def lists(self) -> list[ListBlock]:
        return [b for b in self.blocks if isinstance(b, ListBlock)]

    def items(self) -> list[Item]:
        return [item for block in self.lists() for item in block.items]


def block_nodes(block):
    if isinstance(block, (Paragraph, Other)):
        yield from block.lines
    elif isinstance(block, Table):
        yield from block.head
        for row in block.rows:
            yield row.node
    elif isinstance(block, ListBlock):
        for item in block.items:
            yield from item.lines
            for inner in item.blocks:
                yield from block_nodes(inner)


@dataclass
class Document:
    name: str
    root: Section
    nodes: list[Node]

    def unplaced(self) -> list[tuple[str, int, str]]:
        return [(self.name, n.no, n.text) for n in self.nodes if not n.placed and n.text]


def read(text: str, name: str = "document") -> Document:
    """The document's tree. Raises MarkdownRefused when it is too large to read."""
    source = text.split("\n")
    if len(source) > MAX_LINES:
        raise MarkdownRefused(f"The document has {len(source)} lines; at most {MAX_LINES}.")
    for number, raw in enumerate(source, start=1):
        if len(raw) > MAX_LINE_CHARS:
            raise MarkdownRefused(f"Line {number} is longer than {MAX_LINE_CHARS} characters.")
    nodes: dict[int, Node] = {}
    made: list[Node] = []

    def node(index: int) -> Node:
        if index not in nodes:
            raw = source[index] if index < len(source) else ""
            nodes[index] = Node(index + 1, raw.rstrip("\r").strip())
            made.append(nodes[index])
        return nodes[index]

    def span(token) -> list[Node]:
        start, end = token.map or (0, 0)
        return [node(i) for i in range(start, end) if source[i].strip()]

    tokens = _MD.parse(text)
    root = Section("", 0, None)
    stack = [root]
    i = 0

    def read_blocks(i: int, stop: str | None, into: list) -> int:
        """Blocks from tokens[i] up to the closing ``stop`` token; returns the index after it."""
        while i < len(tokens):
            token = tokens[i]
            if stop and token.type == stop:
                return i + 1
            if stop is None and token.type == "heading_open":
                return i
            if token.type == "paragraph_open":
                inline = tokens[i + 1]
                start = token.map[0]
                texts = inline.content.split("\n")
                lines = [node(start + k) for k in range(len(texts))]
                into.append(Paragraph(lines, [t.strip() for t in texts]))
                i += 3
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                block = ListBlock(token.type == "ordered_list_open", [])
                i = read_list(i + 1, token.type.replace("_open", "_close"), block)
                into.append(block)
            elif token.type == "table_open":
                table, i = read_table(i)
                into.append(table)
            elif token.type == "hr":
                for n in span(token):
                    n.placed = True
                i += 1
            elif token.type.endswith("_open") and token.map:
                # A quote or another container: its lines, unused.
                depth, j = 0, i
                while j < len(tokens):
                    depth += tokens[j].nesting
                    j += 1
                    if depth == 0:
                        break
                into.append(Other(span(token)))
                i = j
            elif token.map:
                into.append(Other(span(token)))  # code, fences, HTML blocks
                i += 1
            else:
                i += 1
        return i

    def read_list(i: int, stop: str, block: ListBlock) -> int:
        while i < len(tokens) and tokens[i].type != stop:
            token = tokens[i]
            if token.type == "list_item_open":
                number = int(token.info) if is_digits(token.info) else None
                inner: list = []
                i = read_blocks(i + 1, "list_item_close", inner)
                first = inner[0] if inner and isinstance(inner[0], Paragraph) else None
                lines = first.lines if first else [node(token.map[0])]
                texts = first.texts if first else [""]
                block.items.append(Item(lines, texts, number, inner[1:] if first else inner))
            else:
                i += 1
        return i + 1

    def read_table(i: int) -> tuple[Table, int]:
        header, head, rows = [], [], []
        current: list[str] | None = None
        current_node = None
        while tokens[i].type != "table_close":
            token = tokens[i]
            if token.type == "tr_open":
                current, current_node = [], node(token.map[0])
            elif token.type == "inline" and current is not None:
                current.append(token.content.strip())
            elif token.type == "tr_close":
                if not head:
                    header = current
                    head = [current_node, node(current_node.no)]  # the delimiter line follows
                else:
                    rows.append(Row(current_node, current))
                current = None
            i += 1
        return Table(header, head, rows), i + 1

    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            level = int(token.tag[1])
            title = tokens[i + 1].content.strip()
            while stack[-1].level >= level:
                stack.pop()
            section = Section(title, level, node(token.map[0]))
            stack[-1].children.append(section)
            stack.append(section)
            i += 3
            continue
        i = read_blocks(i, None, stack[-1].blocks)
    made.sort(key=lambda n: n.no)
    return Document(name, root, made)


# --- Inline --------------------------------------------------------------------------


@dataclass
class Inline:
    """What the parser sees in one line: a leading bold label, a struck-through part."""

    label: str | None  # "Problem Solved" of "**Problem Solved:** #2 - ..."
    rest: str  # the source after the label
    struck: str | None  # the struck-through source of "~~...~~ after"
    after_struck: str


def _one_span(text: str, kind: str = "strong") -> bool:
    """Whether ``text`` is one bold (or struck-through, ``kind="s"``) span and nothing else."""
    tokens = _MD.parseInline(text)
    children = [c for c in (tokens[0].children if tokens else []) if c.content or c.markup]
    if not children or children[0].type != f"{kind}_open" or children[-1].type != f"{kind}_close":
        return False
    depth = 0
    for i, child in enumerate(children):
        depth += child.type == f"{kind}_open"
        depth -= child.type == f"{kind}_close"
        if depth == 0 and i < len(children) - 1:
            return False
    return True


def inline(text: str) -> Inline:
    tokens = _MD.parseInline(text)
    children = [c for c in (tokens[0].children if tokens else []) if c.content or c.markup]
    label, rest, struck, after = None, text, None, text
    if children and children[0].type == "strong_open":
        marker = children[0].markup
        close = text.find(marker, len(marker))
        while close != -1:
            head = text[: close + len(marker)]
            if _one_span(head):
                label = text[len(marker) : close].strip()
                rest = text[close + len(marker) :].strip()
                break
            close = text.find(marker, close + 1)
    if children and children[0].type == "s_open":
        close = text.find("~~", 2)
        while close != -1:
            if _one_span(text[: close + 2], "s"):
                struck = text[2:close].strip()
                after = text[close + 2 :].strip()
                break
            close = text.find("~~", close + 1)
    return Inline(label, rest, struck, after)
