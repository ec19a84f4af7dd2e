"""The JD section editor: one form per section, its fields plus an ordered list of rows."""

from __future__ import annotations

from django import forms
from django.forms import modelform_factory
from django.forms.formsets import ManagementForm
from django.utils.functional import cached_property

from core.forms import MAX_ID, ROW_TEXT_LIMIT, LimitedTextMixin, is_digits
from roles.jd.history import park_positions
from roles.jd.sections import ROW_MODELS, SECTIONS, Rows, Section
from roles.models import Role

MAX_ROWS = 200
# The most rows a posted list may claim; beyond it the formset refuses the post.
ABSOLUTE_MAX_ROWS = MAX_ROWS + 10
# All the text of one JD (its fields and every list), about six times the
# seed's longest; past it a JD is not read, and its page would be slow to show.
MAX_JD_CHARACTERS = 50_000


def _text_length(values) -> int:
    return sum(len(value) for value in values if isinstance(value, str))


def jd_characters(role: Role, *, leaving_out: Section | None = None, part=None) -> int:
    """How much text ``role``'s JD holds, optionally without one section (or one part of it).

    One query per row model, whatever the number of lists.
    """
    loaded = {model: list(model.objects.filter(role=role)) for model in ROW_MODELS}
    total = 0
    for section in SECTIONS:
        if section is not leaving_out:
            total += _text_length(getattr(role, name) for name in section.fields)
        if section.rows is None or (section is leaving_out and part is None):
            continue
        spec = section.rows
        for row in spec.select(loaded[spec.model]):
            if section is leaving_out and getattr(row, spec.part_field) == part:
                continue
            total += _text_length(getattr(row, name) for name in spec.fields)
    return total


TEXTAREA_FIELDS = {
    "proposal_summary",
    "inherits",
    "key_mindset",
    "key_difference",
    "problem_statement",
    "root_cause",
    "current_state",
    "why_now",
    "role_summary",
    "key_distinction",
    "first_30_days_note",
    "compensation_note",
    "text",
    "target",
}


# Row fields are short: each is one textarea of one line that grows with its text.
ROW_LABELS = {
    "text": "Item",
    "group": "Group",
    "internal_only": "Internal only (not on the posting)",
}
# A row of a section the candidate posting shows can be kept off it.
INTERNAL_FLAG = "internal_only"


def _widgets(fields, *, rows=False):
    if rows:
        return {name: forms.Textarea(attrs={"rows": 1, "class": "grow"}) for name in fields}
    return {
        name: forms.Textarea(attrs={"rows": 4, "class": "grow"})
        for name in fields
        if name in TEXTAREA_FIELDS
    }


class RoleFieldsForm(LimitedTextMixin, forms.ModelForm):
    pass


class RowForm(LimitedTextMixin, forms.ModelForm):
    text_limit = ROW_TEXT_LIMIT
    id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class RowManagementForm(ManagementForm):
    """Django's management form, refusing negative counts.

    Django accepts ``TOTAL_FORMS=-1`` as "no rows", which would save an empty
    list over the role's rows; a count below zero only comes from a forged post.
    """

    TOTAL_FORMS = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    INITIAL_FORMS = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class RowFormSet(forms.BaseFormSet):
    """The rows of one list, bound to existing rows by their posted ids.

    The posted list is the whole new list, in order: rows missing from it are
    deleted on save. That is safe because the save is refused unless the role
    is still at the version the form was opened on.
    """

    def __init__(self, data=None, *, spec: Rows, role: Role, existing: list, part=None, **kwargs):
        self.spec = spec
        self.role = role
        self.part = part
        self.existing = existing
        self.existing_by_id = {row.pk: row for row in existing}
        if data is None:
            kwargs["initial"] = [{"id": row.pk} for row in existing]
        super().__init__(data, **kwargs)

    @cached_property
    def management_form(self):
        if not self.is_bound:
            return super().management_form
        form = RowManagementForm(
            self.data, auto_id=self.auto_id, prefix=self.prefix, renderer=self.renderer
        )
        form.full_clean()
        return form

    def _posted_id(self, index):
        raw = self.data.get(f"{self.prefix}-{index}-id", "")
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is None:
            instance = None
        elif self.is_bound:
            instance = self.existing_by_id.get(self._posted_id(index))
        else:
            instance = self.existing[index] if index < len(self.existing) else None
        # New rows left blank are ignored rather than rejected; existing rows
        # are always validated, wherever reordering put them.
        kwargs["empty_permitted"] = instance is None
        if instance is None:
            kwargs["instance"] = self.spec.new_row(self.role, self.part)
        else:
            kwargs["instance"] = instance
            kwargs["initial"] = {"id": instance.pk}  # so an untouched row "has not changed"
        return kwargs

    def kept_forms(self):
        """Forms that will exist after saving, in order."""
        kept = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            kept.append(form)
        return kept


