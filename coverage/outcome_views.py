"""Hires, their check-ins and the problems' outcomes: the pages.

Who sees what: everyone who may view the plan sees who was hired and when they
started (the hires page, the role's hires); a hire's check-ins (its results
against the success criteria) are shown only to Leadership and the hire's own
hiring manager (roles.hires.may_see_check_ins), on the pages below and nowhere
else: no posting, export or other document carries them, except the outcomes
report, which is Leadership's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.editing import StaleEdit
from core.http import CONFLICT, INVALID
from core.permissions import Capability, requires, user_may
from coverage.analysis import cached_analysis
from coverage.costs import role_start
from coverage.outcomes import Due, dues_of
from problems.access import get_plan
from roles.access import get_role
from roles.forms import CheckInForm, HireForm
from roles.hires import free_seats, may_see_check_ins, record_check_in, save_hire
from roles.models import CheckIn, Hire, SuccessCriterion


def _get_hire(role, hire_id) -> Hire:
    hire = Hire.objects.filter(role=role, pk=hire_id).select_related("hiring_manager").first()
    if hire is None:
        raise Http404("No such hire.")
    hire.role = role
    return hire


@dataclass
class Seat:
    """A seat of a committed role: when it was planned to start and who took it, when."""

    role: object
    number: int
    planned: object  # first day of the planned month, or None
    hire: Hire | None

    @property
    def months_late(self) -> int | None:
        if self.planned is None or self.hire is None or self.hire.start_date is None:
            return None
        start = self.hire.start_date
        return (start.year - self.planned.year) * 12 + start.month - self.planned.month

    @property
    def months_early(self) -> int:
        return -(self.months_late or 0)


def plan_seats(plan, analysis) -> list[Seat]:
    seats = []
    for role in analysis.roles:
        if not role.is_committed and not role.loaded_hires:
            continue
        planned = role_start(plan, role)[0]
        by_seat = {hire.seat: hire for hire in role.loaded_hires}
        for number in range(1, max([role.headcount, *by_seat]) + 1):
            seats.append(Seat(role, number, planned, by_seat.get(number)))
    return seats


@requires(Capability.VIEW)
@require_GET
def hire_timeline(request, plan_slug):
    """Every seat: planned start against actual start (names and dates only)."""
    plan = get_plan(plan_slug)
    analysis = cached_analysis(plan)
    seats = plan_seats(plan, analysis)
    return TemplateResponse(
        request,
        "coverage/hires.html",
        {
            "plan": plan,
            "seats": seats,
            "started": sum(1 for s in seats if s.hire and s.hire.has_started(timezone.localdate())),
            "today": timezone.localdate(),
        },
    )


@requires(Capability.VIEW, post=Capability.RECORD_HIRES)
@require_http_methods(["GET", "POST"])
def role_hires(request, plan_slug, role_slug):
    """A role's hires (everyone may see them); recording one (recruiters, hiring managers)."""
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    seats = free_seats(role)
    form = None
    status = 200
    if request.method == "POST":
        form = HireForm(request.POST, role=role, free_seats=seats)
        if form.is_valid():
            try:
                hire = save_hire(role, None, 0, form.cleaned_data)
            except StaleEdit as stale:
                messages.error(request, f"Not saved: {stale}")
                return redirect("role_hires", plan.slug, role.slug)
            messages.success(request, f"Recorded {hire.person_name} as a hire for {role.title}.")
            return redirect("role_hires", plan.slug, role.slug)
        status = INVALID
    elif seats and user_may(request.user, Capability.RECORD_HIRES):
        form = HireForm(role=role, free_seats=seats, initial={"version": 0})
    hires = list(role.hires.select_related("hiring_manager"))
    for hire in hires:
        hire.role = role
        hire.visible_check_ins = may_see_check_ins(request.user, hire)
    return TemplateResponse(
        request,
        "coverage/role_hires.html",
        {
            "plan": plan,
            "role": role,
            "hires": hires,
            "form": form,
            "planned": role_start(plan, role),
            "today": timezone.localdate(),
        },
        status=status,
    )


