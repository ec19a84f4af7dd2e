"""A plan as a Django fixture (natural keys): full-fidelity export, and a strict import.

The import never hands the file to Django's deserializer: it reads it into plan
data (interchange.plan_data), so the same checks and the same save path apply as
for Markdown. Refused, in plain words: anything but plan models (model names
match case-insensitively, historical records never), primary keys, references
to rows of another plan, more than one plan, nesting deeper than a fixture has.
"""

from __future__ import annotations

import json

from django.core import serializers

from interchange.plan_data import CONTENT_MODELS, MODEL_BY_LABEL, PLAN_PATH, ImportRefused
from problems.models import Plan

MAX_DEPTH = 6
# No field of a plan holds a longer number (a big integer column has 19 digits);
# Python refuses to read more than 4,300 digits at all.
MAX_NUMBER_DIGITS = 20
BOOKKEEPING = {"version", "revision", "created_at", "updated_at"}
# Models that moved app: exports made before the move still import.
RENAMED = {"roles.coverage": "coverage.coverage"}


def dump(plan: Plan) -> str:
    """The plan and everything in it, as a fixture with natural keys."""
    objects = [plan]
    for model in CONTENT_MODELS:
        objects += list(model.objects.filter(**{PLAN_PATH[model]: plan}).order_by("pk"))
    return serializers.serialize(
        "json", objects, indent=2, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )


def _depth(value, level=1) -> int:
    if isinstance(value, dict):
        return max([level, *(_depth(v, level + 1) for v in value.values())])
    if isinstance(value, list):
        return max([level, *(_depth(v, level + 1) for v in value)])
    return level


class _LongNumber(ValueError):
    def __init__(self, digits: int):
        super().__init__(digits)
        self.digits = digits


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_NUMBER_DIGITS:
        raise _LongNumber(digits)
    return int(text)


def parse(raw: bytes) -> tuple[str, dict]:
    """(the plan's slug in the file, plan data) from fixture bytes; ImportRefused if invalid."""
    try:
        entries = json.loads(raw.decode("utf-8-sig"), parse_int=_bounded_int)
    except _LongNumber as error:
        raise ImportRefused(
            [
                f"The file has a number with {error.digits:,} digits; no field of a plan "
                f"holds more than {MAX_NUMBER_DIGITS}."
            ]
        ) from None
    except UnicodeDecodeError:
        raise ImportRefused(["The file is not UTF-8 text."]) from None
    except json.JSONDecodeError as error:
        raise ImportRefused(
            [f"The file is not JSON (line {error.lineno}, column {error.colno}: {error.msg})."]
        ) from None
    except RecursionError:
        raise ImportRefused(
            [f"The file nests deeper than a fixture can ({MAX_DEPTH} levels)."]
        ) from None
    if not isinstance(entries, list):
        raise ImportRefused(["A fixture is a list of objects, each with “model” and “fields”."])
    errors: list[str] = []
    plans, data = [], {m._meta.label_lower: [] for m in CONTENT_MODELS}
    slugs: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"Object {number}"
        if not isinstance(entry, dict):
            errors.append(f"{where} is not an object with “model” and “fields”.")
            continue
        if _depth(entry) > MAX_DEPTH:
            errors.append(f"{where} nests deeper than a fixture can ({MAX_DEPTH} levels).")
            continue
        label = entry.get("model")
        if not isinstance(label, str):
            errors.append(f"{where}: “model” must be a name like “roles.role”.")
            continue
        label_lower = label.strip().lower()
        model = MODEL_BY_LABEL.get(RENAMED.get(label_lower, label_lower))
        if model is None:
            errors.append(
                f"{where}: “{label[:80]}” is not part of a plan; only plans, problems, roles and "
                "their rows, interview stages, technical focus, open questions and next steps "
                "can be imported."
            )
            continue
        if "pk" in entry or "id" in (entry.get("fields") or {}):
            errors.append(f"{where} ({model._meta.verbose_name}) has a primary key; leave it out.")
            continue
        unknown = set(entry) - {"model", "fields"}
        if unknown:
            errors.append(f"{where}: unexpected “{sorted(unknown)[0][:40]}”.")
            continue
        fields = entry.get("fields")
        if not isinstance(fields, dict):
            errors.append(f"{where}: “fields” must be an object.")
            continue
        fields = {k: v for k, v in fields.items() if k not in BOOKKEEPING}
        if model is Plan:
            slug = fields.pop("slug", None)
            if not isinstance(slug, str):
                errors.append(f"{where}: the plan has no slug.")
                continue
            slugs.add(slug)
            plans.append(fields)
            continue
        row = {}
        for name, value in fields.items():
            field = _field(model, name)
            if field is not None and field.is_relation and not field.many_to_many:
                if name == "plan":
                    owner = value[0] if isinstance(value, list) and value else value
                    slugs.add(str(owner))
                    continue
                row[name] = _local(value, slugs, where, name, errors)
            elif field is not None and field.many_to_many:
                if not isinstance(value, list):
                    errors.append(f"{where}: {name} must be a list.")
                    continue
                row[name] = [_local(v, slugs, where, name, errors) for v in value]
            else:
                row[name] = value
        data[model._meta.label_lower].append(row)
    if len(plans) != 1:
        errors.append(f"A fixture holds exactly one plan; this one holds {len(plans)}.")
    if len(slugs) > 1:
        errors.append(
            "Every row must belong to the imported plan; this file refers to "
            + ", ".join(f"“{s}”" for s in sorted(slugs)[:5])
            + "."
        )
    if errors:
        raise ImportRefused(errors)
    data["plan"] = plans[0]
    return next(iter(slugs)), data


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _local(value, slugs: set, where: str, name: str, errors: list):
    """A natural key into the plan without its slug: ['q1-2026', 'x'] -> ['x']."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) < 2:
        errors.append(
            f'{where}: {name} must be a natural key like ["plan-slug", ...], not a primary key.'
        )
        return None
    slugs.add(str(value[0]))
    return value[1:]
