from django.utils.text import slugify


def unique_slug(model, plan, title: str, fallback: str) -> str:
    """A slug from ``title`` not yet used by ``model`` in ``plan``."""
    base = slugify(title)[:70] or fallback
    slug, n = base, 2
    while model.objects.filter(plan=plan, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
