"""Marks that an app above puts on a plan's things, for the pages of the apps below to show.

The matrix is coverage's, the problem and role lists too, but comment threads
live in plans/, which coverage/ may not import. plans/ registers an annotation
provider here at start-up (``plans.apps``); a page asks :func:`for_plan` for
the marks of one plan's things and shows each as a small link with its count.
With no provider registered a page shows no marks and costs no queries.

A thing is named by a key (:func:`problem_key`, :func:`cell_key`,
:func:`role_key`), the same keys a provider counts under.

Marks are not plan content: they can change while the plan's revision stays
the same, so a page that caches a fragment with marks in it puts
:meth:`PlanAnnotations.stamp` into the fragment's key (one query per provider).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.utils.html import escape


def problem_key(problem_id) -> str:
    return f"problem:{problem_id}"


def cell_key(role_id, problem_id) -> str:
    return f"cell:{role_id}:{problem_id}"


def role_key(role_id) -> str:
    return f"role:{role_id}"


@dataclass(frozen=True)
class Provider:
    """What one app says about a plan's things.

    ``stamp(plan)`` changes whenever any count can have changed (cache keys), and is
    '' when the plan has nothing to count (then ``counts`` is not asked);
    ``counts(plan)`` is ``{key: count}`` in one query, things without a mark
    left out; ``url(plan_slug, kind, problem_slug, role_slug)`` is where a mark
    leads (``kind`` is "problem", "cell" or "role"); ``describe(count)`` is the
    mark's words ("2 open comment threads"), which a screen reader reads and the
    pointer's tooltip shows; ``symbol`` is drawn before the count.
    """

    name: str  # also the mark's CSS class: mark-<name>
    stamp: Callable[[object], str]
    counts: Callable[[object], dict[str, int]]
    url: Callable[..., str]
    describe: Callable[[int], str]
    symbol: str = ""


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    _providers[provider.name] = provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


def providers() -> list[Provider]:
    return list(_providers.values())


@dataclass
class PlanAnnotations:
    """The registered providers' marks on one plan's things, each provider asked at most once."""

    plan: object

    @cached_property
    def _stamps(self) -> dict[str, str]:
        return {p.name: p.stamp(self.plan) for p in providers()}

    @cached_property
    def stamp(self) -> str:
        """Part of the key of any cached fragment that shows marks ('' with no providers)."""
        return "|".join(f"{name}:{stamp}" for name, stamp in self._stamps.items())

    @cached_property
    def _counts(self) -> list[tuple[Provider, dict[str, int]]]:
        return [(p, p.counts(self.plan) if self._stamps[p.name] else {}) for p in providers()]

    def has_any(self) -> bool:
        return any(counts for _, counts in self._counts)

    def marks(self, key: str, kind: str, *, problem_slug: str = "", role_slug: str = "") -> str:
        """The marks of one thing as HTML ('' when it has none)."""
        html = []
        for provider, counts in self._counts:
            count = counts.get(key)
            if not count:
                continue
            url = provider.url(self.plan.slug, kind, problem_slug, role_slug)
            text = escape(provider.describe(count))
            symbol = f"{escape(provider.symbol)} " if provider.symbol else ""
            html.append(
                f'<a class="mark mark-{provider.name}" href="{escape(url)}" title="{text}">'
                f'<span aria-hidden="true">{symbol}{count}</span>'
                f'<span class="visually-hidden">{text}</span></a>'
            )
        return "".join(html)

    def cell_marks(self, role_slugs: dict, problem_slugs: dict) -> dict[tuple[int, int], str]:
        """{(role id, problem id): marks HTML} for the cells of these roles and problems that
        have marks; ``role_slugs`` and ``problem_slugs`` map ids to slugs. Reads only the
        counted keys, never every cell."""
        found = {}
        for _, counts in self._counts:
            for key in counts:
                if not key.startswith("cell:"):
                    continue
                role_id, problem_id = (int(part) for part in key.split(":")[1:])
                if role_id in role_slugs and problem_id in problem_slugs:
                    found[(role_id, problem_id)] = self.marks(
                        key,
                        "cell",
                        problem_slug=problem_slugs[problem_id],
                        role_slug=role_slugs[role_id],
                    )
        return found


def for_plan(plan) -> PlanAnnotations:
    return PlanAnnotations(plan)