@requires(Capability.RECORD_HIRES)
@require_http_methods(["GET", "POST"])
def hire_edit(request, plan_slug, role_slug, hire_id):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    hire = _get_hire(role, hire_id)
    seats = free_seats(role, hire)
    status = 200
    if request.method == "POST":
        form = HireForm(request.POST, role=role, free_seats=seats)
        if form.is_valid():
            try:
                save_hire(role, hire, form.cleaned_data["version"], form.cleaned_data)
            except StaleEdit:
                messages.error(
                    request,
                    f"Not saved: someone changed {hire.person_name}'s hire since you opened it. "
                    "The form now shows what is saved; make your change again.",
                )
                return redirect("hire_edit", plan.slug, role.slug, hire.pk)
            messages.success(request, f"Saved {form.cleaned_data['person_name']}'s hire.")
            return redirect("role_hires", plan.slug, role.slug)
        status = INVALID
    else:
        form = HireForm(
            role=role,
            free_seats=seats,
            initial={
                "seat": hire.seat,
                "person_name": hire.person_name,
                "offer_date": hire.offer_date,
                "start_date": hire.start_date,
                "hiring_manager": hire.hiring_manager_id,
                "version": hire.version,
            },
        )
    return TemplateResponse(
        request,
        "coverage/hire_edit.html",
        {"plan": plan, "role": role, "hire": hire, "form": form},
        status=status,
    )


@dataclass
class DueRow:
    due: Due
    form: CheckInForm
    history: list


def _due_rows(hire, dues, today, bound: CheckInForm | None = None) -> list[DueRow]:
    history = {}
    ids = [due.check_in.pk for due in dues if due.check_in]
    if ids:
        for entry in (
            CheckIn.history.filter(id__in=ids)
            .select_related("history_user")
            .order_by("-history_date")
        ):
            history.setdefault(entry.id, []).append(entry)
    rows = []
    for due in dues:
        check_in = due.check_in
        if bound is not None and bound.data.get("criterion") == str(due.criterion.pk):
            form = bound
        else:
            form = CheckInForm(
                initial={
                    "criterion": due.criterion.pk,
                    "result": check_in.result if check_in else "",
                    "evidence": check_in.evidence if check_in else "",
                    "recorded_on": check_in.recorded_on if check_in else today,
                    "version": check_in.version if check_in else 0,
                },
                auto_id=f"id_c{due.criterion.pk}_%s",
            )
        rows.append(DueRow(due, form, history.get(check_in.pk, [])[1:] if check_in else []))
    return rows


def _hire_dues(hire: Hire, today) -> list[Due]:
    hire.loaded_check_ins = {c.criterion_id: c for c in hire.check_ins.all()}
    hire.role.loaded_criteria = list(
        SuccessCriterion.objects.filter(role=hire.role).order_by("timeframe", "position", "pk")
    )
    return dues_of(hire.role, hire, today)


