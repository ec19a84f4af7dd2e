"""Hooks: a lower app asks for something a higher app provides, imports still running one way.

documents/ prints the proposal, but comment threads live in plans/, which
documents/ may not import. plans/ registers the proposal's "Open discussion"
appendix here at start-up (plans.apps), and documents/ asks for it by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Appendix:
    """An optional chapter of a document, provided by an app above the document's.

    ``stamp(plan)`` changes whenever the appendix's content can change without the
    plan's revision changing (comments do not change it): it is part of the cached
    PDF's key. ``context(plan)`` is what the document's template prints.
    """

    name: str
    label: str  # the export option: "Include open discussion"
    stamp: Callable[[object], str]
    context: Callable[[object], dict]


_appendices: dict[str, Appendix] = {}


def register_appendix(appendix: Appendix) -> None:
    _appendices[appendix.name] = appendix


def appendix(name: str) -> Appendix | None:
    """The registered appendix, or None if no installed app provides it."""
    return _appendices.get(name)