class SectionEditor:
    """The form for one JD section: role fields and/or an ordered list of rows.

    Buttons named ``row_action`` (``add``, ``up-3``, ``down-3``) rearrange the
    posted data and redisplay the form without saving, so adding and reordering
    work without JavaScript; htmx only makes the round trip smaller.
    """

    rows_prefix = "rows"
    fields_prefix = "role"

    def __init__(
        self, section: Section, role: Role, data=None, *, version=None, existing=None, part=None
    ):
        self.section = section
        self.role = role
        self.data = data
        self.version = role.version if version is None else version
        self.part = part  # which part of a list edited part by part (a timeframe)
        self.fields_form = None
        self.rows = None
        if section.fields:
            form_class = modelform_factory(
                Role, form=RoleFieldsForm, fields=section.fields, widgets=_widgets(section.fields)
            )
            self.fields_form = form_class(data, instance=role, prefix=self.fields_prefix)
            for field in self.fields_form.fields.values():
                # Labelled by the section's heading already (the page keeps it for screen readers).
                field.named_like_section = str(field.label).lower() == section.title.lower()
        if section.rows is not None:
            spec = section.rows
            flag = (INTERNAL_FLAG,) if section.rows_can_be_internal else ()
            widgets = _widgets(spec.fields, rows=True)
            widgets.update({name: forms.CheckboxInput() for name in flag})
            row_form = modelform_factory(
                spec.model,
                form=RowForm,
                fields=spec.fields + flag,
                widgets=widgets,
                labels={k: v for k, v in ROW_LABELS.items() if k in spec.fields + flag},
                # said once, in the section's help
                help_texts=dict.fromkeys(spec.fields + flag, ""),
            )
            rows = existing if existing is not None else list(spec.queryset(role, part))
            formset_class = forms.formset_factory(
                row_form,
                formset=RowFormSet,
                extra=0 if rows else 1,  # an empty list (a new timeframe) starts with a row
                can_delete=True,
                max_num=MAX_ROWS,
                validate_max=True,
                absolute_max=ABSOLUTE_MAX_ROWS,
            )
            self.rows = formset_class(
                data, prefix=self.rows_prefix, spec=spec, role=role, existing=rows, part=part
            )

    # --- Redisplay actions (no save) --------------------------------------------------

    @property
    def part_label(self) -> str:
        return dict(self.section.rows.parts()).get(self.part, "") if self.section.rows else ""

    @property
    def column_labels(self) -> list[str]:
        """The row fields' labels, shown once above a list whose rows have several fields."""
        if self.rows is None or len(self.section.rows.fields) < 2:
            return []
        form = self.rows.empty_form
        return [str(form.fields[name].label) for name in self.section.rows.fields]

    @property
    def reason(self) -> str:
        """What history records for a save of this editor."""
        part = f" ({self.part_label})" if self.part_label else ""
        return f"Edited {self.section.title}{part}"

    @staticmethod
    def apply_action(data, action: str):
        """Return a copy of ``data`` with a row added, moved or removed; None if unknown."""
        prefix = SectionEditor.rows_prefix
        data = data.copy()
        try:
            total = int(data.get(f"{prefix}-TOTAL_FORMS", "0"))
        except ValueError:
            return None
        if not 0 <= total <= ABSOLUTE_MAX_ROWS:
            # A hostile count (10**50): never build a list that long; the formset refuses it.
            return None
        if action == "add":
            if total >= MAX_ROWS:
                return data
            data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
            return data
        name, _, raw_index = action.partition("-")
        if name not in ("up", "down", "remove") or not is_digits(raw_index):
            return None
        index = int(raw_index)
        if name == "remove":
            return SectionEditor._remove(data, index, total) if 0 <= index < total else data
        other = index - 1 if name == "up" else index + 1
        if not (0 <= index < total and 0 <= other < total):
            return data
        mine, theirs = f"{prefix}-{index}-", f"{prefix}-{other}-"
        moved = {}
        for key in list(data.keys()):
            if key.startswith(mine):
                moved[theirs + key[len(mine) :]] = data.getlist(key)
                del data[key]
            elif key.startswith(theirs):
                moved[mine + key[len(theirs) :]] = data.getlist(key)
                del data[key]
        for key, values in moved.items():
            data.setlist(key, values)
        return data

    @staticmethod
    def _remove(data, index: int, total: int):
        """Drop row ``index`` from the posted data; later rows move up one place."""
        prefix = SectionEditor.rows_prefix
        rows = {}
        for key in list(data.keys()):
            head, sep, rest = key.partition("-")
            number, sep2, field = rest.partition("-")
            if head == prefix and sep and sep2 and is_digits(number):
                rows.setdefault(int(number), {})[field] = data.getlist(key)
                del data[key]
        kept = [rows.get(i, {}) for i in range(total) if i != index]
        for i, fields in enumerate(kept):
            for field, values in fields.items():
                data.setlist(f"{prefix}-{i}-{field}", values)
        data[f"{prefix}-TOTAL_FORMS"] = str(total - 1)
        return data

    # --- Validation ------------------------------------------------------------------

    def is_valid(self) -> bool:
        valid = True
        if self.fields_form is not None:
            valid &= self.fields_form.is_valid()
        if self.rows is not None:
            valid &= self.rows.is_valid()
            if valid:
                valid &= self._required_filled()
        if valid:
            valid &= self._within_jd_limit()
        return bool(valid)

    def _within_jd_limit(self) -> bool:
        posted = 0
        if self.fields_form is not None:
            posted += _text_length(self.fields_form.cleaned_data.values())
        if self.rows is not None:
            for form in self.rows.kept_forms():
                posted += _text_length(
                    form.cleaned_data.get(name) for name in self.section.rows.fields
                )
        total = posted + jd_characters(self.role, leaving_out=self.section, part=self.part)
        if total <= MAX_JD_CHARACTERS:
            return True
        message = (
            f"With this change the job description would hold {total:,} characters; "
            f"the limit is {MAX_JD_CHARACTERS:,}. Shorten this or another section."
        )
        if self.fields_form is not None:
            self.fields_form.add_error(None, message)
        else:
            self.rows._non_form_errors.append(message)
        return False

    def _required_filled(self) -> bool:
        """Kept rows fill the fields their row model requires in an editor."""
        required = self.section.rows.model.required_in_editor
        filled = True
        for form in self.rows.kept_forms():
            for name, message in required.items():
                if name in form.fields and form.cleaned_data.get(name) in (None, ""):
                    form.add_error(name, message)
                    filled = False
        return filled

    @property
    def errors_count(self) -> int:
        count = len(self.fields_form.errors) if self.fields_form is not None else 0
        if self.rows is not None:
            count += sum(len(f.errors) for f in self.rows.forms) + len(self.rows.non_form_errors())
        return count

    # --- Saving -----------------------------------------------------------------------

    def save_rows(self) -> None:
        """Write the list in its posted order; call inside the role's saving transaction."""
        if self.rows is None:
            return
        spec = self.section.rows
        kept = self.rows.kept_forms()
        positions = self._positions(len(kept))
        keep_ids = {f.instance.pk for f in kept if f.instance.pk}
        spec.queryset(self.role, self.part).exclude(pk__in=keep_ids).delete()
        moving = [
            f.instance.pk
            for position, f in zip(positions, kept, strict=True)
            if f.instance.pk and (f.instance.position != position or f.has_changed())
        ]
        park_positions(spec.model.objects.filter(pk__in=moving))
        for position, form in zip(positions, kept, strict=True):
            if form.instance.pk and form.instance.pk not in moving:
                continue  # Unchanged and in place: no write, no history noise.
            row = form.save(commit=False)
            row.role = self.role
            for name, value in spec.lookup.items():
                setattr(row, name, value)
            if self.part is not None:
                setattr(row, spec.part_field, self.part)
            row.position = position
            row.save()

    def _positions(self, count: int) -> list[int]:
        """Increasing positions for ``count`` kept rows that collide with no other row.

        A whole list simply numbers its rows. One part of a list (a timeframe)
        shares its positions with the other parts, so it reuses the positions its
        rows had and takes new ones above every row of the role.
        """
        if self.part is None:
            return list(range(count))
        pool = sorted(row.position for row in self.rows.existing)
        if count > len(pool):
            others = self.section.rows.model.objects.filter(role=self.role).exclude(
                pk__in=[row.pk for row in self.rows.existing]
            )
            top = max([*others.values_list("position", flat=True), *pool], default=-1)
            pool += range(top + 1, top + 1 + count - len(pool))
        return pool[:count]

    def apply_fields(self, role: Role) -> None:
        """Copy the validated field values onto ``role`` (the freshly locked row)."""
        if self.fields_form is None:
            return
        for name in self.section.fields:
            setattr(role, name, self.fields_form.cleaned_data[name])