@requires(Capability.CHECK_INS)
@require_http_methods(["GET", "POST"])
def hire_check_ins(request, plan_slug, role_slug, hire_id):
    """One hire's check-ins: Leadership and the hire's own hiring manager only."""
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    hire = _get_hire(role, hire_id)
    if not may_see_check_ins(request.user, hire):
        raise PermissionDenied("Only Leadership and this hire's hiring manager see its check-ins.")
    today = timezone.localdate()
    status, bound = 200, None
    if request.method == "POST":
        bound = CheckInForm(request.POST, auto_id="id_posted_%s")
        if hire.start_date is None:
            bound.add_error(None, "Record the hire's actual start first.")
        elif bound.is_valid():
            criterion = SuccessCriterion.objects.filter(
                role=role, pk=bound.cleaned_data["criterion"]
            ).first()
            if criterion is None:
                bound.add_error(None, "That success criterion is not this role's.")
            else:
                try:
                    record_check_in(
                        hire,
                        criterion,
                        bound.cleaned_data["version"],
                        bound.cleaned_data,
                        request.user,
                    )
                except StaleEdit:
                    messages.error(
                        request,
                        "Not saved: someone recorded this check-in since you opened the page. "
                        "The page now shows what is saved; record yours again to replace it.",
                    )
                    status = CONFLICT
                else:
                    messages.success(request, f"Recorded: {criterion}.")
                    return redirect(
                        reverse("hire_check_ins", args=[plan.slug, role.slug, hire.pk])
                        + f"#criterion-{criterion.pk}"
                    )
        if status == 200:
            status = INVALID
    dues = _hire_dues(hire, today)
    return TemplateResponse(
        request,
        "coverage/hire_check_ins.html",
        {
            "plan": plan,
            "role": role,
            "hire": hire,
            "rows": _due_rows(hire, dues, today, bound if status == INVALID else None),
            "errors": bound.non_field_errors() if bound is not None else [],
            "today": today,
            "carried_to": hire.carried_to.select_related("role__plan").first(),
        },
        status=status,
    )


@requires(Capability.CHECK_INS)
@require_GET
def check_ins_due(request, plan_slug):
    """What is due or overdue, and what is still to come: a hiring manager's own hires;
    Leadership sees everyone's too.

    A hire carried into a newer plan (next quarter's) is followed there, not here.
    """
    plan = get_plan(plan_slug)
    analysis = cached_analysis(plan)
    today = timezone.localdate()
    everyone = user_may(request.user, Capability.ALL_CHECK_INS)
    carried = carried_forward(plan)
    mine, others, coming = [], [], []
    for role in analysis.roles:
        for hire in role.loaded_hires:
            if hire.pk in carried:
                continue
            if hire.hiring_manager_id != request.user.pk and not everyone:
                continue
            dues = dues_of(role, hire, today)
            open_dues = [due for due in dues if due.is_due and due.check_in is None]
            upcoming = [due for due in dues if not due.is_due and due.check_in is None]
            if upcoming:
                coming.append((role, hire, upcoming))
            if not open_dues:
                continue
            (mine if hire.hiring_manager_id == request.user.pk else others).append(
                (role, hire, open_dues)
            )
    managers = {
        user.pk: user
        for user in User.objects.filter(pk__in={h.hiring_manager_id for _, h, _ in others})
    }
    others = [
        (role, hire, dues, managers.get(hire.hiring_manager_id)) for role, hire, dues in others
    ]
    coming.sort(key=lambda found: found[2][0].due_on)
    return TemplateResponse(
        request,
        "coverage/check_ins_due.html",
        {
            "plan": plan,
            "mine": mine,
            "others": others,
            "coming": coming,
            "carried": carried,
            "everyone": everyone,
            "today": today,
        },
    )


def carried_forward(plan) -> dict[int, Hire]:
    """{hire id: its copy} for this plan's hires carried into a newer plan (one query)."""
    return {
        copy.carried_from_id: copy
        for copy in Hire.objects.filter(carried_from__role__plan=plan).select_related(
            "role__plan"
        )
    }


def being_solved(analysis, user, today=None) -> dict:
    """The overview's second question, "Are they being solved?", for ``user``.

    Outcomes come from check-ins, which are about people: those who may see
    check-ins (Leadership, hiring managers) see each problem's outcome; only
    Leadership (who see every check-in) see the reasons, which name people.
    """
    today = today or timezone.localdate()
    started = analysis.anyone_started(today)
    outcomes = analysis.outcomes(today) if started else {}
    rows = [(row, outcomes[row.problem.pk]) for row in analysis.rows] if started else []
    return {
        "started": started,
        "rows": rows,
        "show_outcomes": user_may(user, Capability.CHECK_INS),
        "show_reasons": user_may(user, Capability.ALL_CHECK_INS),
        "today": today,
    }
