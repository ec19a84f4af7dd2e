"""The one word diff: what the history, the conflict view and plan comparisons show.

Texts are compared line by line first (a list's rows are lines); a line that
was edited, rather than rewritten, is then compared word by word, with the
white space between words kept, so a run of equal words reads as the text did.
A rewritten line shows as removed and added whole: a word diff of two
unrelated sentences only matches their "the"s and "and"s.
"""

from __future__ import annotations

import difflib
import re

_WORDS = re.compile(r"\s+|[^\s]+")
# Two lines at least this similar (difflib's ratio of their words) were edited, not rewritten.
EDITED = 0.5

Ops = list[tuple[str, str]]  # ("equal" | "delete" | "insert", text)


def word_ops(old: str, new: str) -> Ops:
    """Runs of ("equal" | "delete" | "insert", text) that turn ``old`` into ``new``."""
    a, b = (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True)
    ops: Ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        old_lines, new_lines = a[i1:i2], b[j1:j2]
        if tag == "replace":
            for before, after in zip(old_lines, new_lines, strict=False):
                ops += _line_ops(before, after)
            paired = min(len(old_lines), len(new_lines))
            old_lines, new_lines = old_lines[paired:], new_lines[paired:]
        if old_lines:
            ops.append(("delete", "".join(old_lines)))
        if new_lines:
            ops.append(("insert", "".join(new_lines)))
    return _merged(ops)


def _line_ops(old: str, new: str) -> Ops:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.ratio() < EDITED:
        return [("delete", old), ("insert", new)]
    ops: Ops = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("insert", "".join(b[j1:j2])))
    return ops


def _merged(ops: Ops) -> Ops:
    merged: Ops = []
    for tag, text in ops:
        if not text:
            continue
        if merged and merged[-1][0] == tag:
            merged[-1] = (tag, merged[-1][1] + text)
        else:
            merged.append((tag, text))
    return merged
