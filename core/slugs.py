import re
from functools import lru_cache

from django.urls import get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.text import slugify

PLANS_PREFIX = "plans/"
_WORD = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


def unique_slug(model, plan, title: str, fallback: str) -> str:
    """A slug from ``title`` not yet used by ``model`` in ``plan``."""
    base = slugify(title)[:70] or fallback
    slug, n = base, 2
    while model.objects.filter(plan=plan, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _route_words(patterns, prefix: str, below: bool, found: set[str]) -> None:
    for entry in patterns:
        route = str(entry.pattern) if isinstance(entry.pattern, RoutePattern) else None
        if route is None:
            continue
        path = prefix + route
        inside = below or path.startswith(PLANS_PREFIX)
        if inside:
            rest = path[len(PLANS_PREFIX) :] if path.startswith(PLANS_PREFIX) else path
            found.update(part for part in re.split(r"[/.]", rest) if _WORD.fullmatch(part))
        if hasattr(entry, "url_patterns") and (inside or PLANS_PREFIX.startswith(path)):
            _route_words(entry.url_patterns, path, inside, found)


@lru_cache(maxsize=1)
def plan_url_words() -> frozenset[str]:
    """Every literal word a URL under plans/ uses ("import", "roles", "matrix", "compare"...).

    A plan with one of these as its slug would be unreachable or shadow a page
    (``/plans/import/`` is the import page), so none is a plan's slug. Read from
    the URLconf, so a new page's word is reserved without a list to keep.
    """
    found: set[str] = set()
    _route_words(get_resolver().url_patterns, "", False, found)
    return frozenset(found)


def reserved_plan_slug_message(slug: str) -> str | None:
    """Why ``slug`` cannot be a plan's slug, or None if it can."""
    if slug in plan_url_words():
        return (
            f"“{slug}” is a word the app's plan pages use in their addresses "
            "(e.g. /plans/import/); choose another slug, e.g. “q2-2026”."
        )
    return None
