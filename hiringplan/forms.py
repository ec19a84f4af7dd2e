from django import forms
from django.core.validators import MaxLengthValidator

LONG_TEXT_LIMIT = 20_000


class LimitedTextMixin:
    """Give unbounded text fields a generous but finite limit, so no input is absurd."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = LONG_TEXT_LIMIT
                field.validators.append(MaxLengthValidator(LONG_TEXT_LIMIT))
                field.widget.attrs.setdefault("maxlength", str(LONG_TEXT_LIMIT))
