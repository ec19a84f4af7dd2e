"""A plan's whole content as plain data, and the one way such data becomes a plan.

Every importer (the seed Markdown, a JSON fixture) produces *plan data*; every
comparison (the seed test, the round trip) reads plan data back with
``snapshot``. Plan data is a dict:

    {"plan": {field: value},
     "problems.problem": [{field: value}, ...], "roles.role": [...], ...}

Rows name what they point at by natural key *without* the plan's slug (a
problem is ``["onboarding-bottleneck"]``, a JD item ``["role-slug", "must_have", 3]``),
so plan data can never reach outside its own plan. Primary keys, versions,
revisions and timestamps are not content and never appear.

``save_plan`` validates everything first (plain-words messages naming the
object and the field), then writes in one transaction: a new plan, or an
existing plan replaced whole, where rows that survive keep their identity and
their version goes on counting (each gets a history entry "imported").
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.forms import LONG_TEXT_LIMIT
from core.slugs import reserved_plan_slug_message
from coverage.models import Coverage
from interviews.models import InterviewStage, Question, StageChoice, TechnicalFocus
from problems.models import NextStep, OpenQuestion, Plan, Problem
from roles.models import (
    CompensationBand,
    JDItem,
    LandscapeArea,
    PlanCompensation,
    Role,
    SuccessCriterion,
)

# In the order they must be created (everything a row points at comes earlier).
CONTENT_MODELS: list[type[models.Model]] = [
    Problem,
    Role,
    Coverage,
    SuccessCriterion,
    JDItem,
    LandscapeArea,
    InterviewStage,
    TechnicalFocus,
    StageChoice,
    Question,
    OpenQuestion,
    NextStep,
    CompensationBand,
    PlanCompensation,
]
MODEL_BY_LABEL = {model._meta.label_lower: model for model in [Plan, *CONTENT_MODELS]}

# How each model reaches its plan.
PLAN_PATH = {
    Problem: "plan",
    Role: "plan",
    Coverage: "role__plan",
    SuccessCriterion: "role__plan",
    JDItem: "role__plan",
    LandscapeArea: "role__plan",
    InterviewStage: "plan",
    TechnicalFocus: "plan",
    StageChoice: "stage__plan",
    Question: "role__plan",
    OpenQuestion: "plan",
    NextStep: "plan",
    CompensationBand: "plan",
    PlanCompensation: "plan",
}

# Bookkeeping, not content: never imported, never compared.
NOT_CONTENT = {"id", "plan", "version", "revision", "created_at", "updated_at"}
PLAN_NOT_CONTENT = NOT_CONTENT | {"slug"}

# Bounds on what one import may hold. A text is held to the same limit as the
# editors' fields; rendering is time-bounded anyway (core.markdown).
MAX_OBJECTS = 20_000
MAX_TEXT_CHARS = LONG_TEXT_LIMIT
IMPORTED = "imported"


def model_name(model) -> str:
    return str(model._meta.verbose_name)


def content_fields(model) -> list[models.Field]:
    skip = PLAN_NOT_CONTENT if model is Plan else NOT_CONTENT
    return [f for f in model._meta.concrete_fields if f.name not in skip]


def m2m_fields(model) -> list[models.Field]:
    return list(model._meta.local_many_to_many)


def local_key(obj) -> tuple:
    """The object's natural key inside its plan (the plan's slug dropped)."""
    return tuple(obj.natural_key()[1:])


# --- Reading a plan ---------------------------------------------------------------


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _pin(obj, plan: Plan, depth: int = 0) -> None:
    """Give ``obj`` and the rows it has loaded their plan, so natural keys need no query."""
    if "plan" in {f.name for f in obj._meta.concrete_fields} and obj.plan_id == plan.pk:
        obj.plan = plan
    if depth > 2:
        return
    for f in obj._meta.concrete_fields:
        if f.is_relation and f.name != "plan" and f.is_cached(obj):
            target = getattr(obj, f.name)
            if target is not None:
                _pin(target, plan, depth + 1)


def snapshot(plan: Plan, models=None) -> dict:
    """Everything the plan holds, as plan data, in a stable order.

    Walks every content model and every concrete and many-to-many field, so a
    field added later is compared without anyone remembering to add it here.
    A fixed number of queries (one per model and many-to-many field) whatever
    the plan's size. ``models`` limits it to some content models (the plan's
    own fields always come).
    """
    data: dict = {"plan": {f.name: _plain(getattr(plan, f.attname)) for f in content_fields(Plan)}}
    for model in models or CONTENT_MODELS:
        fields = content_fields(model)
        related = []
        for f in fields:
            if f.is_relation:
                related.append(f.name)
                if "role" in {g.name for g in f.related_model._meta.concrete_fields}:
                    related.append(f"{f.name}__role")
        queryset = model.objects.filter(**{PLAN_PATH[model]: plan}).select_related(*related)
        many = list(model._meta.local_many_to_many)
        if many:
            queryset = queryset.prefetch_related(*[m.name for m in many])
        rows = []
        for obj in queryset:
            _pin(obj, plan)
            row = {}
            for f in fields:
                if f.is_relation:
                    target = getattr(obj, f.name)
                    row[f.name] = list(local_key(target)) if target is not None else None
                else:
                    row[f.name] = _plain(getattr(obj, f.attname))
            for m in many:
                targets = list(getattr(obj, m.name).all())
                for target in targets:
                    _pin(target, plan)
                row[m.name] = sorted(list(local_key(t)) for t in targets)
            rows.append((local_key(obj), row))
        data[model._meta.label_lower] = [
            row for _, row in sorted(rows, key=lambda r: _sortable(r[0]))
        ]
    return data


def _sortable(key: tuple) -> tuple:
    return tuple((0, v, "") if isinstance(v, int) else (1, 0, str(v)) for v in key)


def differences(first: dict, second: dict) -> list[str]:
    """Plain-words differences between two plan data dicts, field by field."""
    found = []
    for name, value in first["plan"].items():
        if second["plan"].get(name) != value:
            found.append(f"plan.{name}: {value!r} != {second['plan'].get(name)!r}")
    for model in CONTENT_MODELS:
        label = model._meta.label_lower
        keyed_first = {_row_key(model, row): row for row in first.get(label, [])}
        keyed_second = {_row_key(model, row): row for row in second.get(label, [])}
        for key in sorted(set(keyed_first) | set(keyed_second), key=_sortable):
            a, b = keyed_first.get(key), keyed_second.get(key)
            if a is None or b is None:
                found.append(f"{label} {key}: only in the {'second' if a is None else 'first'}")
                continue
            for name in a:
                if a[name] != b.get(name):
                    found.append(f"{label} {key}.{name}: {a[name]!r} != {b.get(name)!r}")
    return found


# --- Keys of rows in plan data ----------------------------------------------------


def _row_key(model, row: dict) -> tuple:
    """A row's natural key inside the plan, from plan data (mirrors ``natural_key``)."""
    if model in (Problem, Role):
        return (row.get("slug"),)
    if model is Coverage:
        return (*_ref(row.get("role")), *_ref(row.get("problem")))
    if model in (SuccessCriterion, LandscapeArea):
        return (*_ref(row.get("role")), row.get("position"))
    if model is JDItem:
        return (*_ref(row.get("role")), row.get("kind"), row.get("position"))
    if model is InterviewStage:
        return (row.get("name"),)
    if model is TechnicalFocus:
        return (row.get("label"),)
    if model is StageChoice:
        return (*_ref(row.get("stage")), *_ref(row.get("role")))
    if model is Question:
        return (*_ref(row.get("role")), *_ref(row.get("stage")), row.get("position"))
    if model is CompensationBand:
        return (row.get("level"),)
    if model is PlanCompensation:
        return ()  # one per plan
    return (row.get("position"),)  # OpenQuestion, NextStep


