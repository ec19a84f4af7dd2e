"""The admins' import form: a proposal with its JDs, a Markdown bundle (zip), or a JSON export."""

from django import forms

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_JDS = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ImportForm(forms.Form):
    slug = forms.CharField(
        max_length=60,
        required=False,
        help_text="The new plan's slug, used in its web address, e.g. q2-2026. "
        "A JSON export names its own slug if you leave this empty.",
    )
    proposal = forms.FileField(label="Proposal (Markdown)", required=False)
    jds = MultipleFileField(label="Job descriptions (Markdown, any number)", required=False)
    bundle = forms.FileField(
        label="Or a whole plan as Markdown (.zip)",
        required=False,
        help_text="The proposal and its JDs in one zip, as “Markdown (zip)” on a plan exports it.",
    )
    fixture = forms.FileField(label="Or a plan exported as JSON", required=False)
    replace = forms.BooleanField(
        label="Replace the existing plan with this slug whole",
        required=False,
        help_text="You will be shown what is lost and asked to confirm. Nothing is ever merged.",
    )

    def clean(self):
        cleaned = super().clean()
        files = self.files.getlist("jds") if self.files else []
        sources = [cleaned.get(name) for name in ("proposal", "bundle", "fixture")]
        if sum(bool(source) for source in sources) != 1:
            raise forms.ValidationError(
                "Upload a proposal (with any job descriptions), a Markdown zip or a JSON export."
            )
        if cleaned.get("bundle") and files:
            raise forms.ValidationError("A Markdown zip carries its own job descriptions.")
        if len(files) > MAX_JDS:
            raise forms.ValidationError(f"At most {MAX_JDS} job descriptions at once.")
        for upload in [*sources, *files]:
            if upload is not None and upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(f"“{upload.name}” is larger than 5 MB.")
        cleaned["jd_files"] = files
        return cleaned
