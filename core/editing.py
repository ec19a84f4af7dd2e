"""Editing what others may be editing too: optimistic locking, and the one shape of an edit view.

Every editable row has an *edit version* (its ``version`` column), a counter
that every saved edit moves on by one. A form carries the edit version it was
opened on. Inside the saving transaction the row is moved atomically from that
version to the next (:func:`claim_next_version`); if it is no longer at that
version, somebody saved first and the save is refused with :class:`StaleEdit`
instead of overwriting their work. On PostgreSQL the UPDATE takes a row lock,
so of two concurrent saves exactly one matches; on SQLite writers are
serialised by the database lock.

(Two other things are called versions elsewhere, and are not this: a role's
*history entries* in roles/jd/history.py, numbered by the role's edit version,
and a plan's *revision*, a random token that changes with any content of the
plan and keys caches.)

An edit view follows one shape, :func:`submit`: validate the form (422 with
field errors if invalid), save it, and on :class:`StaleEdit` answer 409 with
the user's input kept in a form *rebased* onto the version saved now, so that
saving again deliberately replaces the other person's change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from core.forms import is_digits
from core.http import CONFLICT, INVALID, render_page

# Largest value an edit version can hold in every database we support; bigger
# numbers from a form must be refused before they reach a query.
MAX_VERSION = 2**31 - 1


class StaleEdit(Exception):
    """Someone saved the object after this form was opened."""


class Refused(Exception):
    """A validated form that still cannot be saved, for a reason to show on one of its fields
    (a rank someone else took since the form was validated, say)."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# --- The edit version a form was opened on ---------------------------------------------


def version_field():
    """The hidden field that carries the edit version a form was opened on.

    It is written without an ``id`` (no label points at it): a page with several forms
    (a JD's decision, pipeline, start month and band) would otherwise repeat ``id_version``.
    """
    widget = forms.HiddenInput(attrs={"id": False})
    return forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=widget)


def opened_version(data, name: str = "version") -> int | None:
    """The edit version posted under ``name`` (``request.POST``), or None if missing or malformed.

    For posts that are not a Django form with a :func:`version_field` (a toggle,
    a delete button, a grid with one version per column).
    """
    raw = str(data.get(name, "")).strip()
    if not is_digits(raw) or len(raw) > 10:
        return None
    value = int(raw)
    return value if value <= MAX_VERSION else None


# --- Saving ---------------------------------------------------------------------------------


def claim_next_version(model: type[models.Model], expected: int | None, **lookup) -> int:
    """Move the one row ``lookup`` names from version ``expected`` to the next.

    The only way the app advances an edit version: call it inside the saving
    ``transaction.atomic`` before writing, then save the row with the returned
    version. Returns the new version, or raises :class:`StaleEdit`.
    """
    if expected is None:
        raise StaleEdit("The form did not say which version it edits.")
    updated = model.objects.filter(version=expected, **lookup).update(version=expected + 1)
    if updated != 1:
        raise StaleEdit(f"{model._meta.verbose_name} is no longer at version {expected}.")
    return expected + 1


def first_version(model: type[models.Model], lookup: dict) -> int:
    """The version a (re)created row starts at: after every version it ever had.

    A cleared matrix cell is a deleted row. Were a new row to start again at 1,
    an editor still open on the old row's version 1 would save over someone's
    new judgement without a conflict; continuing from the row's history makes
    that editor's version stale, as it is.
    """
    history = getattr(model, "history", None)
    if history is None:
        return 1
    last = history.filter(**lookup).aggregate(last=models.Max("version"))["last"]
    return (last or 0) + 1


def save_versioned(
    model: type[models.Model],
    expected: int | None,
    lookup: dict,
    write: Callable[[models.Model], Any],
):
    """Save the one row of ``model`` that ``lookup`` names, as the editor opened it, or raise
    :class:`StaleEdit`.

    ``expected`` is the edit version the editor was opened on; 0 means it saw
    no row (an empty matrix cell, a plan without compensation settings yet): the
    row is then created, unless someone created it meanwhile. ``write`` gets the
    row at its new version (a new, unsaved instance when creating) and saves or
    deletes it; its result is returned. All in one transaction.
    """
    try:
        with transaction.atomic():
            if expected == 0:
                if model.objects.filter(**lookup).exists():
                    raise StaleEdit(f"Someone created the {model._meta.verbose_name} meanwhile.")
                row = model(**lookup)
                row.version = first_version(model, lookup)
            else:
                version = claim_next_version(model, expected, **lookup)
                row = model.objects.get(**lookup)
                row.version = version
            return write(row)
    except IntegrityError:
        # A concurrent editor created the row between our check and our insert.
        raise StaleEdit(f"Someone created the {model._meta.verbose_name} meanwhile.") from None


# --- The edit view's shape ----------------------------------------------------------------


@dataclass
class Submission:
    """How a submitted form ended: saved (200), refused as invalid (422) or stale (409)."""

    form: forms.BaseForm
    status: int = 200
    saved: bool = False
    result: Any = None
    current: Any = None  # on a conflict: what is saved now, for the page to show

    @property
    def conflict(self) -> bool:
        return self.status == CONFLICT


def rebased(data, version: int | None, make_form: Callable[[Any], forms.BaseForm]):
    """The user's input kept, moved onto the edit version saved now, ready to save again.

    ``make_form`` builds the form for the current state from posted data.
    """
    data = data.copy()
    data["version"] = str(version or 0)
    form = make_form(data)
    form.is_valid()
    return form


def submit(
    form: forms.BaseForm,
    save: Callable[[forms.BaseForm], Any],
    on_conflict: Callable[[], tuple[forms.BaseForm, Any]] | None,
) -> Submission:
    """Validate ``form`` and ``save`` it; the one shape of every edit view.

    ``save(form)`` may raise :class:`StaleEdit`, :class:`Refused` or a model's
    ``ValidationError``. ``on_conflict()`` reloads what is saved now and returns
    ``(form, current)``: the user's input rebased onto it (:func:`rebased`) and
    the current object (anything true when there is nothing to show). Creating
    a row claims no version, so a create passes None.
    """
    if not form.is_valid():
        return Submission(form, INVALID)
    try:
        result = save(form)
    except Refused as refused:
        form.add_error(refused.field, refused.message)
        return Submission(form, INVALID)
    except ValidationError as error:
        form.add_error(None, error)
        return Submission(form, INVALID)
    except StaleEdit:
        if on_conflict is None:
            raise
        rebased_form, current = on_conflict()
        return Submission(rebased_form, CONFLICT, current=current)
    return Submission(form, saved=True, result=result)


def render_submission(
    request, template: str, context: dict, submission: Submission, *, partial: str | None = None
):
    """The form page (or its partial for htmx) for a submission that did not save, with its
    status: 422 with field errors, or 409 with the rebased form and ``conflict`` set."""
    context = {
        **context,
        "form": submission.form,
        "conflict": submission.current if submission.conflict else None,
    }
    return render_page(request, template, context, partial=partial, status=submission.status)