def _ref(value) -> tuple:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def describe(model, row: dict) -> str:
    """How a message names a row: 'Role “senior-x”', 'JD list item (senior-x, must_have, 2)'."""
    key = _row_key(model, row)
    shown = key[0] if len(key) == 1 else ", ".join(str(k) for k in key)
    return f"{model_name(model).capitalize()} “{shown}”"


# --- Validating and saving ----------------------------------------------------------


class ImportRefused(Exception):
    """The plan data cannot be imported; ``messages`` say why, in plain words."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages[:5]))
        self.messages = messages


@dataclass
class ImportResult:
    plan: Plan
    created: int = 0
    updated: int = 0
    deleted: int = 0
    replaced: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated


def validate_slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not slug:
        raise ImportRefused(["Give the plan a slug (letters, digits and hyphens, e.g. q1-2026)."])
    if slugify(slug) != slug or len(slug) > Plan._meta.get_field("slug").max_length:
        raise ImportRefused(
            [
                f"“{slug[:80]}” is not a valid slug: use lowercase letters, digits and hyphens "
                f"(at most {Plan._meta.get_field('slug').max_length} characters), "
                f"e.g. “{slugify(slug)[:60] or 'q1-2026'}”."
            ]
        )
    if message := reserved_plan_slug_message(slug):
        raise ImportRefused([message])
    return slug


def what_replace_loses(plan: Plan, data: dict) -> dict[str, list[str]]:
    """What replacing ``plan`` with ``data`` removes, by kind: the confirmation's list."""
    current = snapshot(plan)
    lost: dict[str, list[str]] = {}
    for model in CONTENT_MODELS:
        label = model._meta.label_lower
        incoming = {_row_key(model, row) for row in data.get(label, [])}
        gone = [row for row in current[label] if _row_key(model, row) not in incoming]
        if gone:
            lost[str(model._meta.verbose_name_plural)] = [
                describe(model, row).split(" ", 1)[1] if False else _short(model, row)
                for row in gone
            ]
    return lost


