"""Plans in and out: Markdown and JSON exports, and the admins' import pages."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from core.permissions import Capability, requires
from interchange import fixture, imports
from interchange.forms import ImportForm
from interchange.markdown import MarkdownRefused, decode, parse, write_jd, write_proposal
from interchange.markdown_bundle import read_bundle, write_bundle
from interchange.plan_data import (
    ImportRefused,
    build_instances,
    validate_slug,
    what_replace_changes,
    what_replace_loses,
)
from problems.access import get_plan
from problems.models import Plan
from roles.access import get_role


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
def export_bundle(request, plan_slug):
    """The whole plan as Markdown: the proposal and every JD in one zip (import takes it back)."""
    plan = get_plan(plan_slug)
    response = HttpResponse(write_bundle(plan), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}-markdown.zip"'
    return response


@requires(Capability.VIEW)
@require_GET
def jd_markdown(request, plan_slug, role_slug):
    role = get_role(get_plan(plan_slug), role_slug)
    return _download(write_jd(role), f"{role.slug}.md", "text/markdown")


@requires(Capability.LOAD_DATA)
@require_GET
def export_json(request, plan_slug):
    plan = get_plan(plan_slug)
    return _download(fixture.dump(plan), f"{plan.slug}.json", "application/json")


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
    return TemplateResponse(request, "interchange/plan_import.html", {"form": form}, status=status)


def _prepare(request, cleaned):
    report = {"unplaced": [], "notes": []}
    if cleaned.get("fixture"):
        file_slug, data = fixture.parse(cleaned["fixture"].read())
        slug = cleaned.get("slug") or file_slug
    else:
        if cleaned.get("bundle"):
            (name, raw), files = read_bundle(cleaned["bundle"].read(), cleaned["bundle"].name)
        else:
            name, raw = cleaned["proposal"].name, cleaned["proposal"].read()
            files = [(f.name, f.read()) for f in cleaned["jd_files"]]
        jds = [(jd_name, decode(body, jd_name)) for jd_name, body in files]
        parsed = parse(decode(raw, name), jds, proposal_name=name)
        data, slug = parsed.data, cleaned.get("slug")
        report = parsed.report()
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
        url = reverse("import_plan")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if state and state.get("state") == "done":
        messages.success(
            request,
            f"{'Replaced' if state['replaced'] else 'Created'} plan “{state['slug']}”: "
            f"{state['created']} objects created, {state['updated']} updated, "
            f"{state['deleted']} removed.",
        )
        url = reverse("plan_overview", kwargs={"plan_slug": state["slug"]})
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    running = state is not None and state.get("state") in ("queued", "running")
    if request.htmx and request.method == "GET":
        # htmx polls the progress (the page's own address), without a meta refresh; once
        # the import has failed, the whole page says why.
        if not running:
            return HttpResponseClientRefresh()
        context = {"token": token, "entry": entry, "state": state}
        return TemplateResponse(request, "interchange/plan_import_confirm.html#progress", context)
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
            changes=what_replace_changes(existing, entry["data"]) if existing else [],
            count=imports.object_count(entry["data"]),
        )
    return TemplateResponse(request, "interchange/plan_import_confirm.html", context)
