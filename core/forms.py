import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.renderers import TemplatesSetting

# Sized to real plans: the seed's longest text is 265 characters and its whole
# JD under 8,000. A field may hold a few pages, a list item a long paragraph;
# together with the per-JD limit (roles.forms) this bounds what any page renders.
LONG_TEXT_LIMIT = 10_000
ROW_TEXT_LIMIT = 2_000


class LimitedTextMixin:
    """Give unbounded text fields a generous but finite limit, so no input is absurd."""

    text_limit = LONG_TEXT_LIMIT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = self.text_limit
                field.validators.append(MaxLengthValidator(self.text_limit))
                field.widget.attrs.setdefault("maxlength", str(self.text_limit))


class FocusFirstErrorMixin:
    """A refused form puts keyboard focus on its first invalid field, not its first field.

    ``autofocus`` moves to that field (htmx honours it on a swap; browsers on a page
    load), whose error is its accessible description (templates/_field.html).
    """

    def full_clean(self):
        super().full_clean()
        invalid = [name for name in self.fields if name in self.errors]
        if not invalid:
            return
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        self.fields[invalid[0]].widget.attrs["autofocus"] = True


# Largest value an id can hold in every database we support; bigger numbers
# from a form or URL must be refused before they reach a query (SQLite raises
# OverflowError on them).
MAX_ID = 2**63 - 1


def is_digits(text: str) -> bool:
    """Whether ``text`` is a plain number: ASCII digits only, at least one.

    ``str.isdigit`` is also true of '²' and of Arabic-Indic digits: ``int()`` raises on the first
    (a 500 where a posted version or index is checked that way) and reads the
    second as a digit no form or file of ours writes.
    """
    return text.isascii() and text.isdigit()


def is_sane_id(value) -> bool:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return False
    return 0 < number <= MAX_ID


SLUG_SHAPE = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def is_sane_slug(value) -> bool:
    """Whether ``value`` (from a URL or form) can be a slug at all: no NUL, no 5,000 characters."""
    return isinstance(value, str) and SLUG_SHAPE.fullmatch(value) is not None


class BoundedModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not is_sane_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not is_sane_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class FormRenderer(TemplatesSetting):
    """Every form and field in the app renders through one template each (templates/_form.html,
    templates/_field.html): ``{{ form }}`` and ``{{ field.as_field_group }}``."""

    form_template_name = "_form.html"
    field_template_name = "_field.html"