def what_replace_changes(plan: Plan, data: dict, limit: int = 200) -> list[str]:
    """What replacing ``plan`` with ``data`` adds and changes, row by row and field by field
    (what it removes is ``what_replace_loses``)."""
    current = snapshot(plan)
    found = [
        f"The plan's {name}: “{str(current['plan'].get(name))[:80]}” → “{str(value)[:80]}”"
        for name, value in data.get("plan", {}).items()
        if name in current["plan"] and current["plan"][name] != value
    ]
    for model in CONTENT_MODELS:
        label = model._meta.label_lower
        before = {_row_key(model, row): row for row in current[label]}
        for row in data.get(label, []) or []:
            old = before.get(_row_key(model, row))
            name = f"{model_name(model).capitalize()} “{_short(model, row)}”"
            if old is None:
                found.append(f"{name}: added")
                continue
            for field_name, value in row.items():
                if field_name in old and old[field_name] != value and not (
                    isinstance(value, str) and str(old[field_name]) == value
                ):
                    found.append(
                        f"{name}: {field_name} “{str(old[field_name])[:60]}” → “{str(value)[:60]}”"
                    )
    return found[:limit]


def _short(model, row: dict) -> str:
    for name in ("title", "name", "label", "question", "text", "target", "area"):
        if row.get(name):
            return str(row[name])[:120]
    return ", ".join(str(k) for k in _row_key(model, row))


