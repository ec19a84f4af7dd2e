"""The plan's documents: PDFs, Markdown and JSON exports, and the admins' import page."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from core.permissions import Capability, requires
from documents import imports, plan_json
from documents.plan_data import ImportRefused, build_instances, validate_slug, what_replace_loses
from documents.plan_markdown import MarkdownRefused, decode, parse, write_jd, write_proposal
from documents.rendering import pdf_response
from problems.access import get_plan
from problems.models import Plan
from roles.access import get_role

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_JDS = 50


def _download(body: str, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@requires(Capability.VIEW)
@require_GET
def export_markdown(request, plan_slug):
    plan = get_plan(plan_slug)
    return _download(write_proposal(plan), f"{plan.slug}.md", "text/markdown")


@requires(Capability.VIEW)
@require_GET
def jd_markdown(request, plan_slug, role_slug):
    role = get_role(get_plan(plan_slug), role_slug)
    return _download(write_jd(role), f"{role.slug}.md", "text/markdown")


@requires(Capability.LOAD_DATA)
@require_GET
def export_json(request, plan_slug):
    plan = get_plan(plan_slug)
    return _download(plan_json.dump(plan), f"{plan.slug}.json", "application/json")


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
    fixture = forms.FileField(label="Or a plan exported as JSON", required=False)
    replace = forms.BooleanField(
        label="Replace the existing plan with this slug whole",
        required=False,
        help_text="You will be shown what is lost and asked to confirm. Nothing is ever merged.",
    )

    def clean(self):
        cleaned = super().clean()
        files = self.files.getlist("jds") if self.files else []
        if bool(cleaned.get("proposal")) == bool(cleaned.get("fixture")):
            raise forms.ValidationError(
                "Upload a proposal (with any job descriptions) or a JSON export."
            )
        if len(files) > MAX_JDS:
            raise forms.ValidationError(f"At most {MAX_JDS} job descriptions at once.")
        for upload in [cleaned.get("proposal"), cleaned.get("fixture"), *files]:
            if upload is not None and upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(f"“{upload.name}” is larger than 5 MB.")
        cleaned["jd_files"] = files
        return cleaned


@requires(Capability.LOAD_DATA)
@require_http_methods(["GET", "POST"])
def import_plan(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            return _prepare(request, form.cleaned_data)
        except (ImportRefused, MarkdownRefused) as error:
            for message in getattr(error, "messages", [str(error)])[:50]:
                form.add_error(None, message)
    status = 400 if form.errors else 200
    return TemplateResponse(request, "documents/plan_import.html", {"form": form}, status=status)


def _prepare(request, cleaned):
    report = {"unplaced": [], "notes": []}
    if cleaned.get("fixture"):
        file_slug, data = plan_json.parse(cleaned["fixture"].read())
        slug = cleaned.get("slug") or file_slug
    else:
        proposal = cleaned["proposal"]
        jds = [(f.name, decode(f.read(), f.name)) for f in cleaned["jd_files"]]
        parsed = parse(decode(proposal.read(), proposal.name), jds, proposal_name=proposal.name)
        data, slug = parsed.data, cleaned.get("slug")
        report = {"unplaced": parsed.unplaced, "notes": parsed.notes}
    slug = validate_slug(slug)
    build_instances(data)  # every message now, before anything is asked or saved
    exists = Plan.objects.filter(slug=slug).exists()
    if exists and not cleaned.get("replace"):
        raise ImportRefused(
            [
                f"A plan “{slug}” already exists. Choose another slug, "
                "or tick “Replace” to replace it whole."
            ]
        )
    if not exists and cleaned.get("replace"):
        raise ImportRefused(
            [f"There is no plan “{slug}” to replace; untick “Replace” to create it."]
        )
    token = imports.stash(data, slug, report)
    return redirect("import_confirm", token=token)


@requires(Capability.LOAD_DATA)
@require_http_methods(["GET", "POST"])
def import_confirm(request, token):
    """Shows what will be imported (and lost); POST runs it; then shows progress or the result."""
    entry = imports.pending(token)
    state = imports.status(token)
    if entry is None and state is None:
        messages.info(request, "That import has expired or was never started; upload it again.")
        return redirect("import_plan")
    if state and state.get("state") == "done":
        messages.success(
            request,
            f"{'Replaced' if state['replaced'] else 'Created'} plan “{state['slug']}”: "
            f"{state['created']} objects created, {state['updated']} updated, "
            f"{state['deleted']} removed.",
        )
        return redirect("plan_overview", plan_slug=state["slug"])
    if (
        request.method == "POST"
        and entry is not None
        and (state is None or state.get("state") == "failed")
    ):
        existing = Plan.objects.filter(slug=entry["slug"]).first()
        if existing is not None and request.POST.get("confirm") != entry["slug"]:
            messages.error(
                request, f"Type the plan's slug “{entry['slug']}” to confirm replacing it."
            )
        else:
            imports.set_status(
                token, state="queued", done=0, total=imports.object_count(entry["data"])
            )
            if imports.object_count(entry["data"]) > imports.BACKGROUND_OBJECTS:
                imports.run_import.enqueue(token, existing is not None)
            else:
                imports.run_import.call(token, existing is not None)
            return redirect("import_confirm", token=token)
    state = imports.status(token)
    context = {"token": token, "entry": entry, "state": state}
    if entry is not None:
        existing = Plan.objects.filter(slug=entry["slug"]).first()
        context.update(
            existing=existing,
            losses=what_replace_loses(existing, entry["data"]) if existing else {},
            count=imports.object_count(entry["data"]),
        )
    return TemplateResponse(request, "documents/plan_import_confirm.html", context)


# --- PDFs --------------------------------------------------------------------------------


@requires(Capability.EXPORT_PDF)
@require_GET
def proposal_pdf(request, plan_slug):
    return pdf_response(request, plan=get_plan(plan_slug), kind="proposal")


@requires(Capability.EXPORT_PDF)
@require_GET
def jd_pdf(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    return pdf_response(request, plan=plan, kind="jd", role=get_role(plan, role_slug))


@requires(Capability.EXPORT_PDF)
@require_GET
def guide_pdf(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    return pdf_response(request, plan=plan, kind="guide", role=get_role(plan, role_slug))
