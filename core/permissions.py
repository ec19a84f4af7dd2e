"""Who may do what: user groups, their capabilities and the view decorators.

Every view declares its policy with one of the decorators below, right next to
the view. The decorator does the check (templates only decide whether to show
a control), and records the policy on the view so that a test can enumerate
every URL and prove none was forgotten. ``PolicyMiddleware`` refuses to run a
view that declares nothing, so a forgotten decorator fails closed.
"""

import logging
from enum import StrEnum
from functools import wraps

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django_htmx.http import HttpResponseClientRedirect

logger = logging.getLogger(__name__)

LEADERSHIP = "Leadership"
HIRING_MANAGERS = "Hiring managers"
RECRUITERS = "Recruiters"
ADMINS = "Admins"
GROUP_NAMES = (LEADERSHIP, HIRING_MANAGERS, RECRUITERS, ADMINS)


class Capability(StrEnum):
    VIEW = "view"
    EDIT_PROBLEMS = "edit_problems"
    EDIT_COVERAGE = "edit_coverage"
    EDIT_DECISIONS = "edit_decisions"
    EDIT_QUESTIONS = "edit_questions"
    EDIT_NEXT_STEPS = "edit_next_steps"
    SCENARIOS = "scenarios"
    APPROVE_PLAN = "approve_plan"
    START_PLAN = "start_plan"
    EDIT_ROLES = "edit_roles"
    EDIT_PIPELINE = "edit_pipeline"
    EDIT_INTERVIEW_STAGES = "edit_interview_stages"
    EDIT_ASSESSMENTS = "edit_assessments"
    EXPORT_PDF = "export_pdf"
    EXPORT_PROPOSAL = "export_proposal"  # the whole proposal as a PDF, for those who review it
    # The careers page and publishing a role's posting to it (public, no login).
    PUBLISH_POSTINGS = "publish_postings"
    # Compensation bands, a role's band override and the plan budget: Leadership
    # commits the money, so hiring managers do not set the price of their own hires.
    EDIT_COMPENSATION = "edit_compensation"
    # A role's target start month: Leadership plans it, recruiters know the pipeline.
    EDIT_START_MONTH = "edit_start_month"
    # Hires (name, offer and start dates) and their check-ins against the success
    # criteria: a check-in is about a person's performance, so only Leadership and
    # the hire's own hiring manager see it (CHECK_INS: one's own hires; ALL: every hire).
    RECORD_HIRES = "record_hires"
    CHECK_INS = "check_ins"
    ALL_CHECK_INS = "all_check_ins"
    LOAD_DATA = "load_data"
    # Invite people, change their groups, deactivate leavers, reset a lost second factor,
    # read the sign-in audit.
    MANAGE_USERS = "manage_users"


GROUP_CAPABILITIES: dict[str, frozenset[Capability]] = {
    LEADERSHIP: frozenset(
        {
            Capability.VIEW,
            Capability.EDIT_PROBLEMS,
            Capability.EDIT_COVERAGE,
            Capability.EDIT_DECISIONS,
            Capability.EDIT_QUESTIONS,
            Capability.EDIT_NEXT_STEPS,
            Capability.EXPORT_PROPOSAL,
            Capability.EDIT_COMPENSATION,
            Capability.EDIT_START_MONTH,
            Capability.SCENARIOS,
            Capability.APPROVE_PLAN,
            Capability.START_PLAN,
            Capability.CHECK_INS,
            Capability.ALL_CHECK_INS,
        }
    ),
    HIRING_MANAGERS: frozenset(
        {
            Capability.VIEW,
            Capability.EDIT_ROLES,
            Capability.EDIT_ASSESSMENTS,
            Capability.RECORD_HIRES,
            Capability.CHECK_INS,
        }
    ),
    RECRUITERS: frozenset(
        {
            Capability.VIEW,
            Capability.EXPORT_PDF,
            Capability.EXPORT_PROPOSAL,
            Capability.PUBLISH_POSTINGS,
            Capability.EDIT_PIPELINE,
            Capability.EDIT_INTERVIEW_STAGES,
            Capability.EDIT_ASSESSMENTS,
            Capability.EDIT_START_MONTH,
            Capability.RECORD_HIRES,
        }
    ),
    ADMINS: frozenset(Capability),
}


def capabilities_of(user) -> frozenset[Capability]:
    """The union of the user's groups' capabilities, cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_hiringplan_capabilities", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        caps = frozenset(Capability)
    else:
        caps = frozenset()
        # Loaded with the session's user (hiringplan.accounts.backends); else one query.
        names = getattr(user, "_hiringplan_group_names", None)
        if names is None:
            names = user.groups.values_list("name", flat=True)
        for name in names:
            caps |= GROUP_CAPABILITIES.get(name, frozenset())
    user._hiringplan_capabilities = caps
    return caps


def user_may(user, capability: Capability) -> bool:
    return capability in capabilities_of(user)


def is_admin(user) -> bool:
    return user_may(user, Capability.LOAD_DATA)


class Can:
    """Template helper: ``{% if can.edit_coverage %}`` shows a control."""

    def __init__(self, user):
        self._caps = capabilities_of(user)

    def __getattr__(self, name: str) -> bool:
        try:
            return Capability(name) in self._caps
        except ValueError:
            raise AttributeError(name) from None


def capabilities_context(request):
    return {"can": Can(getattr(request, "user", None))}


# --- View decorators --------------------------------------------------------------

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def public(view):
    """Anyone, logged in or not (login page, health check)."""
    view.access_policy = PUBLIC
    return view


def _to_login(request):
    if request.htmx:
        # A redirect would be followed by the XHR and the login page swapped
        # into a table cell; ask the browser to navigate instead.
        return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
    return redirect_to_login(request.get_full_path())


def authenticated(view):
    """Any logged-in user, even one in no group (logout, the no-access page)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _to_login(request)
        return view(request, *args, **kwargs)

    wrapper.access_policy = AUTHENTICATED
    return wrapper


def requires(capability: Capability, *, post: Capability | None = None):
    """Logged in, in a group, and holding ``capability`` (``post`` for POSTs, if given).

    Anonymous users are sent to log in; users in no group get the no-access
    page; users without the capability get 403.
    """
    policies = {"GET": capability, "POST": post or capability}

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return _to_login(request)
            caps = capabilities_of(request.user)
            if not caps:
                return TemplateResponse(request, "no_access.html", status=403)
            needed = policies["POST"] if request.method == "POST" else policies["GET"]
            if needed not in caps:
                raise PermissionDenied(f"This needs the '{needed}' capability.")
            return view(request, *args, **kwargs)

        wrapper.access_policy = capability
        wrapper.access_policies = policies
        return wrapper

    return decorator


class PolicyMiddleware:
    """Refuse any view that declares no access policy (fail closed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match and request.resolver_match.namespace == "admin":
            return None  # The admin site does its own checks (see hiringplan.admin_site).
        if getattr(view_func, "access_policy", None) is None:
            logger.error("View %s declares no access policy; refusing.", view_func)
            raise PermissionDenied("This page declares no access policy.")
        return None


class GroupPolicyBackend(ModelBackend):
    """Members of the Admins group hold every model permission (for the Django admin)."""

    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_active and is_admin(user_obj):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_active and is_admin(user_obj):
            return True
        return super().has_module_perms(user_obj, app_label)