def save_plan(
    data: dict,
    slug: str,
    *,
    replace: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Create the plan ``slug`` from ``data``, or with ``replace`` replace it whole.

    Never merges: after a replace the plan holds exactly ``data``. Raises
    ``ImportRefused`` (nothing changed) when the data is invalid, when the plan
    exists and ``replace`` is false, or when it does not exist and ``replace`` is true.
    """
    slug = validate_slug(slug)
    progress = progress or (lambda stage, done, total: None)
    instances = build_instances(data)  # validates; raises ImportRefused
    total = sum(len(rows) for rows in instances.values())
    try:
        with transaction.atomic():
            existing = Plan.objects.select_for_update().filter(slug=slug).first()
            if existing is not None and not replace:
                raise ImportRefused(
                    [
                        f"A plan with the slug “{slug}” already exists. Choose another slug, "
                        "or replace that plan whole (everything in it not in the import is lost)."
                    ]
                )
            if existing is None and replace:
                raise ImportRefused([f"There is no plan “{slug}” to replace."])
            result = _write(instances, slug, existing, progress, total)
    except (IntegrityError, DatabaseError) as error:
        raise ImportRefused(
            [f"The plan could not be saved, nothing was changed ({type(error).__name__})."]
        ) from None
    Plan.mark_changed(pk=result.plan.pk)
    return result


def build_instances(data: dict) -> dict[type, list]:
    """Unsaved model instances for ``data``, validated field by field; refs are keys.

    Returns {model: [(instance, refs, m2m)]} where refs maps FK field name to the
    referenced local key and m2m maps field name to a list of keys.
    """
    errors: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("plan"), dict):
        raise ImportRefused(["The import holds no plan."])
    count = sum(len(data.get(m._meta.label_lower, []) or []) for m in CONTENT_MODELS)
    if count > MAX_OBJECTS:
        raise ImportRefused(
            [f"The import holds {count} objects; at most {MAX_OBJECTS} are allowed."]
        )

    plan = Plan()
    _assign(plan, Plan, data["plan"], errors, "The plan")
    plan.slug = "x"  # validated separately
    _clean(plan, Plan, "The plan", errors, exclude=["slug"])
    built: dict = {Plan: [(plan, {}, {})]}

    known: dict = {}
    for model in CONTENT_MODELS:
        label = model._meta.label_lower
        rows = data.get(label, []) or []
        if not isinstance(rows, list):
            errors.append(f"“{label}” must be a list of rows.")
            continue
        keys: set = set()
        out = []
        for row in rows:
            if not isinstance(row, dict):
                errors.append(f"A {model_name(model)} is not a set of fields: {str(row)[:80]}.")
                continue
            name = describe(model, row)
            obj = model()
            refs, m2m = {}, {}
            for f in content_fields(model):
                if not f.is_relation:
                    continue
                value = row.get(f.name)
                if value is None:
                    if not f.null:
                        errors.append(f"{name}: {f.verbose_name} is missing.")
                    continue
                target_key = _ref(value)
                if target_key not in known.get(f.related_model, {}):
                    errors.append(
                        f"{name}: {f.verbose_name} points at {model_name(f.related_model)} "
                        f"“{', '.join(str(k) for k in target_key)}”, which is not in this plan."
                    )
                    continue
                refs[f.name] = target_key
            for f in m2m_fields(model):
                values = row.get(f.name) or []
                if not isinstance(values, list):
                    errors.append(f"{name}: {f.verbose_name} must be a list.")
                    continue
                wanted = []
                for value in values:
                    target_key = _ref(value)
                    if target_key not in known.get(f.related_model, {}):
                        errors.append(
                            f"{name}: {f.verbose_name} names {model_name(f.related_model)} "
                            f"“{', '.join(str(k) for k in target_key)}”, which is not in this plan."
                        )
                    else:
                        wanted.append(target_key)
                m2m[f.name] = wanted
            _assign(obj, model, row, errors, name)
            # Rows compared across models (item kinds, same-plan rules) need their targets.
            for fname, key in refs.items():
                setattr(obj, fname, known[model._meta.get_field(fname).related_model][key])
            relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
            _clean(obj, model, name, errors, exclude=relations)
            key = _row_key(model, row)
            if key in keys:
                errors.append(f"{name} appears twice.")
                continue
            keys.add(key)
            out.append((obj, refs, m2m))
        known[model] = {local_key_of(model, obj, refs): obj for obj, refs, _ in out}
        built[model] = out
    _check_cross_rules(built, errors)
    if errors:
        raise ImportRefused(errors)
    return built


def local_key_of(model, obj, refs) -> tuple:
    """The local natural key of an unsaved instance, from its fields and reference keys."""
    if model in (Problem, Role):
        return (obj.slug,)
    if model is Coverage:
        return (*refs.get("role", ()), *refs.get("problem", ()))
    if model in (SuccessCriterion, LandscapeArea):
        return (*refs.get("role", ()), obj.position)
    if model is JDItem:
        return (*refs.get("role", ()), obj.kind, obj.position)
    if model is InterviewStage:
        return (obj.name,)
    if model is TechnicalFocus:
        return (obj.label,)
    if model is StageChoice:
        return (*refs.get("stage", ()), *refs.get("role", ()))
    if model is Question:
        return (*refs.get("role", ()), *refs.get("stage", ()), obj.position)
    if model is CompensationBand:
        return (obj.level,)
    if model is PlanCompensation:
        return ()
    return (obj.position,)


def _assign(obj, model, row: dict, errors: list[str], name: str) -> None:
    allowed = {f.name for f in content_fields(model)} | {f.name for f in m2m_fields(model)}
    for key in row:
        if key not in allowed:
            hint = " (primary keys are not imported)" if key in ("id", "pk") else ""
            errors.append(
                f"{name}: “{str(key)[:60]}” is not a field of a {model_name(model)}{hint}."
            )
    for f in content_fields(model):
        if f.is_relation or f.name not in row:
            continue
        value = row[f.name]
        if isinstance(value, (dict, list)):
            errors.append(f"{name}: {f.verbose_name} must be a single value, not a list or object.")
            continue
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            errors.append(f"{name}: {f.verbose_name} is longer than {MAX_TEXT_CHARS} characters.")
            continue
        try:
            setattr(obj, f.attname, f.to_python(value))
        except ValidationError as error:
            errors.append(f"{name}: {f.verbose_name}: {' '.join(error.messages)}")


def _clean(obj, model, name: str, errors: list[str], exclude: list[str]) -> None:
    try:
        obj.clean_fields(exclude=exclude)
    except ValidationError as error:
        for fname, messages in error.message_dict.items():
            label = model._meta.get_field(fname).verbose_name if fname != "__all__" else "row"
            errors.append(f"{name}: {label}: {' '.join(messages)}")
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            try:
                constraint.validate(model, obj, exclude=set(exclude))
            except ValidationError as error:
                errors.append(f"{name}: {' '.join(error.messages)}")


def _check_cross_rules(built: dict, errors: list[str]) -> None:
    ranks: dict = {}
    for obj, _, _ in built.get(Problem, []):
        if obj.rank is not None:
            if obj.rank in ranks:
                errors.append(
                    f"Problems “{ranks[obj.rank]}” and “{obj.slug}” both have rank {obj.rank}."
                )
            ranks[obj.rank] = obj.slug
    for obj, refs, m2m in built.get(Question, []):
        # A question probes its own role's items (the same plan is already guaranteed).
        role_key = tuple(refs.get("role", ()))
        foreign = [key for key in m2m.get("probes", []) if tuple(key[:1]) != role_key]
        if foreign:
            errors.append(
                f"{model_name(Question).capitalize()} “{obj.prompt[:40]}”: it may only probe "
                f"items of its own role ({', '.join(role_key)})."
            )


def _write(instances: dict, slug: str, existing: Plan | None, progress, total: int) -> ImportResult:
    when = timezone.now()
    plan, _, _ = instances[Plan][0]
    result = ImportResult(plan=plan, replaced=existing is not None)
    if existing is not None:
        for f in content_fields(Plan):
            setattr(existing, f.attname, getattr(plan, f.attname))
        existing._change_reason = IMPORTED
        existing.save()
        plan = result.plan = existing
        # Ranks are unique per plan: clear them so rows can trade ranks.
        Problem.objects.filter(plan=plan).update(rank=None)
    else:
        plan.slug = slug
        plan._change_reason = IMPORTED
        plan.save()

    saved: dict = {}
    done = 0
    for model in CONTENT_MODELS:
        rows = instances[model]
        old = {}
        if existing is not None:
            for obj in model.objects.filter(**{PLAN_PATH[model]: plan}).select_related(
                *[f.name for f in content_fields(model) if f.is_relation]
            ):
                old[local_key(obj)] = obj
        to_create, to_update, by_key = [], [], {}
        for obj, refs, _ in rows:
            if hasattr(obj, "plan_id") and "plan" in {f.name for f in model._meta.concrete_fields}:
                obj.plan = plan
            for fname, key in refs.items():
                setattr(obj, fname, saved[model._meta.get_field(fname).related_model][key])
            key = local_key_of(model, obj, refs)
            previous = old.pop(key, None)
            if previous is not None:
                obj.pk = previous.pk
                if hasattr(previous, "version"):
                    obj.version = previous.version + 1
                if hasattr(previous, "created_at"):
                    obj.created_at = previous.created_at
                if hasattr(obj, "updated_at"):
                    obj.updated_at = when
                to_update.append(obj)
            else:
                to_create.append(obj)
            by_key[key] = obj
        if old:
            result.deleted += len(old)
            model.objects.filter(pk__in=[o.pk for o in old.values()]).delete()
        if to_update:
            fields = [f.name for f in content_fields(model)]
            concrete = {f.name for f in model._meta.concrete_fields}
            fields += [extra for extra in ("version", "updated_at") if extra in concrete]
            bulk_update_with_history(
                to_update,
                model,
                fields,
                batch_size=500,
                default_change_reason=IMPORTED,
                default_date=when,
            )
            result.updated += len(to_update)
        if to_create:
            created = bulk_create_with_history(
                to_create,
                model,
                batch_size=500,
                default_change_reason=IMPORTED,
                default_date=when,
            )
            # SQLite and PostgreSQL both return primary keys from bulk_create.
            for obj, made in zip(to_create, created, strict=True):
                obj.pk = made.pk
            result.created += len(to_create)
        saved[model] = by_key
        for obj, _refs, m2m in rows:
            for fname, keys in m2m.items():
                target = model._meta.get_field(fname).related_model
                getattr(obj, fname).set([saved[target][k] for k in keys])
        done += len(rows)
        progress(f"Saved {model._meta.verbose_name_plural}", done, total)
    return result
